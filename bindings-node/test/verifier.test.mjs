// The verifier's hot path: `check` and `verify` are functions bound to one prepared verifier
// (bindings-node/src/fast/ in the addon: plain N-API callbacks whose data is the verifier).
// What the host corpus cannot show: how long the verifier lives. Each bound function keeps it
// alive on its own, and it is released once they are collected. Runs on both engines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import Stripe from 'stripe'
import * as sh from '../index.mjs'
import { gc, rssGrowth, settle } from './memory.mjs'

const { native } = createRequire(import.meta.url)('../native.cjs')
const stripe = new Stripe('sk_test_unused')
const SECRET = 'whsec_fast_path_0123456789'
const now = 1_700_000_000
const body = Buffer.from('{"id":"evt_1","object":"event","type":"a.b","data":{"object":{}}}')
const header = stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret: SECRET, timestamp: now })
// A header given as a one-element array whose element is a getter: code that runs while the
// addon reads its arguments.
const headerFrom = (get) => Object.defineProperty([], 0, { enumerable: true, get })

test('the bound functions keep their verifier alive after everything else that held it is gone', async () => {
  // Only the bound functions hold the verifier once this returns (the WASM build's are closures).
  const [check, verify] = (() => {
    const v = native.newVerifier([SECRET])
    return native.verifierBind ? native.verifierBind(v) : [
      (p, h, n) => native.verifierCheck(v, p, h, n),
      (p, h, n, o) => native.verifierVerify(v, p, h, n, o),
    ]
  })()
  for (let i = 0; i < 3; i++) {
    gc()
    await settle()
  }
  // (The addon answers null, the WASM build undefined; the wrapper says null for both.)
  assert.equal(check(body, header, now) ?? null, null)
  assert.equal(check(body, header.replace(/.$/, (c) => (c === '0' ? '1' : '0')), now), 'signature_mismatch')
  const out = new Float64Array(2)
  assert.equal(verify(body, header, now, out), undefined)
  assert.deepEqual([...out], [now, 0])
  // Reject twin: a failure comes back (the addon) or is thrown (WASM), the buffer untouched.
  out.fill(-1)
  let failure
  try { failure = verify(body, header, now + 3600, out) } catch (e) { failure = e }
  assert.equal(failure.code, 'timestamp_too_old')
  assert.deepEqual([...out], [-1, -1])
})

test('verifiers are released once collected: memory stays flat over many', async () => {
  // Sixteen secrets each (the most a verifier takes) make a leaked verifier kilobytes; the
  // bound functions' finalizers release them once V8 collects the functions.
  const secrets = [SECRET, ...Array.from({ length: 15 }, (_, i) => `${SECRET}_${i}`)]
  const grown = await rssGrowth(() => {
    for (let i = 0; i < 5000; i++) {
      const v = new sh.Verifier(secrets)
      if (v.check(body, header, now) !== null) throw new Error('the first secret signs the header')
    }
  })
  // 45,000 verifiers after `start`: a leak of even 1 KiB each would be 46 MB.
  assert.ok(grown < 20 * 2 ** 20, `rss grew ${(grown / 2 ** 20).toFixed(1)} MiB over 45,000 verifiers`)
})

