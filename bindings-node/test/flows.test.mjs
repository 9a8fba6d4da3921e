// ConnectOAuthFlow against the local Stripe emulator (tests/emulator, written from Stripe's
// documents without our core): start → consent → callback → one code exchange → token; a reload
// of the callback is refused before the code is sent again (Stripe would revoke the connection);
// a callback in another session never exchanges; a denial is its own outcome.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { defaultConfig, startEmulator } from '../../tests/emulator/emulator.mjs'
import * as sh from '../index.mjs'

const CALLBACK = 'http://127.0.0.1:9/stripe/oauth/callback' // never fetched: the test reads the redirect
let emu
before(async () => {
  const config = defaultConfig()
  config.platform.redirectUris = [CALLBACK]
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
