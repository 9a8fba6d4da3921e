// Options objects are read by the wrapper (by the schema) and cross as pairs, flat among the
// arguments of one native call, that the core turns back into the object
// (host::arguments_from_flat). Every object a caller can pass must give what the native reading
// gave: the same result, or the same typed refusal, with each value read once.
// Runs on both engines (the suite runs again with STRIPE_HANDSHAKE_ENGINE=wasm).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as sh from '../index.mjs'

const allow = new sh.RedirectAllowList(['https://platform.example/callback'])
const base = { clientId: 'ca_123456', accountType: 'standard', scope: 'read_write', state: 'st_1' }
const link = (o) => sh.connectOAuthLink(o, allow)
const refused = (fn, code = 'invalid_argument') =>
  assert.throws(fn, (e) => e instanceof sh.InvalidInputError && e.code === code && !/ca_123456|st_1/.test(e.message))

test('a plain options object, in any key order, builds the same link', () => {
  const url = link(base)
  assert.match(url, /^https:\/\/connect\.stripe\.com\/oauth\/authorize\?response_type=code&client_id=ca_123456&scope=read_write&redirect_uri=/)
  const reversed = Object.fromEntries(Object.entries(base).reverse())
  assert.equal(link(reversed), url)
  // Inherited and non-enumerable keys are not options; symbol keys are ignored.
  const child = Object.create({ clientId: 'ca_inherited' })
  Object.assign(child, base)
  Object.defineProperty(child, 'stripeLanding', { value: 'nonsense', enumerable: false })
  child[Symbol('x')] = 1
  assert.equal(link(child), url)
  // An option given as undefined is absent.
  assert.equal(link({ ...base, redirectUri: undefined }), url)
})

test('a misspelt option, an unknown key, more keys than options: refused by the core, typed', () => {
  refused(() => link({ ...base, clientID: 'ca_123456' }))
  refused(() => link({ ...base, extra: 1 }))
  const many = { ...base }
  for (let i = 0; i < 40; i++) many[`k${i}`] = i
  refused(() => link(many))
  refused(() => link(Object.assign(new String('ab'), base)))
})

test('one call site given objects of changing shapes: each read by its own keys (the encoder remembers the last)', () => {
  const url = link(base)
  const express = link({ clientId: 'ca_123456', accountType: 'express', state: 'st_1' })
  assert.match(express, /^https:\/\/connect\.stripe\.com\/express\/oauth\/authorize\?/)
  const reversed = Object.fromEntries(Object.entries(base).reverse())
  // The same keys as the last call but one, at every position: that key is read for itself.
  const keys = Object.keys(base)
  for (let round = 0; round < 3; round++) {
    for (let at = 0; at < keys.length; at++) {
      assert.equal(link(base), url)
      const typo = Object.fromEntries(Object.entries(base).map(([k, v], i) => [i === at ? `${k}X` : k, v]))
      refused(() => link(typo))
      // The same key count and positions, one key swapped for another option: read as that
      // option (a missing required one is named; without `state` the link has `stripe_landing`).
      const other = Object.fromEntries(Object.entries(base).map(([k, v], i) => (i === at ? ['stripeLanding', 'login'] : [k, v])))
      if (keys[at] === 'state') assert.equal(link(other), url.replace(/&state=st_1$/, '&stripe_landing=login'))
      else assert.throws(() => link(other), (e) => e.code === 'invalid_argument' && e.message.startsWith(`${keys[at]}:`))
      assert.equal(link(reversed), url)
      assert.equal(link({ clientId: 'ca_123456', accountType: 'express', state: 'st_1' }), express)
    }
  }
})

test('values after an options object: refused as too many arguments, as for any call', () => {
  // (An explicit undefined counts: the call has more arguments than the function takes.)
  for (const extra of [['extra'], [undefined], [undefined, 'x'], [base], [allow]]) {
    assert.throws(() => sh.connectOAuthLink(base, allow, ...extra), (e) => e.code === 'invalid_argument' && /too many arguments/.test(e.message))
  }
  // Accept twin: the same call with the arguments the function takes.
  assert.match(sh.connectOAuthLink(base, allow), /^https:\/\/connect\.stripe\.com\/oauth\/authorize\?/)
})

