// The one-time stores against what users run: a real Redis and a real PostgreSQL server,
// started by this test on loopback (tests/services/service.sh), with the official clients.
// Concurrent consumes of one id yield exactly one true; expiry works; an outage is a
// StoreError, never a silent accept.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import pg from 'pg'
import * as sh from '../index.mjs'

const SERVICE = fileURLToPath(new URL('../../tests/services/service.sh', import.meta.url))
const T = 1_700_000_000
const running = []

function start(kind) {
  const dir = mkdtempSync(join(tmpdir(), `sh-${kind}-`))
  const port = Number(execFileSync('bash', [SERVICE, 'start', kind, dir], { encoding: 'utf8' }).trim())
  const stop = () => execFileSync('bash', [SERVICE, 'stop', kind, dir])
  running.push(() => { stop(); rmSync(dir, { recursive: true, force: true }) })
  return { port, stop }
}
after(() => { for (const f of running) f() })

async function waitUntil(f) {
  for (let i = 0; i < 100; i++) {
    const v = await f()
    if (v) return v
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('timed out')
}

const isStoreError = (e) => e instanceof sh.StoreError && e.code === 'store_unavailable' && e.family === 'store'

test('memory: first time, then refused until expiry, with an injected clock', () => {
  let t = T
  const s = new sh.MemoryStore({ clock: () => t })
  assert.equal(s.consume('state', 'nonce_a', T + 600), true)
  assert.equal(s.consume('state', 'nonce_a', T + 600), false)
  assert.equal(s.consume('event', 'nonce_a', T + 600), true, 'namespaces are apart')
  s.release('event', 'nonce_a')
  assert.equal(s.consume('event', 'nonce_a', T + 600), true, 'a released entry is the first time again')
  s.extend('event', 'nonce_a', T + 5000)
  s.extend('event', 'never_claimed', T + 5000) // extends only what stands
  t = T + 4000
  assert.equal(s.consume('event', 'nonce_a', T + 9000), false, 'extended: it stands past its first expiry')
  assert.equal(s.consume('event', 'never_claimed', T + 9000), true)
  t = T
  assert.equal(s.consume('state', 'nonce_a', T + 600), false, 'only that entry was released')
  t = T + 600
  assert.equal(s.consume('state', 'nonce_a', T + 1200), false, 'it stands through its last second, as its token verifies')
  t = T + 601
  assert.equal(s.consume('state', 'nonce_a', T + 1200), true, 'an expired entry is forgotten')
  assert.throws(() => s.consume('state', 'a b', T + 700), (e) => e instanceof sh.InvalidInputError && e.code === 'invalid_argument')
  assert.throws(() => s.consume('state', 'n', t - 1), (e) => e.code === 'invalid_argument', 'an entry that has expired protects nothing')
})

test('memory: bounded; full of unexpired entries it refuses (a StoreError), never forgets one', () => {
  let t = T
  const s = new sh.MemoryStore({ maxEntries: 3, clock: () => t })
  for (const id of ['a', 'b', 'c']) assert.equal(s.consume('state', id, T + 10), true)
  assert.throws(() => s.consume('state', 'd', T + 10), isStoreError)
  assert.equal(s.consume('state', 'a', T + 10), false, 'the entries still stand')
  t = T + 11
  assert.equal(s.consume('state', 'd', T + 20), true, 'expired entries are swept to make room')
  assert.equal(s.size, 1)
  // It prunes as it grows, not only when full.
  const big = new sh.MemoryStore({ clock: () => t })
  for (let i = 0; i < 5000; i++) big.consume('event', `evt_${i}`, t + 1)
  t += 2
  for (let i = 0; i < 3000; i++) big.consume('event', `evt_new_${i}`, t + 1)
  assert.ok(big.size < 5000, `expired entries were not swept (${big.size})`)
  assert.throws(() => new sh.MemoryStore({ maxEntries: 0 }), (e) => e.code === 'invalid_argument')
})

test('Redis: SET NX EXAT, concurrent consumes of one id give one true, expiry, outage', async () => {
  const { port, stop } = start('redis')
  const clients = await Promise.all(Array.from({ length: 8 }, () => {
    const c = createClient({ url: `redis://127.0.0.1:${port}`, disableOfflineQueue: true })
    c.on('error', () => {}) // the outage below: a client reports it here, and the store as a StoreError
    return c.connect()
  }))
  try {
    const stores = clients.map((c) => new sh.RedisStore(c))
    const now = Math.floor(Date.now() / 1000)
    const answers = await Promise.all(Array.from({ length: 64 }, (_, i) => stores[i % 8].consume('state', 'same_nonce', now + 600)))
    assert.equal(answers.filter(Boolean).length, 1, 'exactly one first time')
    assert.equal(await stores[0].consume('state', 'other_nonce', now + 600), true)
    await stores[1].release('state', 'other_nonce')
    assert.equal(await stores[0].consume('state', 'other_nonce', now + 600), true, 'released: DEL')
    await stores[1].extend('state', 'other_nonce', now + 5000)
    assert.ok((await clients[0].ttl('stripe-handshake:state:other_nonce')) > 5000, 'extended: SET XX EX')
    await stores[1].extend('state', 'absent_nonce', now + 5000)
    assert.equal(await clients[0].exists('stripe-handshake:state:absent_nonce'), 0, 'XX: nothing created')
    // The key and its TTL are what the core names: through the last second, plus 300 s for clocks.
    assert.equal(await clients[0].get('stripe-handshake:state:same_nonce'), '1')
    const ttl = await clients[0].ttl('stripe-handshake:state:same_nonce')
    assert.ok(ttl > 890 && ttl <= 901, String(ttl))
    const prefixed = new sh.RedisStore(clients[1], { prefix: 'app1:' })
    assert.equal(await prefixed.consume('state', 'same_nonce', now + 600), true, 'another prefix is another key space')
    // The TTL is counted from this process's clock, never Redis's: a process 1000 s behind
    // keeps the key 1000 s longer (a Redis clock ahead cannot drop a nonce early).
    const behind = new sh.RedisStore(clients[2], { clock: () => now - 1000 })
    assert.equal(await behind.consume('event', 'evt_clock', now + 600), true)
    const ttlBehind = await clients[0].ttl('stripe-handshake:event:evt_clock')
    assert.ok(ttlBehind > 1890 && ttlBehind <= 1901, String(ttlBehind))
    // Redis forgets a key at its TTL (the expiry itself is Redis's: shown with PEXPIRE).
    assert.equal(await stores[0].consume('event', 'evt_short', now + 60), true)
    await clients[0].pExpire('stripe-handshake:event:evt_short', 50)
    await new Promise((r) => setTimeout(r, 150))
    assert.equal(await stores[0].consume('event', 'evt_short', now + 60), true)
    // ioredis's shape (call) works the same way.
    const viaCall = new sh.RedisStore({ call: (...args) => clients[2].sendCommand(args) })
    assert.equal(await viaCall.consume('state', 'same_nonce', now + 600), false)
    // A reply that is not a SET answer is refused.
    const broken = new sh.RedisStore({ sendCommand: async () => 1 })
    await assert.rejects(broken.consume('state', 'x', now + 60), isStoreError)
    // Outage: the server stops; consume rejects with a StoreError.
    stop()
    await assert.rejects(stores[3].consume('state', 'after_outage', now + 600), isStoreError)
    // A client that queues commands while reconnecting is cut off by the timeout.
    const hanging = new sh.RedisStore({ sendCommand: () => new Promise(() => {}) }, { timeoutMs: 50 })
    await assert.rejects(hanging.consume('state', 'x', now + 60), isStoreError)
  } finally {
    for (const c of clients) c.destroy()
  }
})

test('PostgreSQL: INSERT ON CONFLICT, concurrent consumes give one true, expiry re-arms, prune, outage', async () => {
  const { port, stop } = start('postgres')
  const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 16 })
  pool.on('error', () => {}) // idle clients see the outage below; the test asserts on consume
  let t = T
  const store = new sh.PostgresStore(pool, { clock: () => t, pruneEvery: 1_000_000 })
  try {
    await store.init()
    await store.init() // idempotent
    const answers = await Promise.all(Array.from({ length: 48 }, () => store.consume('state', 'same_nonce', T + 600)))
    assert.equal(answers.filter(Boolean).length, 1, 'exactly one first time')
    assert.equal(await store.consume('event', 'same_nonce', T + 600), true, 'namespaces are apart')
    await store.release('event', 'same_nonce')
    assert.equal(await store.consume('event', 'same_nonce', T + 600), true, 'released: DELETE')
    assert.equal(await store.consume('event', 'extended', T + 600), true)
    await store.extend('event', 'extended', T + 700)
    const ext = await pool.query("SELECT expires_at::int AS e FROM stripe_handshake_one_time WHERE namespace = 'event' AND id = 'extended'")
    assert.equal(ext.rows[0].e, T + 700, 'extended: UPDATE')
    await store.release('event', 'extended')
    assert.equal(await store.consume('state', 'same_nonce', T + 600), false)
    t = T + 600
    assert.equal(await store.consume('state', 'same_nonce', T + 1200), false, 'it stands through its last second')
    t = T + 601
    assert.equal(await store.consume('state', 'same_nonce', T + 1200), true, 'an expired entry re-arms')
    assert.equal(await store.consume('state', 'same_nonce', T + 1200), false)
    for (let i = 0; i < 20; i++) await store.consume('event', `evt_${i}`, t + 5)
    t += 6
    assert.equal(await store.prune(), 0, 'expired, but within the clocks\' grace: kept for a server whose clock is behind')
    t += 300
    assert.equal(await store.prune(), 21, 'the events and the first event entry, expired for longer than the grace')
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM stripe_handshake_one_time')
    assert.equal(rows[0].n, 1)
    // Pruning as it goes, in the background.
    const pruning = new sh.PostgresStore(pool, { clock: () => t, pruneEvery: 3, table: 'sh_pruning' })
    await pruning.init()
    await pruning.consume('event', 'a', t + 1)
    t += 302
    await pruning.consume('event', 'b', t + 1)
    await pruning.consume('event', 'c', t + 1) // the third consume prunes 'a'
    const left = await waitUntil(async () => {
      const r = (await pool.query('SELECT id FROM sh_pruning ORDER BY id')).rows.map((x) => x.id)
      return r.length === 2 && r
    })
    assert.deepEqual(left, ['b', 'c'])
    // A failing prune never turns an answer into an error.
    let queries = 0
    const flaky = new sh.PostgresStore({ query: async (sql) => { if (++queries > 1 && sql.startsWith('DELETE')) throw new Error('lost'); return { rowCount: sql.startsWith('DELETE') ? 0 : 1 } } }, { pruneEvery: 1 })
    assert.equal(await flaky.consume('state', 'n1', Math.floor(Date.now() / 1000) + 60), true)
    assert.equal(await flaky.consume('state', 'n2', Math.floor(Date.now() / 1000) + 60), true)
    assert.throws(() => new sh.PostgresStore(pool, { table: 'x; DROP TABLE y' }), (e) => e.code === 'invalid_argument')
    stop()
    await assert.rejects(store.consume('state', 'after_outage', t + 600), isStoreError)
  } finally {
    await pool.end().catch(() => {})
  }
})
