'use strict'
// The public module: the native functions, with each failure thrown as a
// StripeHandshakeError subclass (errors.cjs) and credentials hidden from logs.
// No protocol rule lives here: see the Rust core.
const native = require('./native.cjs')
const errors = require('./errors.cjs')
const { inspect } = require('node:util')

const { NativeFailure } = native

function wrap(fn) {
  return function () {
    let r
    try {
      r = fn.apply(this, arguments)
    } catch (e) {
      throw errors.fromThrown(e)
    }
    if (r instanceof NativeFailure) throw errors.fromFailure(r)
    return r
  }
}

// Credentials in results are real values (send them), but never printed by console.log,
// util.inspect or JSON.stringify.
function hide(obj, fields) {
  const shown = () => {
    const copy = { ...obj }
    for (const f of fields) if (copy[f] != null) copy[f] = '[redacted]'
    return copy
  }
  Object.defineProperty(obj, inspect.custom, { value: (depth, opts) => inspect(shown(), opts), enumerable: false })
  Object.defineProperty(obj, 'toJSON', { value: shown, enumerable: false })
  return obj
}
const REDACT = {
  codeExchangeRequest: (r) => (hide(r.headers, ['Authorization']), r),
  refreshRequest: (r) => (hide(r.headers, ['Authorization']), r),
  deauthorizeRequest: (r) => (hide(r.headers, ['Authorization']), r),
  parseTokenResponse: (r) => hide(r, ['accessToken', 'refreshToken']),
}

const api = {}
for (const [name, value] of Object.entries(native)) {
  if (name === 'NativeFailure' || name === '__napiBindingTarget') continue
  if (typeof value !== 'function' || /^[A-Z]/.test(name)) {
    api[name] = value
    continue
  }
  const wrapped = wrap(value)
  const post = REDACT[name]
  api[name] = post ? function () { return post(wrapped.apply(this, arguments)) } : wrapped
}
for (const cls of [native.Verifier, native.RedirectAllowList]) {
  for (const name of Object.getOwnPropertyNames(cls.prototype)) {
    const d = Object.getOwnPropertyDescriptor(cls.prototype, name)
    if (name !== 'constructor' && typeof d.value === 'function') {
      Object.defineProperty(cls.prototype, name, { ...d, value: wrap(d.value) })
    }
  }
  Object.defineProperty(cls.prototype, inspect.custom, {
    value() { return `${cls.name} {}` },
    enumerable: false,
  })
}

api.dangerous = Object.freeze({ verifyIgnoringTolerance: api.dangerousVerifyIgnoringTolerance })
delete api.dangerousVerifyIgnoringTolerance
/** Recommended tolerance in seconds, the default of every verifier. */
api.DEFAULT_TOLERANCE_SECS = 300
/** The error code of each failure, the same in every language. */
api.ERROR_CODES = Object.freeze(native.errorCodes())
for (const [k, v] of Object.entries(errors)) if (/^[A-Z]/.test(k)) api[k] = v

module.exports = api
