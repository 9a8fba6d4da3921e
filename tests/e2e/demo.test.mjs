// The demo's pages in Chromium: the trace panel says what the library checked (the signed bytes,
// the time window, the state token read back), each failure button gets its refusal and stable
// code with the diagnosis, and no page ever shows a secret, a token or a code. A screenshot of
// each page goes to target/demo-screenshots/ (at 1280 px, and at a phone's 390 px) for review.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { launchBrowser, getJson, root, waitFor, NOTIFICATION_SECRET, WEBHOOK_SECRET } from './harness.mjs'
import { startDemo } from './demo/app.mjs'

const shots = fileURLToPath(new URL('target/demo-screenshots/', root))
let demo, browser, page, phone
before(async () => {
  mkdirSync(shots, { recursive: true })
  demo = await startDemo({ port: 0, stripePort: 0 })
  browser = await launchBrowser()
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage()
})
after(async () => {
  await browser?.close()
  await demo?.close()
})

/** Everything secret the emulator and platform hold: no page may contain any of it. */
async function secrets() {
  const log = await getJson(`${demo.emu.url}/_emulator/log`)
  const { app, platform } = demo.emu.config
  return [app.appSecret, ...Object.values(app.secretKeys), ...Object.values(platform.secretKeys), WEBHOOK_SECRET, NOTIFICATION_SECRET,
    ...log.codes.map((c) => c.code), ...log.grants.flatMap((g) => g.tokens)].filter(Boolean)
}

async function shot(name) {
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true })
  // The same page on a phone: the layout must not overflow sideways.
  // The same page at a phone's width: its HTML loads nothing else, so it renders alone (a
  // callback page could not be requested twice).
  await phone.setContent(await page.content())
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 1, `${name}: the page is ${overflow} px wider than a 390 px phone`)
  await phone.screenshot({ path: `${shots}${name}-phone.png`, fullPage: true })
}

async function noSecrets(name) {
  const html = await page.content()
  for (const s of await secrets()) assert.ok(!html.includes(s), `${name}: the page shows a secret (${s.slice(0, 8)}…)`)
  // The state token itself is a credential: its length is shown, never its text.
  assert.doesNotMatch(html, /AgJrMQ[A-Za-z0-9_-]{20,}/, `${name}: a state token is on the page`)
}

const text = async (sel) => (await page.locator(sel).first().innerText()).replace(/\s+/g, ' ').trim()
const outcome = async () => {
  await page.locator('#result').waitFor({ timeout: 15_000 })
  return page.locator('#result').getAttribute('data-outcome')
}
/** From the home page: press `button`; on Stripe's consent page (when the flow has one) approve. */
async function press(button, { consent = false } = {}) {
  await page.goto(`${demo.base}/`)
  await page.click(button)
  if (consent) {
    await page.locator('#consent').waitFor()
    await page.click('#approve')
  }
  return outcome()
}
const stepCalls = async () => page.locator('#trace .step').evaluateAll((els) => els.map((e) => `${e.dataset.call}:${e.classList.contains('refused') ? 'refused' : e.classList.contains('info') ? 'info' : 'ok'}`))
const marks = async () => page.locator('#trace svg .msg').evaluateAll((els) => els.map((e) => `${e.dataset.n}:${e.classList[1]}`))
const findings = async () => page.locator('#trace .findings li').evaluateAll((els) => els.map((e) => e.dataset.code))

test('the home page: the diagram from the README, the failure buttons, the store linked', async () => {
  await page.goto(`${demo.base}/`)
  assert.equal(await page.locator('#trace svg.sequence').count(), 2) // install link, OAuth
  assert.equal(await page.locator('#failures button').count(), 5)
  assert.equal(await page.locator('#store-link').getAttribute('href'), '/store.json')
  // Nothing loads from elsewhere: no external script, style, image or font.
  const external = await page.evaluate(() => [...document.querySelectorAll('[src],link[href]')].map((e) => e.src || e.href))
  assert.deepEqual(external, [])
  await shot('01-home')
})

test('the emulator says what it is at its root', async () => {
  const res = await fetch(`${demo.emu.url}/`)
  assert.equal(res.status, 200)
  assert.match(await res.text(), /<h1>Stripe emulator<\/h1>/)
})

