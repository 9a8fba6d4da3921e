// Compiled with `tsc --strict --noEmit` against the generated package typings.
import { init, initSync, Verifier, connectOAuthLink, RedirectAllowList, randomState, StripeHandshakeError, type WebhookEvent } from '../../pkg/index.js'

export async function page(): Promise<string> {
  await init()
  const allow = new RedirectAllowList(['https://platform.example/callback'])
  return connectOAuthLink({ clientId: 'ca_1', accountType: 'express', state: randomState() }, allow)
}

export function edge(bytes: ArrayBuffer, body: string, header: string): WebhookEvent | string {
  initSync(new WebAssembly.Module(bytes))
  try {
    return new Verifier('whsec_x').verifyWebhook(body, header)
  } catch (e) {
    if (e instanceof StripeHandshakeError) return e.code
    throw e
  }
}
