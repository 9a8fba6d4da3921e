// Shared by the end-to-end tests and the demo: the emulator, the example platforms, Chromium.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { defaultConfig, startEmulator } from '../emulator/emulator.mjs'

export const root = new URL('../../', import.meta.url)
export const WEBHOOK_SECRET = 'whsec_e2e_platform_endpoint_secret'
/** The secret of the platform's event destination with thin payloads (event notifications). */
export const NOTIFICATION_SECRET = 'whsec_e2e_platform_thin_destination'
export const STATE_KEY_HEX = '5e'.repeat(32)

/** Debian's Chromium, as CI installs it; no browser download. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run scripts/bootstrap.sh (apt install chromium)`)
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
  })
}

/** A free loopback port (for a platform that runs in another process). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

export async function emulator(options = {}) {
  return startEmulator({ config: defaultConfig(), ...options })
}

/** Points the emulator's allow-lists and webhook endpoint at a platform on `base`. */
export function wire(emu, base, { webhookPath = '/stripe/webhook', callbacks = ['/stripe/install/callback', '/stripe/oauth/callback', '/stripe/apps/callback'] } = {}) {
  const uris = callbacks.map((p) => base + p)
  emu.config.app.redirectUris = uris
  emu.config.platform.redirectUris = uris
  emu.config.webhooks = [
    { url: base + webhookPath, secret: WEBHOOK_SECRET },
    { url: base + '/stripe/events', secret: NOTIFICATION_SECRET, payload: 'thin', owner: 'platform' },
  ]
}

/** The settings every example platform takes, for this emulator. */
export function platformEnv(emu, port) {
  const { app, platform } = emu.config
  return {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    STRIPE_BASE: emu.url,
    STRIPE_INSTALL_LINK_ID: app.linkId,
    STRIPE_APP_CLIENT_ID: app.clientId,
    STRIPE_APP_SECRET: app.appSecret,
    STRIPE_APP_SECRET_KEY: app.secretKeys.test,
    STRIPE_APP_TEST_LINK_ID: app.testLinkId,
    STRIPE_APP_SANDBOX_LINK_ID: app.sandbox.linkId,
    STRIPE_APP_SANDBOX_CLIENT_ID: app.sandbox.clientId,
    STRIPE_APP_SANDBOX_SECRET_KEY: app.sandbox.secretKeys.test,
    STRIPE_CLIENT_ID: platform.clientId,
    STRIPE_SECRET_KEY: platform.secretKeys.test,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_NOTIFICATION_SECRET: NOTIFICATION_SECRET,
    STATE_KEY_HEX,
    SESSION_KEY_HEX: '5a'.repeat(32),
    DEMO_EXPOSE_STORE: '1',
  }
}

/**
 * Starts an example platform as its own process on a free port, wired to the emulator, and waits
 * until it answers. Another process may grab the port between the probe and the start: then it
 * tries a new one.
 */
export async function startPlatform(emu, cmd, args, cwd) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      const platform = await spawnPlatform(cmd, args, { cwd, env: platformEnv(emu, port), port })
      wire(emu, platform.base)
      return platform
    } catch (e) {
      if (attempt === 3) throw e
    }
  }
}

async function spawnPlatform(cmd, args, { env, cwd, port }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => { output += d })
  child.stderr.on('data', (d) => { output += d })
  const base = `http://127.0.0.1:${port}`
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode}:\n${output}`)
    try {
      return (await fetch(`${base}/store.json`)).ok
    } catch {
      return false
    }
  }, { timeout: 30_000, what: `${cmd} ${args.join(' ')} to listen on ${port}` })
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', resolve)
    child.kill()
  })
  return { base, child, output: () => output, stop }
}

export async function waitFor(check, { timeout = 10_000, interval = 50, what = 'a condition' } = {}) {
  const end = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, interval))
  }
}

export async function getJson(url) {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: ${res.status}`)
  return res.json()
}

/** What the platform page shows after a flow. */
export async function result(page) {
  const main = page.locator('#result')
  await main.waitFor({ timeout: 15_000 })
  const code = await page.locator('#code').count() ? await page.locator('#code').textContent() : null
  return { outcome: await main.getAttribute('data-outcome'), code, text: (await main.textContent()).replace(/\s+/g, ' ').trim() }
}

/**
 * Starts a flow at `start`, and on the emulator's consent page clicks Install/Connect or Cancel.
 * With `hold`, the redirect back to the platform is not followed: its URL is returned unused.
 */
export async function runFlow(page, start, { decision = 'approve', hold = false } = {}) {
  await page.goto(start)
  await page.locator('#consent').waitFor({ timeout: 15_000 })
  let held = null
  if (hold) {
    // Let the emulator answer the consent form, but keep its redirect from being followed.
    const consent = `${new URL(page.url()).origin}/consent/**`
    await page.route(consent, async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 })
      held = answer.headers().location
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="held">held</p>' })
    })
  }
  await page.click(decision === 'approve' ? '#approve' : '#cancel')
  if (hold) {
    await waitFor(() => held, { what: 'the redirect back to the platform' })
    await page.unrouteAll()
    return held
  }
  return result(page)
}
