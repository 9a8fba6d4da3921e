// The webhook route adapters in the frameworks themselves: a real Express app and a Web-standard
// (Request → Response) server on loopback, real HTTP requests, and the real `stripe` package
// signing the deliveries. Including the mistake the adapter exists for: a JSON body parser
// mounted before the route.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import express from 'express'
import Fastify from 'fastify'
import Stripe from 'stripe'
import * as sh from '../index.mjs'

const stripe = new Stripe('sk_test_adapters_only', { maxNetworkRetries: 0 })
const SECRET = 'whsec_adapter_tests'
const event = (id, type = 'account.application.deauthorized') => JSON.stringify({
  id, object: 'event', type, account: 'acct_1', livemode: false, created: 1, api_version: '2025-01-01',
  data: { object: { id: 'ca_1', object: 'application' } },
}, null, 2) // pretty-printed, as Stripe sends it
const signed = (body, secret = SECRET) => stripe.webhooks.generateTestHeaderString({ payload: body, secret })

async function listen(app) {
  const server = createServer(app)
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } })
  return { status: res.status, body: await res.json().catch(() => null) }
}

function harness() {
  const seen = []
  let fail = false
  const store = new sh.MemoryStore()
  const options = { secrets: SECRET, store, onEvent: (e) => { if (fail) throw new Error('handler down'); seen.push(e.id) }, onError: () => {} }
  return { seen, store, options, failNext: (v) => { fail = v } }
}