test('a state of Latin-1 and other non-ASCII characters is encoded from its UTF-8, whichever way it is read', () => {
  // Each case against the URL parser's decoding; a reading that kept a Latin-1 unit as one
  // byte would not be UTF-8 (the addon reads short ASCII strings as UTF-16, narrowed).
  for (const s of ['caf\u00e9', '\u00ff', '\u0080', 'a\u00e9b\u00ffc', '\u00e9'.repeat(300), 'x'.repeat(1000) + '\u00e9', '\u0141', '\ud83d\ude00']) {
    const u = new URL(link({ ...base, state: s }))
    assert.equal(u.searchParams.get('state'), s)
    assert.ok(u.search.endsWith(`&state=${encodeURIComponent(s)}`))
  }
})

test('a key that names no option is refused as misspelt, whatever else the object holds', () => {
  const misspelt = (fn) => assert.throws(fn, (e) => e.code === 'invalid_argument' && /does not take/.test(e.message))
  misspelt(() => link({ ...base, ['\ud800']: 1 })) // a lone surrogate in the key
  const many = { ...base }
  for (let i = 0; i < 1500; i++) many[`k${i}`] = i
  misspelt(() => link(many))
  let enumerated = 0
  misspelt(() => link(new Proxy(many, { ownKeys(t) { enumerated++; return Reflect.ownKeys(t) } })))
  assert.equal(enumerated, 1)
})

test('a null-prototype object and one from another realm are options objects (both engines)', async () => {
  const { runInNewContext } = await import('node:vm')
  const url = link(base)
  assert.equal(link(Object.assign(Object.create(null), base)), url)
  assert.equal(link(runInNewContext('({ ...o })', { o: base })), url)
})

test('values that are not options objects are refused as before', () => {
  for (const v of [null, undefined, 'x', 42, true, [base], new Uint8Array(2), () => base, Symbol('s'), 10n]) {
    refused(() => link(v))
  }
  // Objects of other classes have no own options: the required clientId is missing.
  for (const v of [new Date(0), new Map([['clientId', 'ca_1']]), new ArrayBuffer(2)]) refused(() => link(v))
})

test('each value is read once, and a throwing getter or proxy is a typed refusal', () => {
  let reads = 0
  const counted = { ...base }
  Object.defineProperty(counted, 'state', { get() { reads++; return 'st_1' }, enumerable: true })
  link(counted)
  assert.equal(reads, 1)
  refused(() => link({ ...base, get scope() { throw new Error('boom') } }))
  refused(() => link(new Proxy(base, { ownKeys() { throw new Error('boom') } })))
  const { proxy, revoke } = Proxy.revocable(base, {})
  revoke()
  refused(() => link(proxy))
  // A proxy that answers normally reads like the object behind it.
  assert.equal(link(new Proxy(base, {})), link(base))
})

test('nested values keep their types: a list of capabilities, a prefill object', () => {
  const url = sh.connectOAuthLink({ clientId: 'ca_123456', accountType: 'express', suggestedCapabilities: ['card_payments'], stripeUser: { email: 'a@example.com' } }, allow)
  assert.ok(url.includes('&suggested_capabilities[]=card_payments&stripe_user[email]=a%40example.com'), url)
  refused(() => sh.connectOAuthLink({ clientId: 'ca_123456', accountType: 'express', suggestedCapabilities: 'card_payments' }, allow))
  // A nested object's keys are read through the intrinsics too: string methods patched after
  // load change nothing (the WASM build read them with wasm-bindgen's as_string, which asks
  // the prototype's charCodeAt, and refused `email` as an unknown prefill key).
  const prefill = (user) => sh.connectOAuthLink({ clientId: 'ca_123456', accountType: 'express', stripeUser: user }, allow)
  const saved = ['charCodeAt', 'codePointAt'].map((k) => [k, Object.getOwnPropertyDescriptor(String.prototype, k)])
  const encodeInto = Object.getOwnPropertyDescriptor(TextEncoder.prototype, 'encodeInto')
  for (const [k] of saved) Object.defineProperty(String.prototype, k, { value: () => 0x61, configurable: true, writable: true })
  Object.defineProperty(TextEncoder.prototype, 'encodeInto', { value: () => ({ read: 0, written: 0 }), configurable: true, writable: true })
  let patched
  try {
    patched = [{ email: 'a@example.com' }, { ['email\uD800']: 'a@example.com' }].map((user) => {
      try { return prefill(user) } catch (e) { return e.code }
    })
  } finally {
    for (const [k, d] of saved) Object.defineProperty(String.prototype, k, d)
    Object.defineProperty(TextEncoder.prototype, 'encodeInto', encodeInto)
  }
  assert.deepEqual(patched, [prefill({ email: 'a@example.com' }), 'invalid_argument'])
  assert.ok(patched[0].includes('&stripe_user[email]=a%40example.com'), patched[0])
  refused(() => prefill({ ['email\uD800']: 'a@example.com' }))
})

