'use strict'
// Builds the public API from a native module (the napi addon, or the WASM glue): each
// failure becomes a thrown StripeHandshakeError subclass (errors.cjs) and credentials are
// hidden from logs. Shared by the Node and WASM packages; no protocol rule lives here.
const errors = require('./errors.cjs')

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

function wrap(fn, Failure) {
  return function () {
    let r
    try {
      r = fn.apply(this, arguments)
    } catch (e) {
      throw errors.fromThrown(e)
    }
    if (Failure && r instanceof Failure) throw errors.fromFailure(r)
    return r
  }
}

// Credentials in results are real values (send them), but never printed by console.log,
// util.inspect or JSON.stringify. The hooks sit on a prototype, not on the object: its own keys
// stay plain strings, so `fetch(url, { headers })` and `new Headers(headers)` accept it.
const redacting = new Map()
function hide(obj, fields) {
  const key = fields.join()
  let proto = redacting.get(key)
  if (!proto) {
    function shown() {
      const copy = { ...this }
      for (const f of fields) if (copy[f] != null) copy[f] = '[redacted]'
      return copy
    }
    proto = Object.create(Object.prototype, {
      [INSPECT]: { value(depth, opts, inspect) { return inspect ? inspect(shown.call(this), opts) : shown.call(this) } },
      toJSON: { value: shown },
    })
    redacting.set(key, proto)
  }
  return Object.setPrototypeOf(obj, proto)
}
const REDACT = {
  codeExchangeRequest: (r) => (hide(r.headers, ['Authorization']), r),
  refreshRequest: (r) => (hide(r.headers, ['Authorization']), r),
  deauthorizeRequest: (r) => (hide(r.headers, ['Authorization']), r),
  parseTokenResponse: (r) => hide(r, ['accessToken', 'refreshToken']),
}

const SKIP = new Set(['NativeFailure', '__napiBindingTarget', 'default', 'initSync', '__wbg_init'])
const CLASSES = ['Verifier', 'RedirectAllowList']

function build(native, options) {
  const Failure = native.NativeFailure
  const api = {}
  for (const [name, value] of Object.entries(native)) {
    if (SKIP.has(name) || CLASSES.includes(name)) continue
    if (typeof value !== 'function') continue
    const wrapped = wrap(value, Failure)
    const post = REDACT[name]
    api[name] = post ? function () { return post(wrapped.apply(this, arguments)) } : wrapped
  }
  for (const name of CLASSES) {
    const cls = native[name]
    api[name] = cls
    if (Object.prototype.hasOwnProperty.call(cls.prototype, INSPECT)) continue // already wrapped
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      const d = Object.getOwnPropertyDescriptor(cls.prototype, key)
      if (key !== 'constructor' && key !== 'free' && !key.startsWith('__') && typeof d.value === 'function') {
        Object.defineProperty(cls.prototype, key, { ...d, value: wrap(d.value, Failure) })
      }
    }
    Object.defineProperty(cls.prototype, INSPECT, { value() { return `${name} {}` }, enumerable: false })
  }
  api.dangerous = Object.freeze({ verifyIgnoringTolerance: api.dangerousVerifyIgnoringTolerance })
  delete api.dangerousVerifyIgnoringTolerance
  /** Recommended tolerance in seconds, the default of every verifier. */
  api.DEFAULT_TOLERANCE_SECS = 300
  /** The error code of each failure, the same in every language. */
  api.ERROR_CODES = Object.freeze(options && options.errorCodes ? options.errorCodes : native.errorCodes())
  for (const [k, v] of Object.entries(errors)) if (/^[A-Z]/.test(k)) api[k] = v
  return api
}

module.exports = { build }