test('install: the link and its state, the signed bytes, the window, the secret that matched', async () => {
  assert.equal(await press('#install', { consent: true }), 'installed')
  assert.deepEqual(await stepCalls(), ['installLink:ok', 'verifyInstallCallback:ok', 'store:ok'])
  assert.match(await text('#state-binding'), /^bound to this browser session/)
  assert.equal(await text('#state-version'), '2')
  assert.match(await text('#state-expiry'), /600 s after issue$/)
  // The exact bytes, state hidden by its length, checked again over those bytes.
  const signed = await text('#signed-bytes')
  assert.match(signed, /^\{"state":"\[state token, \d+ chars\]","user_id":"usr_1EmuLatedUser","account_id":"acct_1EmuLatedAccount"\}/)
  assert.match(signed, /verifySignature over exactly these \d+ bytes: verified with secret #0/)
  const w = /^\|now − t\| = \|(\d+) − (\d+)\| = (\d+) s ≤ 300 s$/.exec(await text('#window'))
  assert.ok(w, await text('#window'))
  assert.equal(Math.abs(Number(w[1]) - Number(w[2])), Number(w[3]))
  assert.match(await text('#secret-index'), /^secret #0 /)
  assert.deepEqual(await marks(), ['1:done', '2:done', '3:done', '4:done', '5:done', '6:done'])
  await noSecrets('install')
  await shot('02-installed')
})

test('replay: the same callback again is refused with state_replayed, and the diagnosis says why', async () => {
  assert.equal(await press('#fail-replay'), 'rejected')
  assert.equal(await text('#code'), 'state_replayed')
  assert.equal(await text('#refusal-code'), 'state_replayed')
  assert.deepEqual(await findings(), ['flow_install_link', 'state_ok', 'install_signature_ok', 'one_time_store'])
  assert.deepEqual((await marks()).at(-1), '6:refused')
  await noSecrets('replay')
  await shot('03-replayed')
})

test('tamper: another account_id breaks install_signature', async () => {
  assert.equal(await press('#fail-tamper'), 'rejected')
  assert.equal(await text('#code'), 'signature_mismatch')
  assert.ok((await findings()).includes('install_signature_mismatch'))
  assert.equal(demo.store.installs.acct_1AttackersAccount, undefined)
  await noSecrets('tamper')
  await shot('04-tampered')
})

test('another browser session: the state is bound to the session that started the flow', async () => {
  assert.equal(await press('#fail-session', { consent: true }), 'rejected')
  assert.equal(await text('#code'), 'state_session_mismatch')
  assert.match(await text('#state-binding-other'), /^bound to another browser session/)
  assert.ok((await findings()).includes('state_other_session'))
  await noSecrets('session')
  await shot('05-other-session')
})

test('connect, refresh, disconnect: the token request redacted, the webhook verified', async () => {
  assert.equal(await press('#connect', { consent: true }), 'connected')
  assert.deepEqual(await stepCalls(), ['connectOAuthLink:ok', 'verifyOAuthCallback:ok', 'codeExchangeRequest:ok', 'parseTokenResponse:ok', 'store:ok'])
  const exchange = await text('#trace .step[data-call="codeExchangeRequest"]')
  assert.match(exchange, /POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token/)
  assert.match(exchange, /Authorization Basic \[redacted\]/)
  assert.match(exchange, /grant_type=authorization_code code=\[redacted\]/)
  assert.match(await text('#trace .step[data-call="parseTokenResponse"]'), /accessToken \[redacted\] refreshToken \[redacted\]/)
  await noSecrets('connected')
  await shot('06-connected')

  assert.equal(await press('#refresh'), 'refreshed')
  assert.match(await text('#trace .step[data-call="refreshRequest"]'), /grant_type=refresh_token refresh_token=\[redacted\]/)
  await noSecrets('refreshed')

  assert.equal(await press('#deauthorize'), 'disconnected')
  await waitFor(() => demo.store.notifications.length > 0, { what: 'the event notification' })
  await page.goto(`${demo.base}/`)
  const calls = await stepCalls()
  for (const c of ['deauthorizeRequest:ok', 'parseDeauthorizeResponse:ok', 'verifyWebhook:ok', 'verifyEventNotification:ok', 'fetchEventRequest:ok']) assert.ok(calls.includes(c), `${c} in ${calls}`)
  assert.match(await text('#trace .step[data-call="verifyWebhook"]'), /account\.application\.deauthorized.*Window \|now − t\| = \|\d+ − \d+\| = \d+ s ≤ 300 s Secret secret #0 /)
  await noSecrets('disconnected')
  await shot('07-disconnected')
})

test('a webhook signed with the wrong secret: 400 signature_mismatch, diagnosed as wrong_secret', async () => {
  await page.goto(`${demo.base}/`)
  const before = demo.store.events.length
  await page.click('#fail-webhook')
  assert.equal(await outcome(), 'rejected')
  assert.equal(await text('#code'), 'signature_mismatch')
  assert.deepEqual(await findings(), ['wrong_secret'])
  assert.equal(demo.store.events.length, before, 'a forged event was acted on')
  await noSecrets('forged webhook')
  await shot('08-forged-webhook')
})

test('past the state\'s expiry (the emulator\'s clock moved): state_expired', async () => {
  assert.equal(await press('#fail-expired', { consent: true }), 'rejected')
  assert.equal(await text('#code'), 'state_expired')
  assert.ok((await findings()).includes('state_expired'))
  assert.ok((await stepCalls()).includes('POST /_emulator/advance:info'))
  await noSecrets('expired')
  await shot('09-expired')

  // Time moved for both sides: a new install still verifies (the signature carries the same clock).
  assert.equal(await press('#install', { consent: true }), 'installed')
})

test('the failure buttons are refused from another site, like every form (CSRF)', async () => {
  const res = await fetch(`${demo.base}/demo/expire`, { method: 'POST', headers: { Origin: 'https://evil.example' } })
  assert.equal(res.status, 400)
  assert.match(await res.text(), /cross_origin/)
})