test('options of a one-time check (a store given) cross the same way', async () => {
  const keys = [{ id: 'k1', key: new Uint8Array(32).fill(7) }]
  const session = new Uint8Array(16).fill(1)
  const now = Math.floor(Date.now() / 1000)
  const state = sh.issueStateToken({ flow: 'connect_oauth', keys, sessionId: session, now })
  const store = new sh.MemoryStore()
  const query = `code=ac_1&scope=read_write&state=${encodeURIComponent(state)}`
  const r = await sh.verifyOAuthCallback(query, { flow: 'connect_oauth', stateKeys: keys, sessionId: session, now, store })
  assert.equal(r.outcome, 'authorized')
  await assert.rejects(sh.verifyOAuthCallback(query, { flow: 'connect_oauth', stateKeys: keys, sessionId: session, now, store }), (e) => e.code === 'state_replayed')
  await assert.rejects(sh.verifyOAuthCallback(query, { flow: 'connect_oauth', stateKeys: keys, sessionId: session, now, store, typo: 1 }), (e) => e.code === 'invalid_argument')
})

test('a Proxy that throws, or a revoked one, nested or as an argument: the same typed refusal in both engines', () => {
  const express = { clientId: 'ca_123456', accountType: 'express' }
  const { proxy: revoked, revoke } = Proxy.revocable({}, {})
  revoke()
  const boom = () => { throw new Error('boom') }
  const throwingLength = new Proxy(['card_payments'], { get: (t, k) => (k === 'length' ? boom() : t[k]) })
  refused(() => link({ ...express, stripeUser: new Proxy({ email: 'a@example.com' }, { ownKeys: boom }) }))
  refused(() => link({ ...express, stripeUser: revoked }))
  refused(() => link({ ...express, suggestedCapabilities: throwingLength }))
  refused(() => link({ ...express, stripeUser: new Proxy({}, { getPrototypeOf: boom, ownKeys: boom }) }))
  const verifier = new sh.Verifier('whsec_test_secret')
  for (const header of [revoked, throwingLength, new Proxy({}, { getPrototypeOf: boom })]) {
    assert.equal(verifier.check('{}', header, 1), 'invalid_argument')
  }
  assert.equal(verifier.check(revoked, 't=1,v1=00', 1), 'invalid_argument')
  // A proxy that answers normally is read like the object behind it, nested too.
  const prefill = { ...express, stripeUser: { email: 'a@example.com' } }
  assert.equal(link({ ...express, stripeUser: new Proxy({ email: 'a@example.com' }, {}) }), link(prefill))
})

test('a Uint8Array from another realm is bytes in both engines', async () => {
  const vm = await import('node:vm')
  const secret = 'whsec_test_secret'
  const header = sh.signHeader('{"a":1}', secret, 1_700_000_000)
  const foreign = vm.runInNewContext('new Uint8Array([123, 34, 97, 34, 58, 49, 125])')
  assert.equal(foreign instanceof Uint8Array, false)
  const verifier = new sh.Verifier(secret)
  assert.equal(verifier.check(foreign, header, 1_700_000_000), null)
  assert.equal(verifier.check(vm.runInNewContext('new Uint16Array(4)'), header, 1_700_000_000), 'invalid_argument')
})

