// The README's integrations, run as users run them: examples/express.mjs under Node, and
// examples/nextjs built by Next.js (`next build`, `next start`) with the package installed from
// its packed files (install-links, as from the registry). Each is driven against the local Stripe
// emulator over real HTTP: an install for this browser; a reload and another browser refused with
// their codes; a cancel; the emulator's signed webhook acted on once; a forged one refused.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import Stripe from 'stripe'
import { defaultConfig, startEmulator } from '../../tests/emulator/emulator.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const WEBHOOK_SECRET = 'whsec_integration_test_secret'
let emu
const children = []
before(async () => { emu = await startEmulator({ port: 0, config: defaultConfig(), log: () => {} }) })
after(async () => {
  for (const c of children) c.kill()
  await emu.close()
})

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
})

/** Starts an app (`command`, its arguments for a port, the example's environment) and waits until it answers. */
async function startApp(command, args, cwd) {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = {
    ...process.env, PORT: String(port), PUBLIC_URL: url, STATE_KEY: Buffer.alloc(32, 9).toString('base64'),
    STRIPE_INSTALL_LINK_ID: emu.config.app.linkId, STRIPE_APP_SECRET: emu.config.app.appSecret, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_BASE_URL: emu.url, STRIPE_TEST_MODE: '1', NEXT_TELEMETRY_DISABLED: '1',
  }
  const child = spawn(command, args(port), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  children.push(child)
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      return url
    } catch {
      if (child.exitCode !== null) throw new Error(`${command} exited: ${stderr}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`${command} did not answer: ${stderr}`)
}

/** A browser: a cookie jar, redirects read by hand. */
function browser() {
  let cookie = ''
  return async (url, init = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(cookie && { cookie }), ...init.headers } })
    const set = res.headers.get('set-cookie')
    if (set) cookie = set.split(';')[0]
    return res
  }
}

/** The consent page of the emulator: press Install (or Cancel), get where Stripe redirects. */
async function consent(link, decision = 'approve') {
  const page = await (await fetch(link)).text()
  const action = /action="(\/consent\/[\w-]+)"/.exec(page)[1]
  const res = await fetch(new URL(action, emu.url), { method: 'POST', body: new URLSearchParams({ decision }), redirect: 'manual' })
  return res.headers.get('location')
}

async function drive(app) {
  emu.config.app.redirectUris = [`${app}/stripe/callback`]
  emu.config.webhooks = [{ url: `${app}/stripe/webhook`, secret: WEBHOOK_SECRET }]
  // An install for this browser, then its reload.
  const alice = browser()
  const start = await alice(`${app}/install`)
  assert.equal(start.status, 302)
  const link = start.headers.get('location')
  assert.ok(link.startsWith(`${emu.url}/apps/install/link/${emu.config.app.linkId}?`), link)
  const callback = await consent(link)
  assert.ok(callback.startsWith(`${app}/stripe/callback?`), callback)
  const mallory = browser()
  await mallory(`${app}/install`) // a session of her own
  const stolen = await mallory(callback)
  assert.equal(stolen.status, 400)
  assert.match(await stolen.text(), /state_session_mismatch/)
  const done = await alice(callback)
  assert.equal(done.status, 200)
  assert.equal(await done.text(), `Installed on ${emu.config.account.id}.`)
  const reload = await alice(callback)
  assert.equal(reload.status, 400)
  assert.match(await reload.text(), /state_replayed/)
  const tampered = await alice(callback.replace(/account_id=acct_\w+/, 'account_id=acct_attacker'))
  assert.equal(tampered.status, 400)
  assert.match(await tampered.text(), /signature_mismatch/)
  const cancelled = await alice(await consent((await alice(`${app}/install`)).headers.get('location'), 'cancel'))
  assert.equal(await cancelled.text(), 'Installation cancelled.')
  // The emulator's webhook (an uninstall from the Dashboard), signed as Stripe signs: 200, once.
  await fetch(`${emu.url}/_emulator/uninstall?account=${emu.config.account.id}`, { method: 'POST' })
  await emu.idle()
  const delivery = emu.deliveries.at(-1)
  assert.deepEqual([delivery.url, delivery.type, delivery.status], [`${app}/stripe/webhook`, 'account.application.deauthorized', 200])
  // A forged delivery (another secret), signed by the stripe package: refused with its code.
  const body = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'account.application.deauthorized', account: 'acct_1', created: 1, livemode: false, data: { object: {} } })
  const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_other' })
  const forged = await fetch(`${app}/stripe/webhook`, { method: 'POST', body, headers: { 'stripe-signature': header, 'content-type': 'application/json' } })
  assert.equal(forged.status, 400)
  assert.equal((await forged.json()).error, 'signature_mismatch')
}

test('the README\'s Express integration (examples/express.mjs), against the emulator', async () => {
  await drive(await startApp(process.execPath, () => [here('../examples/express.mjs')], here('..')))
})

test('the README\'s Next.js integration (examples/nextjs, built and started by Next.js), against the emulator', { timeout: 300_000 }, async () => {
  const dir = here('../examples/nextjs')
  // The package as a user gets it: packed from this checkout (install-links in .npmrc), after the addon was built.
  rmSync(`${dir}/node_modules/stripe-handshake`, { recursive: true, force: true })
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, stdio: 'inherit' })
  execFileSync('npx', ['next', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } })
  const app = await startApp(`${dir}/node_modules/.bin/next`, (port) => ['start', '-H', '127.0.0.1', '-p', String(port)], dir)
  await drive(app)
})

test('the README shows the integrations as they are tested', () => {
  const readme = readFileSync(here('../README.md'), 'utf8')
  for (const f of ['../examples/express.mjs', '../examples/nextjs/lib/stripe.mjs', '../examples/nextjs/app/install/route.js',
    '../examples/nextjs/app/stripe/callback/route.js', '../examples/nextjs/app/stripe/webhook/route.js']) {
    assert.ok(readme.includes(readFileSync(here(f), 'utf8')), `${f} is not in the README verbatim`)
  }
})
