// One command: node tests/emulator/cli.mjs [--port 12111] [--redirect URL]… [--webhook URL=whsec_…]… [--access-type oauth]
// Starts the Stripe emulator on loopback and prints its test credentials and endpoints.
import { parseArgs } from 'node:util'
import { defaultConfig, startEmulator } from './emulator.mjs'

const USAGE = `node tests/emulator/cli.mjs [--port N] [--redirect URL]... [--webhook URL=whsec_...]... [--access-type T]

  --port N        the loopback port (default 12111; 0 picks a free one)
  --redirect URL  an allowed redirect URI of the app and the platform (repeat; the first is the default)
  --webhook URL=whsec_...
                  an event destination and its signing secret (repeat)
  --access-type T the app's stripe_api_access_type: install_link (default; redirects are signed)
                  or oauth (redirects carry a code)
  --help          this text

A local Stripe emulator for install links, Stripe Apps and Connect OAuth, tokens, Account Links,
webhooks and event notifications; test mode only, nothing leaves this machine.`

let values
try {
  ;({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '12111' },
      redirect: { type: 'string', multiple: true, default: ['http://127.0.0.1:3000/stripe/callback'] },
      webhook: { type: 'string', multiple: true, default: [] },
      'access-type': { type: 'string', default: 'install_link' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }))
} catch (e) {
  console.error(`error: ${e.message}\n\n${USAGE}`)
  process.exit(2)
}
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
  console.error('error: --port takes a port number (0 picks a free one)')
  process.exit(2)
}
const bad = values.webhook.find((w) => !/^https?:\/\/.+=whsec_.+$/.test(w))
if (bad !== undefined) {
  console.error('error: --webhook takes URL=whsec_... (the destination and its signing secret)')
  process.exit(2)
}
if (!['install_link', 'oauth'].includes(values['access-type'])) {
  console.error('error: --access-type takes install_link or oauth')
  process.exit(2)
}
const config = defaultConfig()
config.app.accessType = values['access-type']
config.app.redirectUris = values.redirect
config.platform.redirectUris = values.redirect
config.webhooks = values.webhook.map((w) => {
  const i = w.lastIndexOf('=')
  return { url: w.slice(0, i), secret: w.slice(i + 1) }
})
const emu = await startEmulator({ port: Number(values.port), config, log: console.error })
const { app, platform, account } = config
console.log(`Stripe emulator on ${emu.url}
  install link   ${emu.url}/apps/install/link/${app.linkId}   (app secret ${app.appSecret})
  Apps OAuth     ${emu.url}/oauth/v2/${app.testLinkId}/authorize?client_id=${app.clientId}   (key ${app.secretKeys.test})
  Connect OAuth  ${emu.url}/oauth/authorize?response_type=code&client_id=${platform.clientId}&scope=read_write   (key ${platform.secretKeys.test})
  tokens         POST ${emu.url}/v1/oauth/token (Apps), POST ${emu.url}/oauth/token and /oauth/deauthorize (Connect)
  account        ${account.id} (user ${account.userId})
  redirect URIs  ${values.redirect.join(', ')}
  webhooks       ${config.webhooks.map((w) => w.url).join(', ') || 'none (--webhook URL=whsec_…)'}
  test log       GET ${emu.url}/_emulator/log`)