test('bytes are the view\'s own, whatever its length property says; other views are not bytes', () => {
  const secret = 'whsec_test_secret'
  const body = Buffer.from('{"a":1}')
  const header = sh.signHeader(body, secret, 1_700_000_000)
  const verifier = new sh.Verifier(secret)
  const check = (payload) => verifier.check(payload, header, 1_700_000_000)
  const copy = () => new Uint8Array(body)
  const shorter = copy()
  Object.defineProperty(shorter, 'length', { value: 3 })
  const longer = copy()
  Object.setPrototypeOf(longer, Object.create(Uint8Array.prototype, { length: { get: () => 65536 } }))
  class Lying extends Uint8Array { get length() { throw new Error('boom') } }
  for (const payload of [shorter, longer, new Lying(body), Buffer.from(body)]) assert.equal(check(payload), null)
  // A detached view reads as no bytes (the addon's reading), so the signature does not match.
  const detached = copy()
  structuredClone(detached.buffer, { transfer: [detached.buffer] })
  assert.equal(check(detached), 'signature_mismatch')
  for (const payload of [new Uint8ClampedArray(body), new DataView(copy().buffer), new Uint16Array(4)]) {
    assert.equal(check(payload), 'invalid_argument')
  }
  // The verifier still works afterwards (a write past the copy would have broken the module).
  assert.equal(check(body), null)
})

test('string payloads of every UTF-8 width and length verify as their UTF-8 bytes; a changed character does not', () => {
  const secret = 'whsec_test_secret'
  const verifier = new sh.Verifier(secret)
  const texts = ['', 'a', 'é', '€', '😀', 'ascii then é', 'é'.repeat(40_000), 'x'.repeat(70_000) + '😀', '😀'.repeat(10_000)]
  for (const text of texts) {
    const header = sh.signHeader(Buffer.from(text, 'utf8'), secret, 1_700_000_000)
    assert.equal(verifier.check(text, header, 1_700_000_000), null, `${text.length} units`)
    assert.equal(verifier.check(text + 'é', header, 1_700_000_000), 'signature_mismatch', `${text.length} units, changed`)
  }
  // A lone surrogate is refused, not verified as U+FFFD (what TextEncoder writes for it).
  const header = sh.signHeader(Buffer.from('a\uFFFD', 'utf8'), secret, 1_700_000_000)
  assert.equal(verifier.check('a\uFFFD', header, 1_700_000_000), null)
  assert.throws(() => verifier.verify('a\uD800', header, 1_700_000_000), (e) => e.code === 'malformed_input')
  // ...also when the string methods that could tell it are patched after load (the WASM build
  // asked String.prototype.charCodeAt at call time, and verified 'a\uD800' as 'a\uFFFD').
  const saved = ['charCodeAt', 'isWellFormed', 'codePointAt'].map((k) => [k, Object.getOwnPropertyDescriptor(String.prototype, k)])
  for (const [k] of saved) Object.defineProperty(String.prototype, k, { value: k === 'isWellFormed' ? () => true : () => 0x61, configurable: true, writable: true })
  let refused
  try {
    refused = ['a\uD800', '\uDC00a', 'é\uD800'].map((t) => {
      try { return verifier.check(t, header, 1_700_000_000) } catch (e) { return e.code }
    })
  } finally {
    for (const [k, d] of saved) Object.defineProperty(String.prototype, k, d)
  }
  assert.deepEqual(refused, ['malformed_input', 'malformed_input', 'malformed_input'])
  assert.throws(() => verifier.verify('a\uD800', header, 1_700_000_000), (e) => e.code === 'malformed_input')
})

test('bytes are read through the intrinsics: a patched typed-array prototype changes nothing', () => {
  const secret = 'whsec_test_secret'
  const body = Buffer.from('{"a":1}')
  const header = sh.signHeader(body, secret, 1_700_000_000)
  const verifier = new sh.Verifier(secret)
  const views = [new Uint8Array(body), Buffer.from(body)]
  const texts = ['{"a":1}', 'é'.repeat(16)]
  const signed = texts.map((t) => sh.signHeader(Buffer.from(t), secret, 1_700_000_000))
  const typedArray = Object.getPrototypeOf(Uint8Array.prototype)
  const saved = ['set', 'length', 'subarray', 'byteLength', Symbol.toStringTag].map((k) => [k, Object.getOwnPropertyDescriptor(typedArray, k)])
  Object.defineProperty(typedArray, 'set', { value() { throw new Error('patched set') }, configurable: true, writable: true })
  Object.defineProperty(typedArray, 'length', { get: () => 65536, configurable: true })
  Object.defineProperty(typedArray, Symbol.toStringTag, { get: () => 'Uint8Array', configurable: true })
  // A subarray that would hand the copy another region (a fresh array: the caller's bytes never
  // reach the module) and a byteLength that lies.
  Object.defineProperty(typedArray, 'subarray', { value() { return new Uint8Array(this.length) }, configurable: true, writable: true })
  Object.defineProperty(typedArray, 'byteLength', { get: () => 1 << 20, configurable: true })
  let results
  try {
    results = [...views.map((v) => verifier.check(v, header, 1_700_000_000)), verifier.check(new Uint16Array(4), header, 1_700_000_000),
      ...texts.map((t, i) => verifier.check(t, signed[i], 1_700_000_000)), verifier.check('{"a":2}', header, 1_700_000_000)]
  } finally {
    for (const [k, d] of saved) Object.defineProperty(typedArray, k, d)
  }
  // Accepted or not (a refusal's code comes back through the glue, whose strings the patched
  // subarray garbles: that is output, not what was verified).
  assert.deepEqual(results.map((r) => r === null), [true, true, false, true, true, false])
  assert.equal(verifier.check(body, header, 1_700_000_000), null)
})

