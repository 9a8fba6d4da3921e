// Compiled with `tsc --strict --noEmit`: the published typings must type real usage.
import {
  Verifier, verifyWebhook, verifyInstallCallback, RedirectAllowList, connectOAuthLink, installLink,
  issueStateToken, verifyStateToken, codeExchangeRequest, parseTokenResponse, appsTokenExpiry, dangerous,
  StripeHandshakeError, SignatureVerificationError, OAuthError, type Installed, type Denied, type WebhookEvent,
  type HttpRequest, ERROR_CODES, DEFAULT_TOLERANCE_SECS, verifyAppCallback, verifyUiExtensionSignature,
  type MarketplaceInstall, type UiExtensionCaller, MemoryStore, StripeAppFlow, RedisStore, type OneTimeStore, verifyOAuthCallback,
  type Authorized, StoreError,
} from 'stripe-handshake'

const verifier = new Verifier(['whsec_new', 'whsec_old'], { tolerance: DEFAULT_TOLERANCE_SECS })
const event: WebhookEvent = verifier.verifyWebhook(Buffer.from('{}'), 't=1,v1=00', Date.now() / 1000)
const type: string = event.type
const attempt = verifier.tryVerify('{}', 't=1,v1=00')
if (!attempt.ok) {
  const code: string | null = attempt.code
  void code
}
const e2: WebhookEvent = verifyWebhook('{}', 't=1', { secrets: 'whsec_x' })
const allow = new RedirectAllowList(['https://platform.example/callback'], { testMode: false })
const keys = [{ id: 'k1', key: new Uint8Array(32) }]
const state: string = issueStateToken({ keys, flow: 'connect_oauth', sessionId: 'sess' })
const link: string = connectOAuthLink({ clientId: 'ca_1', accountType: 'standard', scope: 'read_write', state }, allow)
const ilink: string = installLink({ linkId: 'x', state }, allow)
const vs = verifyStateToken(state, { keys, sessionId: 'sess', flow: 'connect_oauth', replay: 'unchecked' })
const nonce: string = vs.nonce
const cb: Installed | MarketplaceInstall | Denied = verifyInstallCallback('?', { secrets: 'absec_x', stateKeys: keys, sessionId: 'sess', marketplace: 'accept', replay: 'unchecked' })
// With a store the verifiers return a promise: the nonce is consumed before it resolves.
const nonces: OneTimeStore = new MemoryStore({ maxEntries: 10_000 })
const pending: Promise<Authorized | Denied> = verifyOAuthCallback('?', { flow: 'connect_oauth', stateKeys: keys, sessionId: 'sess', store: nonces })
void pending.then((r) => (r.outcome === 'authorized' ? r.stateExpiresAt : null)).catch((e: unknown) => e instanceof StoreError)
declare const redisClient: { sendCommand(args: string[]): Promise<unknown> }
const shared: OneTimeStore = new RedisStore(redisClient, { prefix: 'app1:' })
void shared
if (cb.outcome === 'installed') {
  // The union narrows: an installed result always has its account.
  const acct: string = cb.accountId
  void acct
} else if (cb.outcome === 'marketplace_install') {
  const form: 'null' | 'empty' | 'omitted' = cb.signedForm
  void form
} else {
  const why: string = cb.kind
  void why
}
// An OAuth-type app: the code comes with the ids, and the outcome says whether it was started here.
const app = verifyAppCallback('?', { accessType: 'oauth', expectedState: 's', marketplace: 'accept' })
if (app.outcome === 'authorized' || app.outcome === 'marketplace_authorized') {
  const exchange: HttpRequest = codeExchangeRequest({ provider: app.provider, secretKey: 'sk_test_1', code: app.code })
  void exchange
}
const caller: UiExtensionCaller = verifyUiExtensionSignature('t=1,v1=00', { userId: 'usr_1', accountId: 'acct_1', secrets: 'absec_x' })
void caller
// @ts-expect-error: allowStateless is gone from install callbacks (marketplace replaces it)
verifyInstallCallback('?', { secrets: 'absec_x', allowStateless: true })
// What node:http hands over for a header: string | string[] | undefined.
declare const incoming: { headers: Record<string, string | string[] | undefined> }
const fromFramework = verifier.check(Buffer.from('{}'), incoming.headers['stripe-signature'])
const ok: boolean = fromFramework === null
const req: HttpRequest = codeExchangeRequest({ provider: 'connect', secretKey: 'sk_test_1', code: 'ac_1' })
const init: RequestInit = { method: req.method, headers: req.headers, body: req.body }
const tok = parseTokenResponse(200, '{}')
const account: string = tok.stripeUserId
const exp: boolean = appsTokenExpiry(0, { marginSecs: 60 }).needsRefresh
dangerous.verifyIgnoringTolerance('{}', 't=1', 'whsec_x')
try {
  verifier.verify('{}', 't=1')
} catch (e) {
  if (e instanceof SignatureVerificationError) {
    const c: string = e.code
    void c
  } else if (e instanceof OAuthError) {
    const d: string | undefined = e.errorDescription
    void d
  } else if (e instanceof StripeHandshakeError) {
    void e.family
  }
}
const codes: readonly string[] = ERROR_CODES
void [type, e2, link, ilink, nonce, init, account, exp, codes, ok]
// StripeAppFlow: the access type decides the other options; finish narrows by outcome.
const appAllow = new RedirectAllowList(['https://p.example/cb'])
const appFlow = new StripeAppFlow({ accessType: 'install_link', linkId: 'lnk_1', secrets: 'absec_x', allowList: appAllow,
  stateKeys: [{ id: 'k1', key: new Uint8Array(32) }], store: new MemoryStore() })
// @ts-expect-error: an install-link app is verified with its signing secret
void new StripeAppFlow({ accessType: 'install_link', linkId: 'lnk_1', allowList: appAllow, stateKeys: [], store: new MemoryStore() })
// @ts-expect-error: an OAuth app exchanges a code with a secret key
void new StripeAppFlow({ accessType: 'oauth', clientId: 'ca_1', allowList: appAllow, stateKeys: [], store: new MemoryStore() })
void (async () => {
  const r = await appFlow.finish('https://p.example/cb?x', { sessionId: 's' })
  if (r.outcome === 'installed') { const a: string = r.accountId; void a }
  if (r.outcome === 'marketplace_connected') { const t: string = r.token.accessToken; void t }
  const m = await verifyAppCallback('?', { accessType: 'oauth', marketplace: 'accept', store: new MemoryStore() })
  if (m.outcome === 'marketplace_authorized') { const id: string = m.codeId; const at: number = m.codeExpiresAt; void [id, at] }
})()
