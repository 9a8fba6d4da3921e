// The demo: the Stripe emulator and the Node example platform on loopback.
//   node tests/e2e/demo.mjs             prints the URL to open, runs until Ctrl-C
//   node tests/e2e/demo.mjs --headless  walks one install and one OAuth flow in Chromium, printing each step
//   --port N, --stripe-port N           the ports to use (3000 and 12111; a busy one is replaced by a free one)
import { parseArgs } from 'node:util'
import { launchBrowser, waitFor } from './harness.mjs'
import { startDemo } from './demo/app.mjs'

const { values } = parseArgs({
  options: {
    headless: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'stripe-port': { type: 'string', default: process.env.STRIPE_PORT ?? '12111' },
  },
})
const port = (name, v) => {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    console.error(`--${name} must be a port number (0 to 65535), not "${v}"`)
    process.exit(64)
  }
  return Number(v)
}
// Headless runs take any free ports, so they never collide with a running demo.
const demo = await startDemo({
  port: values.headless ? 0 : port('port', values.port),
  stripePort: values.headless ? 0 : port('stripe-port', values['stripe-port']),
  say: (text) => console.log(text),
})
const { base, emu, store } = demo
const step = (n, text) => console.log(`${String(n).padStart(2)}. ${text}`)
console.log(`Stripe emulator  ${emu.url}  (test mode, account ${emu.config.account.id})
Demo platform    ${base}/  (bindings-node; each page shows what the library checked)
Stored           ${base}/store.json`)

if (!values.headless) {
  console.log(`\nOpen ${base}/ and click "Install the Stripe App" or "Connect with Stripe", then try the
buttons under "Try what goes wrong". Ctrl-C to stop.`)
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
    const shown = async (sel) => (await page.locator(sel).innerText()).split('\n')[0]
    console.log(`      signed bytes: ${await shown('#signed-bytes')}`)
    console.log(`      window: ${await shown('#window')}; state: ${await shown('#state-verdict')}`)
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

    console.log('\nWhat goes wrong (the buttons under "Try what goes wrong")')
    const failures = [
      ['fail-replay', 'the install callback again', false],
      ['fail-tamper', 'the install callback with another account_id', false],
      ['fail-session', 'a callback from another browser session', true],
      ['fail-webhook', 'a webhook signed with the wrong secret', false],
      ['fail-expired', 'a callback after the state expired (the clock moved 11 minutes)', true],
    ]
    for (const [i, [id, what, consent]] of failures.entries()) {
      await page.goto(`${base}/`)
      await page.click(`#${id}`)
      if (consent) {
        await page.locator('#consent').waitFor()
        await page.click('#approve')
      }
      await expect('rejected')
      const diagnosis = await page.locator('#trace .findings li').evaluateAll((els) => els.map((e) => e.dataset.code))
      step(i + 1, `${what}: refused, ${await page.locator('#code').textContent()} (diagnosis: ${diagnosis.join(', ')})`)
    }
    console.log('\nDemo complete: both flows passed and every failure was refused, in headless Chromium.')
  } catch (e) {
    failed = true
    console.error(`\nDemo failed: ${e.message}`)
  } finally {
    await browser.close()
    await demo.close()
  }
  process.exitCode = failed ? 1 : 0
}

function trim(url) {
  const u = new URL(url)
  return `${u.origin}${u.pathname}?${[...u.searchParams].map(([k, v]) => `${k}=${v.length > 24 ? `${v.slice(0, 12)}…` : v}`).join('&')}`
}