test("the addon's flat records are the WASM build's records: every field, in order, for any text", async () => {
  // The WASM build returns records through the general transport; the addon's bound `call`
  // returns flat ones (host::flat_record): one string sliced by UTF-16 lengths.
  const { build } = await import('../api.mjs')
  const glue = await import('../wasm/stripe_handshake_wasm.js')
  const { readFileSync } = await import('node:fs')
  glue.initSync({ module: readFileSync(new URL('../wasm/stripe_handshake_wasm_bg.wasm', import.meta.url)) })
  const wasm = build(glue, { schema: readFileSync(new URL('../wasm/schema.json', import.meta.url), 'utf8') })
  const texts = ['', 'a', 'é', '€', '😀', 'e\u0301', '\u2028', 'x'.repeat(70_000), '"\\\u0000']
  const events = []
  for (const t of texts) {
    events.push({ id: `evt_${t}`, object: 'event', type: `a.${t}`, livemode: t.length % 2 === 0, created: 2 ** 53 - 1, data: { object: { id: t, n: [1, 2.5, -0, 1e300], nested: { t } } } })
    events.push({ id: 'evt_1', object: 'event', type: 'account.application.deauthorized', account: `acct_${t}`, api_version: t, livemode: true, created: 0, data: { object: { id: `ca_${t}`, object: 'application', name: t } } })
  }
  events.push({ id: 'evt_2', object: 'event', type: 'account.application.deauthorized', livemode: false, created: 1, data: { object: { id: 'ca_2', object: 'application' } } })
  const ours = new sh.Verifier(SECRET)
  const theirs = new wasm.Verifier(SECRET)
  const outcome = (f) => { try { return JSON.stringify(f()) } catch (e) { return `${e.constructor.name} ${e.code} ${e.message}` } }
  let compared = 0
  for (const e of events) {
    const text = JSON.stringify(e)
    const h = stripe.webhooks.generateTestHeaderString({ payload: text, secret: SECRET, timestamp: now })
    for (const method of ['verifyWebhook', 'verifyDeauthorization']) {
      for (const payload of [text, Buffer.from(text)]) {
        const a = outcome(() => ours[method](payload, h, now))
        assert.equal(a, outcome(() => theirs[method](payload, h, now)), `${method} of ${text.slice(0, 80)}`)
        compared++
      }
    }
    // The dataObject is the event's data.object, as JSON.parse reads it (stripe-node's oracle).
    assert.deepEqual(ours.verifyWebhook(text, h, now).dataObject, stripe.webhooks.constructEvent(text, h, SECRET, 300, undefined, now).data.object)
  }
  assert.equal(compared, events.length * 4)
  // Reject twins: a tampered payload and a malformed event give the same failure through both.
  const bad = '{"id":"evt_1","object":"event"'
  const hb = stripe.webhooks.generateTestHeaderString({ payload: bad, secret: SECRET, timestamp: now })
  assert.match(outcome(() => ours.verifyWebhook(bad, hb, now)), /^MalformedInputError malformed_event /)
  assert.equal(outcome(() => ours.verifyWebhook(bad, hb, now)), outcome(() => theirs.verifyWebhook(bad, hb, now)))
  assert.match(outcome(() => ours.verifyWebhook(bad + ' ', hb, now)), /^SignatureVerificationError signature_mismatch /)
})

test('JavaScript that runs while the arguments are read cannot take bytes away from under the core', () => {
  // A getter on a header array runs while the header is read. Here it detaches the payload's
  // buffer and fills the heap with the bytes the header signs: the payload is read after it
  // (value.rs: typed arrays last), so the core sees the detached, empty payload, never freed memory.
  const G = Buffer.alloc(4096, 'G')
  const signsG = stripe.webhooks.generateTestHeaderString({ payload: G.toString(), secret: SECRET, timestamp: now })
  const v = new sh.Verifier(SECRET)
  let verified = 0
  for (let t = 0; t < 20; t++) {
    const payload = new Uint8Array(4096).fill(0x45)
    const header = headerFrom(() => {
      structuredClone(payload.buffer, { transfer: [payload.buffer] })
      gc()
      const keep = Array.from({ length: 64 }, () => new Uint8Array(4096).fill(0x47))
      return keep.length ? signsG : ''
    })
    if (v.check(payload, header, now) === null) verified++
  }
  assert.equal(verified, 0)
  // Accept twin: the same getter without the detach verifies the bytes it signs.
  const header = headerFrom(() => signsG)
  assert.equal(v.check(G, header, now), null)
  assert.equal(v.check(new Uint8Array(G), header, now), null)
})

