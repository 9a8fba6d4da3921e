// The one place where stripe-handshake failures become JavaScript errors.
// Every error is an `Error` subclass with a stable `.code` (the core's snake_case code) and
// `.family`; catch `StripeHandshakeError` for all of them, or a subclass for one family.

class StripeHandshakeError extends Error {
  constructor(message, code, family) {
    super(message)
    this.name = new.target.name
    /** Stable snake_case code, the same in Rust, Node, Python and WASM. */
    this.code = code
    /** The family: signature, state, redirect, oauth, invalid_input, malformed_input, store, internal. */
    this.family = family
  }
}
/** A Stripe-Signature header or install_signature did not verify. */
class SignatureVerificationError extends StripeHandshakeError {}
/** A state value or token did not check out (possible CSRF). */
class StateError extends StripeHandshakeError {}
/** A redirect URI or allow-list entry broke the rules. */
class RedirectError extends StripeHandshakeError {}
/** An OAuth endpoint answered with an error, or its answer was unusable. */
class OAuthError extends StripeHandshakeError {
  constructor(message, code, family, f) {
    super(message, code, family)
    /** The `error` string from Stripe (`invalid_grant`, …), when Stripe sent one. */
    this.error = f && f.oauthError != null ? f.oauthError : undefined
    /** The kind: one of the documented error strings, or `other`. */
    this.oauthKind = f && f.oauthKind != null ? f.oauthKind : undefined
    /** `error_description`: untrusted text, escape it before you display it. */
    this.errorDescription = f && f.description != null ? f.description : undefined
  }
}
/** An argument, key, secret or configuration is unusable (a caller mistake). */
class InvalidInputError extends StripeHandshakeError {
  constructor(message, code, family, f) {
    super(message, code, family)
    if (f && f.index != null) this.index = f.index
  }
}
/** Input from the network (query, body) is malformed or too large. */
class MalformedInputError extends StripeHandshakeError {}
/** A one-time store (Redis, PostgreSQL, memory) could not answer: nothing was accepted. */
class StoreError extends StripeHandshakeError {}
/** A bug in stripe-handshake (including a caught panic), or the OS random source failed. */
class InternalError extends StripeHandshakeError {}

const BY_FAMILY = {
  signature: SignatureVerificationError,
  state: StateError,
  redirect: RedirectError,
  oauth: OAuthError,
  invalid_input: InvalidInputError,
  malformed_input: MalformedInputError,
  store: StoreError,
  internal: InternalError,
}

function fromFailure(f) {
  const Cls = BY_FAMILY[f.family] || InternalError
  const e = new Cls(f.message, f.code, f.family, f)
  if (Cls === RedirectError && f.index != null) e.index = f.index
  return e
}

// A thrown error: the WASM build's failure (an Error carrying code and family), a caught
// panic (napi GenericFailure, or a WebAssembly trap), or anything else crossing the
// boundary (a bug: the wrapper hands the native module only values it accepts). Messages
// of host errors are not repeated: a conversion message can render the value.
function fromThrown(e) {
  if (e instanceof StripeHandshakeError) return e
  if (e && e.name === 'StripeHandshakeError' && typeof e.family === 'string') return fromFailure(e)
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
    const err = new InternalError('internal error in stripe-handshake (a panic trapped); this WebAssembly instance is now unusable: initialize a new one, and please report it', 'internal', 'internal')
    err.cause = e
    return err
  }
  if (e && e.code === 'GenericFailure') {
    const err = new InternalError('internal error in stripe-handshake (a panic was caught); please report it', 'internal', 'internal')
    err.cause = e
    return err
  }
  return new InternalError('internal error in stripe-handshake (an unexpected host error); please report it', 'internal', 'internal')
}

/**
 * What a failed store's own error says, without what it carried: its class and code only. A
 * client's error can hold the command and its arguments (ioredis's `ReplyError.command`), and
 * the key holds a nonce not yet used.
 */
function summary(e) {
  const name = e && typeof e.name === 'string' ? e.name : typeof e
  const code = e && (typeof e.code === 'string' || typeof e.code === 'number') ? ` (${e.code})` : ''
  return new Error(`the store failed: ${name}${code}`)
}

export {
  summary,
  StripeHandshakeError,
  SignatureVerificationError,
  StateError,
  RedirectError,
  OAuthError,
  InvalidInputError,
  MalformedInputError,
  StoreError,
  InternalError,
  fromFailure,
  fromThrown,
}
