// State tokens are one-time by default: a verifier given state keys needs a store (the nonce
// is consumed before the result is returned) or the explicit `replay: 'unchecked'`. A reload of
// the callback page is then state_replayed, a broken or failing store a StoreError, and a
// refused callback never burns the nonce (or an attacker could spend the victim's link).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as sh from '../index.mjs'

const keys = [{ id: 'k1', key: new Uint8Array(32).fill(9) }]
const session = 'session-1'
const token = (flow = 'connect_oauth') => sh.issueStateToken({ keys, flow, sessionId: session })
const query = (state) => `code=ac_OneTime&scope=read_write&state=${encodeURIComponent(state)}`
const base = { flow: 'connect_oauth', stateKeys: keys, sessionId: session }

/** A store that records what it was asked. */
function recording(answer = (calls) => calls.length === 1) {
  const calls = []
  return { calls, consume(namespace, id, expiresAt) { calls.push([namespace, id, expiresAt]); return answer(calls) } }
}

test('state keys without a store or replay: a typed refusal that says what to pass', async () => {
  assert.throws(() => sh.verifyOAuthCallback(query(token()), base), (e) => e instanceof sh.InvalidInputError && e.code === 'invalid_argument' && /store/.test(e.message))
  const r = sh.verifyOAuthCallback(query(token()), { ...base, replay: 'unchecked' })
  assert.equal(r.outcome, 'authorized', 'the opt-out is explicit and synchronous')
  assert.throws(() => sh.verifyOAuthCallback(query(token()), { ...base, replay: 'yes' }), { code: 'invalid_argument' })
  // A plain state is the session's to make one-time: no store needed, and a store is refused.
  assert.equal(sh.verifyOAuthCallback(query('plain'), { flow: 'connect_oauth', expectedState: 'plain' }).outcome, 'authorized')
  await assert.rejects(sh.verifyOAuthCallback(query('plain'), { flow: 'connect_oauth', expectedState: 'plain', store: new sh.MemoryStore() }),
    { code: 'invalid_argument' })
})

test('with a store: the first use resolves, a reload is state_replayed, and the store saw the nonce and expiry', async () => {
  const store = new sh.MemoryStore()
  const t = token()
  const first = sh.verifyOAuthCallback(query(t), { ...base, store })
  assert.ok(first instanceof Promise)
  const r = await first
  assert.equal(r.outcome, 'authorized')
  assert.equal(r.code, 'ac_OneTime')
  assert.ok(r.stateExpiresAt > Date.now() / 1000 + 590)
  await assert.rejects(sh.verifyOAuthCallback(query(t), { ...base, store }), (e) => e instanceof sh.StateError && e.code === 'state_replayed')
  const rec = recording()
  await sh.verifyOAuthCallback(query(t), { ...base, store: rec })
  assert.deepEqual(rec.calls, [['state', r.stateNonce, r.stateExpiresAt]])
  // An async store (Redis, PostgreSQL) the same way.
  const asyncStore = { consume: async () => false }
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: asyncStore }), { code: 'state_replayed' })
})

test('a refused callback does not burn the nonce: another session, a tampered state, a denial', async () => {
  const rec = recording()
  const t = token()
  await assert.rejects(sh.verifyOAuthCallback(query(t), { ...base, sessionId: 'attacker', store: rec }), { code: 'state_session_mismatch' })
  await assert.rejects(sh.verifyOAuthCallback(query(t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA')), { ...base, store: rec }), (e) => e instanceof sh.StateError)
  const denied = await sh.verifyOAuthCallback(`error=access_denied&state=${t}`, { ...base, store: rec })
  assert.equal(denied.outcome, 'denied')
  assert.deepEqual(rec.calls, [], 'the store was never asked')
  assert.equal((await sh.verifyOAuthCallback(query(t), { ...base, store: rec })).outcome, 'authorized', 'the victim can still finish')
})

test('a failing or broken store is a StoreError, never an accept', async () => {
  const boom = new Error('ECONNREFUSED')
  const failing = { consume: () => { throw boom } }
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: failing }),
    (e) => e instanceof sh.StoreError && e.code === 'store_unavailable' && e.cause.message === 'the store failed: Error')
  // The cause says what failed, never what it carried (a client's error can hold the key: a nonce).
  const leaky = Object.assign(new Error('ERR while writing stripe-handshake:state:SECRETNONCE'), { name: 'ReplyError', code: 'ERR' })
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: { consume: () => { throw leaky } } }),
    (e) => e.cause.message === 'the store failed: ReplyError (ERR)' && !String(e.stack).includes('SECRETNONCE') && !e.message.includes('SECRETNONCE'))
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: { consume: async () => { throw boom } } }), { code: 'store_unavailable' })
  for (const answer of ['OK', 1, undefined, null, {}]) {
    await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: { consume: () => answer } }), { code: 'store_unavailable' }, String(answer))
  }
  // Not a store at all: refused before anything is checked.
  for (const store of [{}, true, 'redis://x', 5]) {
    await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store }), { code: 'invalid_argument' }, String(store))
  }
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: new sh.MemoryStore(), replay: 'unchecked' }), { code: 'invalid_argument' })
})

