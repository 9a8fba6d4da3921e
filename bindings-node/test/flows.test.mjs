// ConnectOAuthFlow against the local Stripe emulator (tests/emulator, written from Stripe's
// documents without our core): start → consent → callback → one code exchange → token; a reload
// of the callback is refused before the code is sent again (Stripe would revoke the connection);
// a callback in another session never exchanges; a denial is its own outcome.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { defaultConfig, startEmulator } from '../../tests/emulator/emulator.mjs'
import * as sh from '../index.mjs'

const CALLBACK = 'http://127.0.0.1:9/stripe/oauth/callback' // never fetched: the test reads the redirect
const APP_CALLBACK = 'http://127.0.0.1:9/stripe/callback'
let emu
before(async () => {
  const config = defaultConfig()
  config.platform.redirectUris = [CALLBACK]
  config.app.redirectUris = [APP_CALLBACK]
  emu = await startEmulator({ port: 0, config, log: () => {} })
})
after(async () => { await emu.close() })

const flow = (options = {}) => new sh.ConnectOAuthFlow({
  clientId: emu.config.platform.clientId, secretKey: emu.config.platform.secretKeys.test, redirectUri: CALLBACK,
  allowList: new sh.RedirectAllowList([CALLBACK], { testMode: true }), stateKeys: [{ id: 'k1', key: new Uint8Array(32).fill(4) }],
  store: new sh.MemoryStore(), baseUrl: emu.url, ...options,
})

/** What the browser does: open the link, press a button on the consent page, follow to the callback. */
async function consent(link, decision = 'approve') {
  const page = await (await fetch(link)).text()
  const action = /action="(\/consent\/[\w-]+)"/.exec(page)[1]
  const res = await fetch(new URL(action, emu.url), { method: 'POST', body: new URLSearchParams({ decision }), redirect: 'manual' })
  return res.headers.get('location')
}

const exchanges = async () => (await (await fetch(`${emu.url}/_emulator/log`)).json()).codes.filter((c) => c.used).length

test('start → consent → finish: one exchange, a token; a reload is state_replayed and sends nothing', async () => {
  const f = flow()
  const link = f.start({ sessionId: 'browser-1', data: '/dashboard' })
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?response_type=code&client_id=ca_/)
  const callback = await consent(link)
  assert.ok(callback.startsWith(CALLBACK + '?'), callback)
  const before = await exchanges()
  const r = await f.finish(callback, { sessionId: 'browser-1' })
  assert.equal(r.outcome, 'connected')
  assert.equal(r.token.stripeUserId, emu.config.account.id)
  assert.equal(r.stateData, '/dashboard')
  assert.match(r.token.accessToken, /^\w/)
  assert.equal(await exchanges(), before + 1)
  await assert.rejects(f.finish(callback, { sessionId: 'browser-1' }), (e) => e instanceof sh.StateError && e.code === 'state_replayed')
  assert.equal(await exchanges(), before + 1, 'the code was not sent again')
})

test('another session\'s callback never exchanges; a denial is an outcome; bad options are refused', async () => {
  const f = flow()
  const callback = await consent(f.start({ sessionId: 'victim' }))
  const before = await exchanges()
  await assert.rejects(f.finish(callback, { sessionId: 'attacker' }), { code: 'state_session_mismatch' })
  assert.equal(await exchanges(), before)
  assert.equal((await f.finish(new URL(callback), { sessionId: 'victim' })).outcome, 'connected', 'the victim can still finish (a URL object)')
  const bare = await consent(f.start({ sessionId: 'q' }))
  assert.equal((await f.finish(new URL(bare).search.slice(1), { sessionId: 'q' })).outcome, 'connected', 'a bare query')
  const path = await consent(f.start({ sessionId: 'p' }))
  assert.equal((await f.finish(new URL(path).pathname + new URL(path).search, { sessionId: 'p' })).outcome, 'connected', "a path (Express's req.originalUrl)")
  const denied = await f.finish(await consent(f.start({ sessionId: 's' }), 'cancel'), { sessionId: 's' })
  assert.deepEqual([denied.outcome, denied.kind], ['denied', 'access_denied'])
  assert.throws(() => flow({ store: undefined }), { code: 'invalid_argument' })
  assert.throws(() => flow({ secretKey: 'pk_test_1' }), (e) => e instanceof sh.StripeHandshakeError)
  // A live key for the emulator's test-mode codes: refused by Stripe's answer, typed.
  const live = flow({ secretKey: emu.config.platform.secretKeys.live })
  await assert.rejects(live.finish(await consent(live.start({ sessionId: 's' })), { sessionId: 's' }), (e) => e instanceof sh.OAuthError)
  // With the flow's mode signed into the state, the same mistake is refused before anything is sent.
  const guarded = flow({ secretKey: emu.config.platform.secretKeys.live, mode: 'test' })
  const cb = await consent(guarded.start({ sessionId: 's' }))
  const n = await exchanges()
  await assert.rejects(guarded.finish(cb, { sessionId: 's' }), { code: 'key_mode_mismatch' })
  assert.equal(await exchanges(), n, 'nothing was sent')
})

