// Builds the public API from a native module (the napi addon, or the WASM glue) and the
// core's schema (`native.schema()`): the function names, their parameters, the result
// kinds, which fields are credentials and which hold JSON. Nothing here knows a protocol
// rule or a field name: every function below is derived from the schema. Shared by the
// Node and WASM packages.
import * as errors from './errors.mjs'
import { buildStores } from './stores.mjs'
import { buildAdapters } from './adapters.mjs'
import { buildFlows } from './flows.mjs'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

export function build(native, options) {
  // The WASM package passes the schema it read at build time: its module starts later.
  const schema = JSON.parse(options && options.schema ? options.schema : native.schema())
  const Failure = native.NativeFailure // napi returns failures; the WASM glue throws them
  const kinds = new Map(schema.kinds.map((k) => [k.name, k]))

  function settle(r) {
    if (Failure !== undefined && r instanceof Failure) throw errors.fromFailure(r)
    return r
  }
  // One operation through the native `invoke` (below), its arguments flat.
  function call(flat, list) {
    let r
    try {
      r = Reflect.apply(invokerOf(list), undefined, flat)
    } catch (e) {
      throw errors.fromThrown(e)
    }
    return settle(r)
  }
  function run(f) {
    let r
    try {
      r = f()
    } catch (e) {
      throw errors.fromThrown(e)
    }
    return settle(r)
  }

  // Credentials are real values (send them), never printed: console.log, util.inspect and
  // JSON.stringify show `[redacted]`. The hooks sit on a prototype, so the record's own keys
  // stay plain (fetch(url, { headers }) and new Headers(headers) accept it).
  function redacting(kind, hidden) {
    function shown() {
      const copy = { ...this }
      for (const f of hidden) if (copy[f] != null) copy[f] = '[redacted]'
      return copy
    }
    return Object.create(Object.prototype, {
      [INSPECT]: { value(depth, opts, inspect) { return inspect ? inspect(shown.call(this), opts) : shown.call(this) } },
      toJSON: { value: shown },
      [Symbol.toStringTag]: { value: kind.name },
    })
  }

  // Records cross the boundary as arrays of values in the schema's field order (one indexed
  // store per value natively, far cheaper than named properties); each kind's builder makes
  // the object: camelCase names, parsed JSON fields, nested records, and for kinds with
  // credentials the redacting prototype from the start.
  const popcount = (m) => {
    let n = 0
    for (; m; m &= m - 1) n++
    return n
  }
  const builders = new Map()
  function builder(name) {
    if (builders.has(name)) return builders.get(name)
    const kind = kinds.get(name)
    const hidden = kind.fields.filter((f) => f.credential).map((f) => f.js)
    const proto = hidden.length ? redacting(kind, hidden) : null
    const names = kind.fields.map((f) => f.js)
    // How each field is built: as is (0), parsed JSON (1), a nested record (2), or a list of them (3).
    const how = kind.fields.map((f) => (f.json ? 1 : f.type === 'record_list' ? 3 : f.nested ? 2 : 0))
    const nested = kind.fields.map((f) => f.nested || null)
    // An optional field (an HTTP header that does not apply) is left out, never `null`:
    // fetch() would send the text "null".
    const optional = kind.fields.map((f) => f.optional)
    // A record crosses as [mask, ...the values of the fields whose bit is set] (a null field
    // crosses as nothing: host::present_fields).
    const build = (a) => {
      const o = proto ? Object.create(proto) : {}
      const mask = a[0]
      let at = 1
      for (let i = 0; i < names.length; i++) {
        if ((mask & (1 << i)) === 0) {
          if (!optional[i]) o[names[i]] = null
          continue
        }
        const v = a[at++]
        const h = how[i]
        o[names[i]] = h === 0 ? v : h === 1 ? JSON.parse(v) : h === 2 ? builders.get(nested[i])(v) : v.map(builders.get(nested[i]))
      }
      return o
    }
    builders.set(name, build)
    for (const n of nested) if (n) builder(n)
    return build
  }
  // The builder of an operation's result: none (a plain value), one kind, or a union told
  // apart by its `outcome` field.
  function resultBuilder(names) {
    if (names.length === 0) return null
    if (names.length === 1) return builder(names[0])
    // The tag's place in the crossing array: after the mask and the fields before it that
    // have a value (the outcome itself always has one).
    const at = kinds.get(names[0]).fields.findIndex((f) => f.name === 'outcome')
    if (names.some((n) => kinds.get(n).fields.findIndex((f) => f.name === 'outcome') !== at)) {
      throw new Error(`stripe-handshake: the schema's union ${names.join(' | ')} has its outcome at different places`)
    }
    const before = (1 << at) - 1
    const byTag = new Map(names.map((n) => [kinds.get(n).tag, builder(n)]))
    return (a) => byTag.get(a[1 + popcount(a[0] & before)])(a)
  }

  // An operation's result builder, made on its first call: a process uses a few of the ~70
  // operations, and building them all cost about a millisecond of every import.
  function lazyResult(names) {
    let finish
    return (r) => (finish ??= resultBuilder(names) ?? ((x) => x))(r)
  }

  // Options objects are read here, by the schema, and every argument crosses as an argument of
  // one native call, `invoke(consuming, op, list, mask, ...flat)`: an options object as the
  // number of its pairs, then the pairs, an option's index in its parameter's list (or, for a
  // key that names no option, the key) and the value; every other argument as itself
  // (host::arguments_from_flat). Reading an object's keys natively costs a string conversion
  // per key, and reading a list's items an N-API call each; the core turns the pairs back into
  // the object, so the operation reads exactly what it read before. Own enumerable string
  // keys, each value read once, as the native reading did; a value that is not a plain object
  // is passed as it is, one whose reading throws (a Proxy, a getter) as a value the core
  // refuses ("it must be an object of options"), so every refusal stays the core's.
  const UNREADABLE = Symbol('unreadable options')
  // The one call of every operation. The addon's `invoke` takes the flat arguments as its own
  // (fast/invoke.rs); the WASM glue's exports take no rest parameter, so there they cross as one array.
  const invoke = native.invoker
    ? native.invoker()
    : (consuming, op, list, mask, ...flat) =>
        list === undefined ? native.call(op, flat, mask, consuming) : native.callWithList(op, flat, list, mask, consuming)
  // The function a call goes through: the addon's allow-list is an `invoke` of its own, the
  // list its native data (fast/invoke.rs: no type check of a handle per call); the WASM glue's
  // one `invoke` above takes the list among the arguments.
  const invokerOf = native.invoker ? (list) => list ?? invoke : () => invoke
  // A call's keys are most often the same as its previous call's, in the same order (one
  // literal at one call site): each parameter remembers the last keys it was given and what
  // they encoded to, so that such a call compares strings (the same interned ones: a pointer
  // each) instead of looking each key up in the Map (5% of a Connect link's call, profiled).
  function flatEncoder(op, i) {
    const index = op.params.map((p, at) => (p.options.length && at < 32 ? new Map(p.options.map((o, j) => [o.js, j])) : undefined))
    const lastKeys = op.params.map(() => [])
    const lastCodes = op.params.map(() => [])
    const codes = (p, names, keys) => {
      const seen = lastKeys[p]
      let same = seen.length === keys.length
      for (let k = 0; same && k < keys.length; k++) same = seen[k] === keys[k]
      if (same) return lastCodes[p]
      const c = keys.map((key) => names.get(key) ?? key) // a key that names no option as itself
      lastKeys[p] = keys
      lastCodes[p] = c
      return c
    }
    return (args, consuming, list) => {
      const flat = [consuming, i, list, 0]
      let mask = 0
      for (let p = 0; p < args.length; p++) {
        const o = args[p]
        const names = index[p]
        if (names === undefined || o === null || typeof o !== 'object') {
          flat.push(o)
          continue
        }
        const start = flat.length
        try {
          if (Array.isArray(o) || ArrayBuffer.isView(o)) { // (a revoked proxy throws here)
            flat.push(o)
            continue
          }
          const keys = Object.keys(o)
          if (keys.length > names.size) {
            // Some key names no option: the core refuses the first such key as misspelt (no
            // value is read, and the keys are not enumerated a second time natively).
            flat.push(1, keys.find((k) => !names.has(k)), undefined)
          } else {
            const c = codes(p, names, keys)
            flat.push(keys.length)
            for (let k = 0; k < keys.length; k++) flat.push(c[k], o[keys[k]])
          }
        } catch {
          flat.length = start
          flat.push(UNREADABLE) // the core refuses it: "it must be an object of options"
          continue
        }
        mask |= 1 << p
      }
      flat[3] = mask >>> 0 // bit 31 makes `|` negative
      return flat
    }
  }

  const lists = new WeakMap() // RedirectAllowList -> its native handle
  const opIndex = new Map(schema.ops.map((op, i) => [op.name, i]))

  function operation(i) {
    const op = schema.ops[i]
    const listAt = op.params.findIndex((p) => p.allow_list)
    const finish = lazyResult(op.returns)
    const encode = flatEncoder(op, i)
    const fn = function (...args) {
      const list = listAt >= 0 ? lists.get(args[listAt]) : undefined
      if (list !== undefined) args[listAt] = undefined
      return finish(call(encode(args, false, list), list))
    }
    Object.defineProperty(fn, 'name', { value: op.js })
    return fn
  }

  // A state token is one-time through the caller's store (and so is the code of a Marketplace
  // authorization, which has no state). The core says which operations check them, which
  // result fields hold each entry's id and expiry and in which namespace (`one_time` in the
  // schema; a result has at most one), refuses a call with neither a store nor `replay:
  // 'unchecked'`, and decides what the store's answer means (oneTimeOutcome). The store is taken
  // out of the options (read once, from a copy) and the call goes through the consuming form: no
  // option value can claim that a store was given. With a store the call returns a promise.
  function oneTime(plain, op, i) {
    const at = op.params.findIndex((p) => p.options.some((o) => o.js === 'store'))
    const entries = op.one_time.map((e) => ({ namespace: e.namespace, id: e.id.js, expires: e.expires_at.js }))
    const outcome = operation(opIndex.get('one_time_outcome'))
    const finish = lazyResult(op.returns)
    const encode = flatEncoder(op, i)
    return {
      [op.js](...args) {
        const given = args[at]
        if (given === null || typeof given !== 'object') return plain(...args)
        const o = { ...given } // one read of every option: a getter cannot answer twice
        const store = o.store
        if (store === undefined || store === null) return plain(...args.slice(0, at), o, ...args.slice(at + 1))
        // Given but not a store: the core refuses it by name, as a rejection like every call with a store.
        if (typeof store !== 'object' || typeof store.consume !== 'function') return (async () => plain(...args.slice(0, at), o, ...args.slice(at + 1)))()
        delete o.store
        const a = args.slice()
        a[at] = o
        return (async () => {
          const r = finish(call(encode(a, true, undefined))) // every refusal happens here
          const entry = entries.find((e) => r[e.id] !== null && r[e.id] !== undefined)
          if (entry === undefined) return r // a denial, a Marketplace install: nothing to consume
          const { namespace } = entry
          let answer
          try {
            answer = await store.consume(namespace, r[entry.id], r[entry.expires])
          } catch (e) {
            if (e instanceof errors.StripeHandshakeError) throw e
            try { outcome(undefined, { namespace }) } catch (err) { err.cause = errors.summary(e); throw err }
          }
          outcome(answer, { namespace }) // state_replayed, code_replayed, store_unavailable
          return r
        })()
      },
    }[op.js]
  }

  // Where each operation shows is the core's decision (`place` in the schema).
  const placed = (kind) => schema.ops.map((op, i) => [op, i]).filter(([op]) => op.place.kind === kind)
  const infos = new WeakMap()

  /** An allow-list of redirect URIs, checked once; the first entry is the default. */
  class RedirectAllowList {
    constructor() {
      const args = Array.prototype.slice.call(arguments)
      lists.set(this, run(() => native.newAllowList(args)))
      infos.set(this, redirectInfo(this))
    }
    [INSPECT]() { return `RedirectAllowList ${JSON.stringify(infos.get(this).entries)}` }
  }
  const [[infoOp, infoIndex]] = placed('allow_list_info')
  const redirectInfo = operation(infoIndex)
  // The list's fields (defaultUri, entries, testMode) as read-only getters; lists are copied.
  for (const f of kinds.get(infoOp.returns[0]).fields) {
    Object.defineProperty(RedirectAllowList.prototype, f.js, {
      get() { const v = infos.get(this)[f.js]; return Array.isArray(v) ? v.slice() : v },
      configurable: true,
    })
  }
  // Its methods (check): the list is the receiver.
  for (const [op, i] of placed('allow_list_method')) {
    const f = operation(i)
    Object.defineProperty(RedirectAllowList.prototype, op.place.js, {
      // As any JS function, extra arguments are ignored (`uris.every(list.check, list)`).
      value: { [op.place.js](...a) { return f(this, ...a.slice(0, op.params.length - 1)) } }[op.place.js],
      writable: true,
      configurable: true,
    })
  }

  // What each method returns is the core's (`verifier.methods[].returns`). The hot path
  // (`native: true`: verify, check, tryVerify) is written out below so that each call site
  // stays monomorphic; every other method runs in the core through `call`, named here.
  const returns = new Map(schema.verifier.methods.map((m) => [m.js, m.returns[0]]))
  // `verify` writes the two fields of its result into one reused buffer (no array per call),
  // and the object is a literal of a fixed shape; the names are the schema's, checked here.
  const signatureKind = kinds.get(returns.get('verify'))
  if (signatureKind.fields.map((f) => f.js).join() !== 'timestamp,secretIndex') {
    throw new Error(`stripe-handshake: the schema's ${signatureKind.name} changed; update verify in api.mjs`)
  }
  const signature = (timestamp, secretIndex) => ({ timestamp, secretIndex })
  const fields = new Float64Array(2)
  const asAttempt = builder(returns.get('tryVerify'))
  const { verifierTryVerify: tryVerify } = native
  // The hot path of one verifier, `[check, verify, call]`: the addon makes functions bound to
  // it (bindings-node/src/fast/); the WASM build has free functions that take it, and runs
  // every other method through verifierCall.
  const { verifierCheck, verifierVerify } = native
  const bind = native.verifierBind || ((v) => [
    (payload, header, now) => verifierCheck(v, payload, header, now),
    (payload, header, now, out) => verifierVerify(v, payload, header, now, out),
    null,
  ])
  // A flat record (host::flat_record: only strings, JSON, booleans and whole numbers) crosses
  // as one string and numbers in a reused buffer: the mask, then per field with a value its
  // number (a string's: its length in UTF-16 units, its text the next slice of the string).
  const flatNumbers = new Float64Array(32)
  const FLAT = { str: 0, json: 1, bool: 2, int: 3 }
  function flatBuilder(name) {
    const kind = kinds.get(name)
    const flat = kind.fields.length < flatNumbers.length &&
      kind.fields.every((f) => f.type in FLAT && !f.credential && !f.optional && !f.nested && (f.type === 'json') === !!f.json)
    if (!flat) return null
    const names = kind.fields.map((f) => f.js)
    const how = kind.fields.map((f) => FLAT[f.type])
    // Every record of the kind starts as a copy of one object with every field: one shape,
    // and each field below is a store to a property that exists.
    const template = Object.fromEntries(names.map((n) => [n, null]))
    const parsed = names.filter((n, i) => how[i] === 1)
    return (s) => {
      const o = { ...template }
      const mask = flatNumbers[0]
      for (let i = 0, at = 1, pos = 0; i < names.length; i++) {
        if ((mask & (1 << i)) === 0) continue
        const x = flatNumbers[at++]
        const h = how[i]
        o[names[i]] = h <= 1 ? s.slice(pos, (pos += x)) : h === 2 ? x === 1 : x
      }
      // JSON is parsed once every number is read: a patched JSON.parse that verifies another
      // webhook would overwrite the shared buffer.
      for (const n of parsed) if (o[n] !== null) o[n] = JSON.parse(o[n])
      return o
    }
  }

  /** A `Stripe-Signature` verifier prepared once per endpoint: the fast path. */
  class Verifier {
    #v
    // The hot path: functions bound to this verifier (no verifier argument to look up).
    #check
    #verify
    #call
    constructor() {
      const args = Array.prototype.slice.call(arguments)
      this.#v = run(() => native.newVerifier(args))
      ;[this.#check, this.#verify, this.#call] = run(() => bind(this.#v))
    }
    /** Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to the clock. */
    verify(payload, header, now) {
      let r
      try { r = this.#verify(payload, header, now, fields) } catch (e) { throw errors.fromThrown(e) }
      settle(r)
      return signature(fields[0], fields[1])
    }
    /** `null` when the signature verifies, else the error code. Never throws for a bad signature. */
    check(payload, header, now) {
      let r
      try { r = this.#check(payload, header, now) } catch (e) { throw errors.fromThrown(e) }
      return r === undefined ? null : r
    }
    /** Like `verify`, but never throws: `{ ok: false, code, message }` on failure. */
    tryVerify(payload, header, now) {
      let r
      try { r = tryVerify(this.#v, payload, header, now) } catch (e) { throw errors.fromThrown(e) }
      return asAttempt(settle(r))
    }
    /** Runs method `index` of the schema's verifier methods in the core. */
    static _call(verifier, index, payload, header, now) {
      let r
      try { r = native.verifierCall(verifier.#v, index, payload, header, now) } catch (e) { throw errors.fromThrown(e) }
      return settle(r)
    }
    /** Runs method `index`, whose record is flat, through the addon's bound `call`: the record's texts. */
    static _flat(verifier, index, payload, header, now) {
      let r
      try { r = verifier.#call(index, payload, header, now, flatNumbers) } catch (e) { throw errors.fromThrown(e) }
      return settle(r)
    }
    [INSPECT]() { return 'Verifier {}' }
  }
  schema.verifier.methods.forEach((m, index) => {
    if (m.native) return
    const finish = lazyResult(m.returns)
    const call = Verifier._call
    const flat = Verifier._flat
    const fromFlat = m.returns.length === 1 && native.verifierBind ? flatBuilder(m.returns[0]) : null
    const method = fromFlat
      ? { [m.js](payload, header, now) { return fromFlat(flat(this, index, payload, header, now)) } }[m.js]
      : { [m.js](payload, header, now) { return finish(call(this, index, payload, header, now)) } }[m.js]
    Object.defineProperty(Verifier.prototype, m.js, { value: method, writable: true, configurable: true })
  })
  delete Verifier._call
  delete Verifier._flat

  const api = { Verifier, RedirectAllowList }
  /** Which build of the core runs this API: `'native'` (the napi addon) or `'wasm'`. */
  api.engine = options && options.engine === 'native' ? 'native' : 'wasm'
  const dangerous = {}
  for (const [op, i] of placed('function')) api[op.js] = op.one_time ? oneTime(operation(i), op, i) : operation(i)
  for (const [op, i] of placed('dangerous')) dangerous[op.place.js] = operation(i)
  for (const [op, i] of placed('internal')) Object.defineProperty(api, op.js, { value: operation(i), enumerable: false })
  /** Opt-outs that weaken a check; each needs a reason in code review. */
  api.dangerous = Object.freeze(dangerous)
  /** Recommended tolerance in seconds, the default of every verifier. */
  api.DEFAULT_TOLERANCE_SECS = schema.default_tolerance_secs
  /** The largest webhook body the adapters read, in bytes. */
  api.MAX_WEBHOOK_BODY = schema.max_webhook_body
  /** Seconds a webhook adapter first claims an event, and keeps its id once handled. */
  api.EVENT_LEASE_SECS = schema.event_lease_secs
  api.EVENT_RETENTION_SECS = schema.event_retention_secs
  /** The error code of each failure, the same in every language. */
  api.ERROR_CODES = Object.freeze(schema.error_codes)
  for (const [k, v] of Object.entries(errors)) if (/^[A-Z]/.test(k)) api[k] = v
  // One-time stores (memory, Redis, PostgreSQL), built on the operations above.
  Object.assign(api, buildStores(api))
  // Webhook route adapters (Web-standard Request → Response, Express), built on both.
  Object.assign(api, buildAdapters(api))
  // Whole-flow route helpers (start a flow, finish its callback), built on the operations.
  Object.assign(api, buildFlows(api))
  return api
}