test('Express: a delivery is verified and acted on once; a retry is acknowledged without effect', async () => {
  const h = harness()
  const app = express()
  app.post('/stripe/webhook', sh.expressWebhook(h.options))
  app.use(express.json()) // elsewhere in the app: cannot reach the webhook route, mounted first
  app.post('/other', (req, res) => res.json(req.body))
  const s = await listen(app)
  try {
    const body = event('evt_express_1')
    const header = signed(body)
    assert.deepEqual(await post(`${s.url}/stripe/webhook`, body, { 'Stripe-Signature': header }), { status: 200, body: { received: true } })
    assert.deepEqual(await post(`${s.url}/stripe/webhook`, body, { 'Stripe-Signature': header }), { status: 200, body: { received: true } })
    assert.deepEqual(h.seen, ['evt_express_1'])
    // Reject twins: another secret, a changed body, no header, a thin event at a snapshot route.
    assert.deepEqual(await post(`${s.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body, 'whsec_other') }), { status: 400, body: { error: 'signature_mismatch' } })
    assert.equal((await post(`${s.url}/stripe/webhook`, JSON.stringify(JSON.parse(body)), { 'Stripe-Signature': header })).body.error, 'signature_mismatch')
    assert.equal((await post(`${s.url}/stripe/webhook`, body)).body.error, 'missing_header')
    const thin = JSON.stringify({ id: 'evt_thin', object: 'v2.core.event', type: 'v1.account.application.deauthorized', livemode: false, created: '2025-01-01T00:00:00Z' })
    assert.equal((await post(`${s.url}/stripe/webhook`, thin, { 'Stripe-Signature': signed(thin) })).body.error, 'event_notification_given')
    assert.deepEqual(h.seen, ['evt_express_1'])
    // Over the cap: 413, and the connection is closed.
    const big = '{"x":"' + 'a'.repeat(sh.MAX_WEBHOOK_BODY) + '"}'
    assert.equal((await post(`${s.url}/stripe/webhook`, big, { 'Stripe-Signature': signed(big) })).status, 413)
    assert.deepEqual(await post(`${s.url}/other`, '{"a":1}'), { status: 200, body: { a: 1 } }, 'the rest of the app still parses JSON')
  } finally {
    await s.close()
  }
})

test('Express: after express.json() the bytes are gone, and the route says so (500 body_already_parsed); kept raw bytes work', async () => {
  const h = harness()
  const wrong = express()
  wrong.use(express.json()) // the most common webhook failure in every Stripe SDK's tracker
  wrong.post('/stripe/webhook', sh.expressWebhook(h.options))
  const kept = express()
  kept.use(express.json({ verify: (req, res, buf) => { req.rawBody = buf } }))
  kept.post('/stripe/webhook', sh.expressWebhook(h.options))
  const raw = express()
  raw.post('/stripe/webhook', express.raw({ type: 'application/json' }), sh.expressWebhook(h.options))
  const [a, b, c] = await Promise.all([listen(wrong), listen(kept), listen(raw)])
  try {
    const body = event('evt_parsed')
    const r = await post(`${a.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body) })
    assert.equal(r.status, 500, 'a 500 so that Stripe delivers again once the route is fixed')
    assert.equal(r.body.error, 'body_already_parsed')
    assert.match(r.body.message, /express\.json/)
    assert.deepEqual(h.seen, [])
    assert.equal((await post(`${b.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body) })).status, 200)
    const body2 = event('evt_raw')
    assert.equal((await post(`${c.url}/stripe/webhook`, body2, { 'Stripe-Signature': signed(body2) })).status, 200)
    assert.deepEqual(h.seen, ['evt_parsed', 'evt_raw'])
  } finally {
    await Promise.all([a.close(), b.close(), c.close()])
  }
})

test('Express: a failing handler answers 500 and releases the event, so Stripe\'s retry is acted on; a failing store is 503', async () => {
  const h = harness()
  const app = express()
  app.post('/stripe/webhook', sh.expressWebhook(h.options))
  const broken = express()
  broken.post('/stripe/webhook', sh.expressWebhook({ ...h.options, store: { consume: async () => { throw new Error('ECONNREFUSED') } } }))
  const [s, t] = await Promise.all([listen(app), listen(broken)])
  try {
    const body = event('evt_retry')
    h.failNext(true)
    assert.equal((await post(`${s.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body) })).body.error, 'handler_failed')
    h.failNext(false)
    assert.equal((await post(`${s.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body) })).status, 200)
    assert.deepEqual(h.seen, ['evt_retry'])
    // An onError that throws never skips the release.
    const h2 = harness()
    const loud = express()
    loud.post('/stripe/webhook', sh.expressWebhook({ ...h2.options, onError: () => { throw new Error('logger down') } }))
    const u = await listen(loud)
    const again = event('evt_loud')
    h2.failNext(true)
    assert.equal((await post(`${u.url}/stripe/webhook`, again, { 'Stripe-Signature': signed(again) })).status, 500)
    h2.failNext(false)
    assert.equal((await post(`${u.url}/stripe/webhook`, again, { 'Stripe-Signature': signed(again) })).status, 200)
    assert.deepEqual(h2.seen, ['evt_loud'])
    await u.close()
    const r = await post(`${t.url}/stripe/webhook`, body, { 'Stripe-Signature': signed(body) })
    assert.deepEqual([r.status, r.body.error], [503, 'store_unavailable'])
    assert.throws(() => sh.expressWebhook({ secrets: SECRET, onEvent: () => {} }), { code: 'invalid_argument' }, 'a store is required')
    assert.throws(() => sh.expressWebhook({ secrets: SECRET, store: h.store }), { code: 'invalid_argument' })
    assert.throws(() => sh.expressWebhook({ secrets: '', store: h.store, onEvent: () => {} }), { code: 'invalid_secret' })
  } finally {
    await Promise.all([s.close(), t.close()])
  }
})

test('an event is claimed for a lease, then kept for the retention once handled (a crash lets the lease lapse)', async () => {
  const calls = []
  const inner = new sh.MemoryStore()
  const spy = {
    consume: (ns, id, exp) => { calls.push(['consume', exp - Math.floor(Date.now() / 1000)]); return inner.consume(ns, id, exp) },
    release: (ns, id) => { calls.push(['release']); return inner.release(ns, id) },
    extend: (ns, id, exp) => { calls.push(['extend', exp - Math.floor(Date.now() / 1000)]); return inner.extend(ns, id, exp) },
  }
  let fail = false
  const handler = sh.webhookHandler({ secrets: SECRET, store: spy, onEvent: () => { if (fail) throw new Error('down') }, onError: () => {} })
  const body = event('evt_lease')
  const call = () => handler(new Request('http://x/', { method: 'POST', body, headers: { 'Stripe-Signature': signed(body) } }))
  assert.equal((await call()).status, 200)
  const near = (a, b) => Math.abs(a - b) <= 2
  assert.deepEqual(calls.map((c) => c[0]), ['consume', 'extend'])
  assert.ok(near(calls[0][1], sh.EVENT_LEASE_SECS) && near(calls[1][1], sh.EVENT_RETENTION_SECS), JSON.stringify(calls))
  calls.length = 0
  const body2 = event('evt_lease_fail')
  fail = true
  assert.equal((await handler(new Request('http://x/', { method: 'POST', body: body2, headers: { 'Stripe-Signature': signed(body2) } }))).status, 500)
  assert.deepEqual(calls.map((c) => c[0]), ['consume', 'release'], 'a failed handler is released, never extended')
})

test('Web-standard handler (Request → Response, as Next.js, Hono, Bun and Workers call it) on a loopback server', async () => {
  const h = harness()
  const handler = sh.webhookHandler(h.options)
  const thinSeen = []
  const thinHandler = sh.webhookHandler({ ...h.options, kind: 'thin', onEvent: (n) => { thinSeen.push([n.id, n.type]) } })
  // A server that hands the route a real Request, as the edge runtimes do.
  const s = await listen(async (req, res) => {
    const body = req.method === 'POST' ? Readable.toWeb(req) : undefined
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body, duplex: 'half' })
    const response = await (req.url === '/thin' ? thinHandler : handler)(request)
    res.writeHead(response.status, [...response.headers].flat())
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  try {
    const body = event('evt_web')
    assert.equal((await post(`${s.url}/hook`, body, { 'Stripe-Signature': signed(body) })).status, 200)
    assert.equal((await post(`${s.url}/hook`, body, { 'Stripe-Signature': signed(body) })).status, 200)
    assert.deepEqual(h.seen, ['evt_web'])
    assert.equal((await post(`${s.url}/hook`, body, { 'Stripe-Signature': 't=1,v1=00' })).status, 400)
    const thin = JSON.stringify({ id: 'evt_thin_web', object: 'v2.core.event', type: 'v1.account.application.deauthorized', livemode: false, created: '2025-01-01T00:00:00Z', context: 'acct_1' })
    assert.equal((await post(`${s.url}/thin`, thin, { 'Stripe-Signature': signed(thin) })).status, 200)
    assert.deepEqual(thinSeen, [['evt_thin_web', 'v1.account.application.deauthorized']])
    assert.equal((await post(`${s.url}/thin`, body, { 'Stripe-Signature': signed(body) })).body.error, 'snapshot_event_given')
    // A body already read by the framework (await request.json() first) is named, not a mismatch.
    const used = new Request('http://x/', { method: 'POST', body })
    await used.text()
    const r = await handler(used)
    assert.deepEqual([r.status, (await r.json()).error], [500, 'body_already_parsed'])
    const big = new Request('http://x/', { method: 'POST', body: 'a'.repeat(sh.MAX_WEBHOOK_BODY + 1) })
    assert.equal((await handler(big)).status, 413)
  } finally {
    await s.close()
  }
})

test('Fastify: the plugin\'s route gets the raw bytes while the rest of the app keeps Fastify\'s JSON parser', async () => {
  const h = harness()
  const app = Fastify()
  app.post('/other', async (request) => request.body) // Fastify parses JSON here, as by default
  await app.register(sh.fastifyWebhook({ ...h.options, path: '/stripe/webhook' }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${app.server.address().port}`
  try {
    const body = event('evt_fastify')
    const header = signed(body)
    assert.deepEqual(await post(`${url}/stripe/webhook`, body, { 'Stripe-Signature': header }), { status: 200, body: { received: true } })
    assert.deepEqual(await post(`${url}/stripe/webhook`, body, { 'Stripe-Signature': header }), { status: 200, body: { received: true } })
    assert.deepEqual(h.seen, ['evt_fastify'])
    assert.equal((await post(`${url}/stripe/webhook`, JSON.stringify(JSON.parse(body)), { 'Stripe-Signature': header })).body.error, 'signature_mismatch')
    const big = '{"x":"' + 'a'.repeat(sh.MAX_WEBHOOK_BODY) + '"}'
    assert.deepEqual((await post(`${url}/stripe/webhook`, big, { 'Stripe-Signature': signed(big) })).status, 413)
    assert.deepEqual(await post(`${url}/other`, '{"a":1}'), { status: 200, body: { a: 1 } }, 'the rest of the app still parses JSON')
    assert.throws(() => sh.fastifyWebhook({ ...h.options }), { code: 'invalid_argument' }, 'a path is required')
  } finally {
    await app.close()
  }
})

test('now: the clock of the check (a delivery signed at a fixed time), refused off that clock; a clock that is not a function is refused', async () => {
  const h = harness()
  const t = 1_700_000_000
  const body = event('evt_clock')
  const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: t })
  const request = () => new Request('http://x/', { method: 'POST', body, headers: { 'stripe-signature': header } })
  const onClock = sh.webhookHandler({ ...h.options, now: () => t + 299 })
  const offClock = sh.webhookHandler({ ...h.options, now: () => t + 301 })
  const systemClock = sh.webhookHandler(h.options)
  assert.deepEqual([(await offClock(request())).status, (await (await offClock(request())).json())?.error], [400, 'timestamp_too_old'])
  assert.equal((await systemClock(request())).status, 400)
  assert.deepEqual(h.seen, [])
  assert.equal((await onClock(request())).status, 200)
  assert.deepEqual(h.seen, ['evt_clock'])
  // A clock that answers something other than a time is the core's invalid_argument (400), never a pass.
  const broken = sh.webhookHandler({ ...h.options, now: () => Number.NaN })
  assert.deepEqual([(await broken(request())).status, (await (await broken(request())).json())?.error], [400, 'invalid_argument'])
  for (const now of [t, 'now', null]) {
    assert.throws(() => sh.expressWebhook({ ...h.options, now }), (e) => e instanceof sh.InvalidInputError && e.code === 'invalid_argument' && /^now: pass a function/.test(e.message))
  }
})
