// The demo: the Stripe emulator and the Node example platform on loopback.
//   node tests/e2e/demo.mjs             prints the URL to open, runs until Ctrl-C
//   node tests/e2e/demo.mjs --headless  walks one install and one OAuth flow in Chromium, printing each step
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { memoryStore, platform } from '../../bindings-node/examples/server.mjs'
import { NOTIFICATION_SECRET, WEBHOOK_SECRET, emulator, freePort, launchBrowser, waitFor, wire } from './harness.mjs'

const { values } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'stripe-port': { type: 'string', default: process.env.STRIPE_PORT ?? '12111' },
  },
})
// Headless runs take any free ports, so they never collide with a running demo.
const emu = await emulator({ port: values.headless ? 0 : Number(values['stripe-port']) })
const store = memoryStore()
const port = values.headless ? await freePort() : Number(values.port)
const base = `http://127.0.0.1:${port}`
const server = platform({
  publicUrl: base,
  stripeBase: emu.url,
  app: { linkId: emu.config.app.linkId, clientId: emu.config.app.clientId, secret: emu.config.app.appSecret, secretKey: emu.config.app.secretKeys.test, testLinkId: emu.config.app.testLinkId,
    sandbox: { linkId: emu.config.app.sandbox.linkId, clientId: emu.config.app.sandbox.clientId, secretKey: emu.config.app.sandbox.secretKeys.test } },
  connect: { clientId: emu.config.platform.clientId, secretKey: emu.config.platform.secretKeys.test },
  webhookSecret: WEBHOOK_SECRET,
  notificationSecret: NOTIFICATION_SECRET,
  stateKey: randomBytes(32),
  store,
  exposeStore: true, // GET /store.json shows what the platform stored
})
await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
wire(emu, base)

const step = (n, text) => console.log(`${String(n).padStart(2)}. ${text}`)
console.log(`Stripe emulator  ${emu.url}  (test mode, account ${emu.config.account.id})
Demo platform    ${base}/  (bindings-node)`)

if (!values.headless) {
  console.log(`\nOpen ${base}/ and click "Install the Stripe App" or "Connect with Stripe". Ctrl-C to stop.`)
} else {
  const browser = await launchBrowser()
  let failed = false
  try {
    const page = await (await browser.newContext()).newPage()
    const outcome = async () => {
      await page.locator('#result').waitFor({ timeout: 15_000 })
      return [await page.locator('#result').getAttribute('data-outcome'), (await page.locator('#message').textContent()).trim()]
    }
    const expect = async (want) => {
      const [got, message] = await outcome()
      if (got !== want) throw new Error(`expected "${want}", the page shows "${got}": ${message}`)
      return message
    }

    console.log('\nInstall link')
    await page.goto(`${base}/`)
    await page.click('#install')
    await page.locator('#consent').waitFor()
    step(1, `platform → Stripe: ${trim(page.url())}`)
    step(2, `Stripe shows: "${await page.locator('#consent').textContent()}"; the user clicks Install`)
    await page.click('#approve')
    const callback = new URL(page.url())
    step(3, `Stripe → platform: ${callback.pathname}?${[...callback.searchParams.keys()].join('&')}`)
    step(4, `platform verified install_signature and state: ${await expect('installed')}`)
    step(5, `stored: ${JSON.stringify(store.installs)}`)

    console.log('\nConnect OAuth')
    await page.goto(`${base}/`)
    await page.click('#connect')
    await page.locator('#consent').waitFor()
    step(1, `platform → Stripe: ${trim(page.url())}`)
    await page.click('#approve')
    step(2, `the user clicks Connect; Stripe → platform with a one-time code: ${new URL(page.url()).pathname}?code=ac_…&scope&state`)
    step(3, `platform checked state, exchanged the code: ${await expect('connected')}`)
    await page.goto(`${base}/`)
    await page.click('#refresh')
    step(4, `refresh: ${await expect('refreshed')}`)
    await page.goto(`${base}/`)
    await page.click('#deauthorize')
    step(5, `deauthorize: ${await expect('disconnected')}`)
    const event = await waitFor(() => store.events.at(-1), { what: 'the webhook' })
    step(6, `webhook ${event.type} for ${event.account}: signature verified, connection removed (${Object.keys(store.connections).length} left)`)
    const note = await waitFor(() => store.notifications.at(-1), { what: 'the event notification' })
    step(7, `event notification ${note.type} (thin): signature verified, event fetched from /v2/core/events in context ${note.context}`)
    console.log('\nDemo complete: both flows passed in headless Chromium.')
  } catch (e) {
    failed = true
    console.error(`\nDemo failed: ${e.message}`)
  } finally {
    await browser.close()
    server.closeAllConnections()
    server.close()
    await emu.close()
  }
  process.exitCode = failed ? 1 : 0
}

function trim(url) {
  const u = new URL(url)
  return `${u.origin}${u.pathname}?${[...u.searchParams].map(([k, v]) => `${k}=${v.length > 24 ? `${v.slice(0, 12)}…` : v}`).join('&')}`
}