test('every verifier of state tokens is one-time: install, Apps, Account Links, the token check', async () => {
  const store = new sh.MemoryStore()
  const now = Math.floor(Date.now() / 1000)
  // An install redirect, signed as Stripe signs it.
  const state = token('install_link')
  const payload = sh.installPayload({ state, userId: 'usr_1', accountId: 'acct_1' })
  const sig = sh.signHeader(payload, 'absec_one_time', now)
  const install = `user_id=usr_1&account_id=acct_1&state=${encodeURIComponent(state)}&install_signature=${encodeURIComponent(sig)}`
  const io = { secrets: 'absec_one_time', stateKeys: keys, sessionId: session, store }
  assert.equal((await sh.verifyInstallCallback(install, io)).outcome, 'installed')
  await assert.rejects(sh.verifyInstallCallback(install, io), { code: 'state_replayed' })
  assert.throws(() => sh.verifyInstallCallback(install, { ...io, store: undefined }), { code: 'invalid_argument' })
  const apps = `code=ac_1&user_id=usr_1&account_id=acct_1&state=${encodeURIComponent(token('apps_oauth'))}`
  const ao = { accessType: 'oauth', stateKeys: keys, sessionId: session, store }
  assert.equal((await sh.verifyAppCallback(apps, ao)).outcome, 'authorized')
  await assert.rejects(sh.verifyAppCallback(apps, ao), { code: 'state_replayed' })
  const link = sh.issueStateToken({ keys, flow: 'account_link', sessionId: session, data: 'acct_1', ttlSecs: 86400 })
  const lo = { kind: 'return', stateKeys: keys, sessionId: session, store }
  assert.equal((await sh.verifyAccountLinkCallback(`state=${encodeURIComponent(link)}`, lo)).accountId, 'acct_1')
  await assert.rejects(sh.verifyAccountLinkCallback(`state=${encodeURIComponent(link)}`, lo), { code: 'state_replayed' })
  const t = token()
  const to = { keys, sessionId: session, flow: 'connect_oauth', store }
  assert.equal((await sh.verifyStateToken(t, to)).flow, 'connect_oauth')
  await assert.rejects(sh.verifyStateToken(t, to), { code: 'state_replayed' })
  assert.throws(() => sh.verifyStateToken(t, { keys, sessionId: session, flow: 'connect_oauth' }), { code: 'invalid_argument' })
})

test('a store cannot be forged: no option value says "consumed", and a getter is read once', async () => {
  // `store: true` (or any non-store) reaches the core, which refuses it by name.
  await assert.rejects(sh.verifyOAuthCallback(query(token()), { ...base, store: true }), { code: 'invalid_argument' })
  // A getter that answers "no store" first and a store second is read once, from a copy.
  const rec = recording()
  let reads = 0
  const tricky = { ...base }
  Object.defineProperty(tricky, 'store', { enumerable: true, get: () => (++reads === 1 ? rec : undefined) })
  const t = token()
  assert.equal((await sh.verifyOAuthCallback(query(t), tricky)).outcome, 'authorized')
  assert.deepEqual([reads, rec.calls.length], [1, 1], 'read once, consumed once')
  let reads2 = 0
  const tricky2 = { ...base }
  Object.defineProperty(tricky2, 'store', { enumerable: true, get: () => (++reads2 === 1 ? undefined : rec) })
  assert.throws(() => sh.verifyOAuthCallback(query(token()), tricky2), { code: 'invalid_argument' }, 'no store seen: refused, not consumed elsewhere')
})