// StripeAppFlow: both access types, against the same emulator (its app's accessType is set per test).
const appFlow = (options) => new sh.StripeAppFlow({
  redirectUri: APP_CALLBACK, allowList: new sh.RedirectAllowList([APP_CALLBACK], { testMode: true }),
  stateKeys: [{ id: 'k1', key: new Uint8Array(32).fill(5) }], store: new sh.MemoryStore(), baseUrl: emu.url, ...options,
})
const installApp = (options = {}) => appFlow({ accessType: 'install_link', linkId: emu.config.app.linkId, secrets: emu.config.app.appSecret, ...options })
const oauthApp = (options = {}) => appFlow({
  accessType: 'oauth', clientId: emu.config.app.clientId, secretKey: emu.config.app.secretKeys.test, testLinkId: emu.config.app.testLinkId, ...options,
})
const marketplaceCallback = async () => consent(`${emu.url}/apps/marketplace/install?app=${emu.config.app.id}`)

test('StripeAppFlow (install link): signed install for this session; a reload, another session, a tampered account refused', async () => {
  emu.config.app.accessType = 'install_link'
  const f = installApp()
  const link = f.start({ sessionId: 'browser-1', data: 'plan=pro' })
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/apps\/install\/link\/lnk_demo_install\?redirect_uri=/)
  const callback = await consent(link)
  const tampered = callback.replace(/account_id=acct_\w+/, 'account_id=acct_attacker')
  await assert.rejects(f.finish(tampered, { sessionId: 'browser-1' }), { code: 'signature_mismatch' })
  await assert.rejects(f.finish(callback, { sessionId: 'browser-2' }), { code: 'state_session_mismatch' })
  const r = await f.finish(callback, { sessionId: 'browser-1' })
  assert.deepEqual([r.outcome, r.accountId, r.userId, r.stateData], ['installed', emu.config.account.id, emu.config.account.userId, 'plan=pro'])
  await assert.rejects(f.finish(callback, { sessionId: 'browser-1' }), (e) => e instanceof sh.StateError && e.code === 'state_replayed')
  const denied = await f.finish(await consent(f.start({ sessionId: 's' }), 'cancel'), { sessionId: 's' })
  assert.deepEqual([denied.outcome, denied.kind], ['denied', 'access_denied'])
  // From the Marketplace (no state): refused by default, its own outcome when accepted.
  await assert.rejects(f.finish(await marketplaceCallback(), { sessionId: 's' }), { code: 'state_missing' })
  const m = await installApp({ marketplace: 'accept' }).finish(await marketplaceCallback(), { sessionId: 's' })
  assert.deepEqual([m.outcome, m.accountId], ['marketplace_install', emu.config.account.id])
  assert.throws(() => installApp({ secrets: undefined }), { code: 'invalid_argument' })
  assert.throws(() => installApp({ accessType: 'restricted_api_key' }), { code: 'invalid_argument' })
})

test('StripeAppFlow (OAuth app): one exchange per code, for this session; a Marketplace code is one-time too', async () => {
  emu.config.app.accessType = 'oauth'
  try {
    const f = oauthApp({ mode: 'test' })
    const link = f.start({ sessionId: 'browser-1' })
    assert.match(link, /\/oauth\/v2\/chnlink_demo_test\/authorize\?client_id=ca_DemoAppClient&redirect_uri=/)
    const callback = await consent(link)
    await assert.rejects(f.finish(callback, { sessionId: 'browser-2' }), { code: 'state_session_mismatch' })
    const before = await exchanges()
    const r = await f.finish(callback, { sessionId: 'browser-1' })
    assert.deepEqual([r.outcome, r.accountId, r.userId], ['connected', emu.config.account.id, emu.config.account.userId])
    assert.match(r.token.refreshToken, /^rt_/)
    assert.equal(await exchanges(), before + 1)
    await assert.rejects(f.finish(callback, { sessionId: 'browser-1' }), { code: 'state_replayed' })
    assert.equal(await exchanges(), before + 1, 'a reload sends nothing')
    // A live key with a test link's state: refused before the code is sent.
    const wrong = oauthApp({ mode: 'test', secretKey: emu.config.app.secretKeys.live })
    const cb = await consent(wrong.start({ sessionId: 's' }))
    await assert.rejects(wrong.finish(cb, { sessionId: 's' }), { code: 'key_mode_mismatch' })
    assert.equal(await exchanges(), before + 1)
    // The Marketplace: no state, so the code itself is one-time (by its hash, in namespace code).
    const store = new sh.MemoryStore()
    const consumed = []
    const spy = { consume: (ns, id, exp) => { consumed.push([ns, id]); return store.consume(ns, id, exp) } }
    const market = oauthApp({ marketplace: 'accept', store: spy, testLinkId: undefined, secretKey: emu.config.app.secretKeys.test })
    const mcb = await marketplaceCallback()
    await assert.rejects(oauthApp().finish(mcb, { sessionId: 's' }), { code: 'state_missing' })
    const m = await market.finish(mcb, { sessionId: 's' })
    assert.deepEqual([m.outcome, m.accountId], ['marketplace_connected', emu.config.account.id])
    const code = new URL(mcb).searchParams.get('code')
    assert.deepEqual(consumed.map(([ns, id]) => [ns, id.length, id.includes(code)]), [['code', 64, false]], 'the hash, never the code')
    const n = await exchanges()
    await assert.rejects(market.finish(mcb, { sessionId: 's' }), (e) => e instanceof sh.StateError && e.code === 'code_replayed')
    assert.equal(await exchanges(), n, 'a reload of a Marketplace callback sends nothing')
    assert.throws(() => oauthApp({ secretKey: 'pk_test_1' }), (e) => e instanceof sh.StripeHandshakeError)
  } finally {
    emu.config.app.accessType = 'install_link'
  }
})