test("the addon's invoke, called directly with what the wrapper never passes: a failure, never a crash", async () => {
  const { native, engine } = await import('../native.cjs').then((m) => m.default ?? m)
  if (engine !== 'native') return // the WASM glue has no invoke (the wrapper adapts its three exports)
  const schema = JSON.parse(native.schema())
  const op = schema.ops.findIndex((o) => o.name === 'connect_oauth_link')
  const plain = schema.ops.findIndex((o) => o.name === 'check_plain_state')
  const names = schema.ops[op].params[0].options.map((o) => o.js)
  // An allow-list is an invoke of its own, the list its native data (fast/invoke.rs).
  const list = native.newAllowList([['https://platform.example/callback']])
  assert.equal(typeof list, 'function')
  const invoke = native.invoker()
  const pairs = Object.entries(base).flatMap(([k, v]) => [names.indexOf(k), v])
  const code = (r) => (r instanceof native.NativeFailure ? r.code : typeof r)
  // The wrapper's own call, for reference: the list's function, given itself as the list.
  assert.equal(list(false, op, list, 1, 4, ...pairs), link(base))
  const malformed = [[], [false], [false, op], [false, op, list], ['no', op, list, 1], [false, 'op', list, 1], [false, 2 ** 32, undefined, 0], [false, op + 0.5, list, 1], [false, op, list, -1], [false, op, list, 2 ** 32]]
  for (const f of [invoke, list]) malformed.forEach((args, i) => assert.equal(code(f(...args)), 'internal', `case ${i}`))
  // The one invoke given anything as a list (an allow-list's function, a verifier's handle, an
  // object, a number) refuses it, reading nothing; a list's function runs with its own list
  // whatever that slot holds.
  const verifier = native.newVerifier(['whsec_x'])
  for (const notList of [list, verifier, {}, 1, null]) assert.equal(code(invoke(false, op, notList, 1, 4, ...pairs)), 'internal')
  for (const other of [undefined, verifier, {}, 1]) assert.equal(list(false, op, other, 1, 4, ...pairs), link(base))
  // Without a list, the link's operation refuses the missing allow-list by its type.
  assert.equal(code(invoke(false, op, undefined, 1, 4, ...pairs)), 'invalid_argument')
  // A list for an operation that takes none: the core's internal failure.
  assert.equal(code(list(false, plain, list, 0, 's', 's')), 'internal')
  // An operation index past the last: the core's internal failure.
  assert.equal(code(invoke(false, schema.ops.length, undefined, 0)), 'internal')
  assert.equal(code(list(false, schema.ops.length, list, 0)), 'internal')
  // The consuming form with an allow-list: no operation takes both.
  assert.equal(code(list(true, op, list, 1, 4, ...pairs)), 'internal')
  // Values after the options' pairs stay arguments: too many for the link.
  for (const rest of [[undefined, 'extra'], [undefined, undefined], [list, 1]]) {
    const r = list(false, op, list, 1, 4, ...pairs, ...rest)
    assert.equal(code(r), 'invalid_argument')
    assert.match(r.message, /too many arguments/)
  }
  // A pair count or key the wrapper never writes: the options argument is refused by its type.
  for (const bad of [[5, ...pairs], [-1, ...pairs], [0.5, ...pairs], ['4', ...pairs], [4, true, 'x', ...pairs.slice(2)]]) {
    const r = list(false, op, list, 1, ...bad)
    assert.equal(code(r), 'invalid_argument')
    assert.doesNotMatch(r.message, /ca_123456|st_1/)
  }
  // More values than one N-API read takes (64): every one is read, the extras refused.
  const many = invoke(false, plain, undefined, 0, 's', 's', ...Array(100).fill('x'))
  assert.equal(code(many), 'invalid_argument')
  assert.match(many.message, /too many arguments/)
  assert.equal(invoke(false, plain, undefined, 0, 's', 's'), undefined)
  // Strings past the stack buffer (2 KB), non-ASCII ones, and ones with a lone surrogate are read
  // as value.rs reads them.
  assert.equal(code(invoke(false, plain, undefined, 0, 'x'.repeat(5000), 'x'.repeat(1000))), 'state_mismatch')
  assert.equal(code(invoke(false, plain, undefined, 0, 'x'.repeat(5000), 'x'.repeat(1025))), 'state_too_large')
  assert.equal(code(invoke(false, plain, undefined, 0, 'é'.repeat(512), 'é'.repeat(512))), 'undefined')
  assert.equal(code(invoke(false, plain, undefined, 0, 'é'.repeat(512), 'é'.repeat(511) + 'e')), 'state_mismatch')
  assert.equal(code(invoke(false, plain, undefined, 0, 'a\ud800', 'a\ud800')), 'malformed_input') // as both engines' checkPlainState
  // (N-API's UTF-8 reading turns the surrogate into U+FFFD: read so, these two would be equal.)
  assert.equal(code(invoke(false, plain, undefined, 0, 'a\ufffd', 'a\ud800')), 'malformed_input')
  // An ASCII string is read as UTF-16 and narrowed (up to 1,022 units), any other as UTF-8:
  // every length around that buffer's end, with one unit changed at each end, and one
  // non-ASCII unit among ASCII ones (a narrowing that kept its low byte would make it 'A').
  for (const n of [2, 1021, 1022, 1023, 1024]) { // (a state is at most 1,024 bytes)
    const s = 'x'.repeat(n)
    assert.equal(code(invoke(false, plain, undefined, 0, s, 'x'.repeat(n))), 'undefined', `${n}`)
    assert.equal(code(invoke(false, plain, undefined, 0, s, 'y' + s.slice(1))), 'state_mismatch', `${n}`)
    assert.equal(code(invoke(false, plain, undefined, 0, s, s.slice(1) + 'y')), 'state_mismatch', `${n}`)
    const wide = s.slice(2) + '\u0141' // n bytes of UTF-8
    assert.equal(code(invoke(false, plain, undefined, 0, wide, s.slice(2) + 'A')), 'state_mismatch', `${n}`)
    assert.equal(code(invoke(false, plain, undefined, 0, wide, s.slice(2) + '\u0141')), 'undefined', `${n}`)
  }
})