test("the addon's result buffer: a detached, short or shared one is refused, never written", { skip: !native.verifierBind }, () => {
  const [, verify, call] = native.verifierBind(native.newVerifier([SECRET]))
  const out = new Float64Array(2)
  const header = headerFrom(() => {
    structuredClone(out.buffer, { transfer: [out.buffer] })
    gc()
    return stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret: SECRET, timestamp: now })
  })
  assert.equal(verify(body, header, now, out).code, 'internal')
  assert.equal(verify(body, header, now, new Float64Array(1)).code, 'internal')
  const shared = new Float64Array(new SharedArrayBuffer(16))
  assert.equal(verify(body, header.slice(), now, shared).code, 'internal')
  assert.deepEqual([...shared], [0, 0])
  assert.equal(verify(body, [header[0]], now, new Float32Array(2)).code, 'internal')
  const index = JSON.parse(native.schema()).verifier.methods.findIndex((m) => m.js === 'verifyWebhook')
  const event = Buffer.from(JSON.stringify({ id: 'evt_1', object: 'event', type: 'a.b', livemode: false, created: 1, data: { object: {} } }))
  const signsEvent = stripe.webhooks.generateTestHeaderString({ payload: event.toString(), secret: SECRET, timestamp: now })
  assert.equal(call(index, event, signsEvent, now, new Float64Array(2)).code, 'internal', 'room for the mask and one field only')
  // Accept twins: an ArrayBuffer-backed Float64Array of room enough is written; a payload in a
  // SharedArrayBuffer is copied and verifies.
  const fine = new Float64Array(2)
  assert.equal(verify(body, [header[0]], now, fine), undefined)
  assert.deepEqual([...fine], [now, 0])
  const sab = new Uint8Array(new SharedArrayBuffer(body.length))
  sab.set(body)
  assert.equal(verify(sab, [header[0]], now, fine), undefined)
  const sabEvent = new Uint8Array(new SharedArrayBuffer(event.length))
  sabEvent.set(event)
  assert.equal(typeof call(index, sabEvent, signsEvent, now, new Float64Array(32)), 'string')
})

test('a getter that throws while an argument is read: the argument is refused, as in the WASM build', () => {
  const v = new sh.Verifier(SECRET)
  const throwing = headerFrom(() => { throw new Error('from the caller') })
  assert.equal(v.check(body, throwing, now), 'invalid_argument')
  for (const method of ['verify', 'tryVerify', 'verifyWebhook']) {
    const run = () => {
      const r = v[method](body, throwing, now)
      if (r && r.ok === false) { const e = new sh.InvalidInputError(r.message, r.code, 'invalid_input'); throw e }
    }
    assert.throws(run, (e) => e instanceof sh.InvalidInputError && e.code === 'invalid_argument' && !/from the caller/.test(e.message), method)
  }
  assert.throws(() => sh.verifySignature(body, throwing, { secrets: SECRET, now }), { code: 'invalid_argument' })
  // Accept twin: a getter that returns the header.
  const fine = headerFrom(() => header)
  assert.equal(v.check(body, fine, now), null)
})

test('a JSON.parse that verifies another webhook while a record is built does not mix the records', () => {
  const v = new sh.Verifier(SECRET)
  const event = (id, t) => JSON.stringify({ id, object: 'event', type: 'a.b', livemode: false, created: t, data: { object: { id } } })
  const outer = event('evt_outer', 1), inner = event('evt_inner', 2)
  const sign = (p, t) => stripe.webhooks.generateTestHeaderString({ payload: p, secret: SECRET, timestamp: t })
  const parse = JSON.parse
  let nested = null
  JSON.parse = function (text, reviver) {
    if (nested === null) {
      nested = 'running'
      nested = v.verifyWebhook(inner, sign(inner, now - 5), now)
    }
    return parse(text, reviver)
  }
  let got
  try { got = v.verifyWebhook(outer, sign(outer, now), now) } finally { JSON.parse = parse }
  assert.equal(nested.id, 'evt_inner')
  assert.equal(nested.timestamp, now - 5)
  assert.deepEqual({ id: got.id, created: got.created, timestamp: got.timestamp, object: got.dataObject }, { id: 'evt_outer', created: 1, timestamp: now, object: { id: 'evt_outer' } })
})