test('a getter that calls the library with the same allow-list while the options are read: the same link', () => {
  const express = { clientId: 'ca_123456', accountType: 'express', state: 'st_1' }
  let calls = 0
  const caps = Object.defineProperty([], 0, {
    enumerable: true,
    get() {
      calls++
      assert.equal(allow.check('https://platform.example/callback'), 'https://platform.example/callback')
      return 'card_payments'
    },
  })
  assert.equal(link({ ...express, suggestedCapabilities: caps }), link({ ...express, suggestedCapabilities: ['card_payments'] }))
  assert.equal(calls, 1)
})

test('allow-lists are freed once collected: memory stays flat over many (each is the finalizer of its own function)', async () => {
  const { rssGrowth } = await import('./memory.mjs')
  // A hundred long entries (the most a list takes) make a leaked list about fifty kilobytes.
  const entries = Array.from({ length: 100 }, (_, i) => `https://platform.example/callback/${'p'.repeat(480)}/${i}`)
  const grown = await rssGrowth(() => {
    for (let i = 0; i < 200; i++) {
      const l = new sh.RedirectAllowList(entries)
      if (l.check(entries[99]) !== entries[99]) throw new Error('a listed URI')
    }
  })
  // 1,800 lists leaked would be about 90 MB.
  assert.ok(grown < 40e6, `rss grew by ${grown} bytes`)
  // Reject twin: a list kept alive answers after all those collections.
  assert.equal(allow.check('https://platform.example/callback'), 'https://platform.example/callback')
  assert.throws(() => allow.check('https://platform.example/other'), (e) => e.code === 'redirect_uri_not_allowed')
})
