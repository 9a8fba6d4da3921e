//! Node.js binding of stripe-handshake (napi-rs): conversion only.
//!
//! The core owns every rule and the binding schema (`stripe_handshake::host`): which
//! operations exist, their parameters and defaults, the result shapes and which fields are
//! credentials. This crate converts JS values into `host::Value`s (`value.rs`), results into
//! JS values (`out.rs`), and errors into `NativeFailure`s (`errors.rs`, the one mapping).
//! `api.cjs` names the functions from `schema()` and throws the failures as typed errors.
//! Every export catches unwinds, so a bug becomes an `InternalError`, never an abort.
#![deny(unsafe_code)]
// napi's macros emit `#[allow(unsafe_code)]`, so `forbid` cannot be used here.

mod errors;
mod fast;
mod out;
mod value;

use std::sync::Arc;

use napi::bindgen_prelude::{Array, External, Unknown};
use napi::Env;
use napi_derive::napi;
use stripe_handshake::host::{self, OsEnv, Spelling, Value};
use stripe_handshake::{Error, Verifier as CoreVerifier};

use errors::{outcome, Outcome};

const JS: Spelling = Spelling::Camel;

fn converted<'e>(env: &'e Env, r: stripe_handshake::Result<host::Out>) -> Outcome<Unknown<'e>> {
    outcome(r.and_then(|o| out::to_js(env, o).map_err(|_| Error::Internal { what: "result conversion" })))
}

/// The binding schema (JSON): operations, record kinds, verifier methods, error codes.
#[napi(catch_unwind)]
pub fn schema() -> String {
    host::schema_json()
}

/// The `stripe-handshake` command line (`npx stripe-handshake`, `cli.mjs`): the same code as
/// the Rust binary. Writes to the process's stdout and stderr; returns the exit code (a panic
/// is reported as 70, EX_SOFTWARE, never an abort).
#[napi(catch_unwind)]
pub fn run_cli(args: Vec<String>) -> u32 {
    let run = || stripe_handshake_cli::run(&args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).map_or(70, u32::from)
}

/// The one function that runs every operation, `invoke(consuming, op, list, mask, ...flat)`
/// (`fast/invoke.rs`): the wrapper calls it with each operation's arguments flat
/// (`host::arguments_from_flat`).
#[napi(catch_unwind, ts_return_type = "NativeInvoke")]
pub fn invoker(env: &Env) -> napi::Result<Unknown<'_>> {
    fast::invoker(env)
}

// The verifier crosses as an opaque external handed to free functions (and the allow-list as
// a function of its own, below), not as `#[napi]` classes with methods: napi-rs registers and
// releases a native borrow of a class receiver on every call (an allocation and two updates of a global map behind a mutex),
// which cost more than the HMAC of a 100-byte webhook. An external costs one lookup in
// napi-rs's payload registry (which checks its type, also behind a mutex) and no allocation:
// 112 ns for an empty call with the verifier's arguments, against 230 ns as a method.

/// Builds an allow-list from `(entries, { testMode })`: its own `invoke`, for the operations
/// that take a list (`fast/invoke.rs`). The wrapper's `RedirectAllowList` holds it.
#[napi(catch_unwind, ts_return_type = "Outcome<NativeRedirectAllowList>")]
pub fn new_allow_list<'e>(env: &'e Env, args: Vec<Unknown<'_>>) -> Outcome<Unknown<'e>> {
    outcome(host::allow_list(&value::values(&args), JS).and_then(|list| {
        // A function N-API could not make is the internal failure, typed like every other.
        fast::bound_invoker(env, list).map_err(|_| Error::Internal { what: "an allow-list's function" })
    }))
}

/// Builds a prepared `Stripe-Signature` verifier from `(secrets, { tolerance })`; the
/// wrapper's `Verifier` holds it.
#[napi(catch_unwind, ts_return_type = "Outcome<NativeVerifier>")]
pub fn new_verifier(args: Vec<Unknown<'_>>) -> Outcome<External<Arc<CoreVerifier>>> {
    outcome(host::new_verifier(&value::values(&args), JS).map(|v| External::new(Arc::new(v))))
}

/// The hot path of verifier `v`, `[check, verify, call]`: functions bound to the verifier,
/// called as `check(payload, header, now)`, `verify(payload, header, now, out)` and
/// `call(methodIndex, payload, header, now, out)` for a method whose record is flat (`fast/verifier.rs`).
#[napi(catch_unwind, ts_return_type = "[NativeCheck, NativeVerify, NativeCall]")]
pub fn verifier_bind<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "NativeVerifier")] v: &External<Arc<CoreVerifier>>,
) -> napi::Result<Array<'e>> {
    fast::bind(env, v)
}

/// The three arguments of every verifier method, as the host gave them (`value::values`:
/// typed arrays borrowed last).
fn three<'a>(payload: Unknown<'a>, header: Unknown<'a>, now: Unknown<'a>) -> Vec<Value<'a>> {
    value::values(&[payload, header, now])
}

/// `tryVerify(payload, header, now?)` of verifier `v`: never a failure for a failed verification.
#[napi(catch_unwind)]
pub fn verifier_try_verify<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "NativeVerifier")] v: &External<Arc<CoreVerifier>>,
    payload: Unknown<'e>,
    header: Unknown<'e>,
    now: Unknown<'e>,
) -> Outcome<Unknown<'e>> {
    let r = {
        let a = three(payload, header, now);
        host::verifier::try_verify(v, [&a[0], &a[1], &a[2]], &OsEnv, JS)
    };
    converted(env, Ok(r))
}

/// Method `index` of the schema's `verifier.methods` that runs in the core (every one but
/// `check`, `verify` and `tryVerify`) on verifier `v`: the wrapper names them.
#[napi(catch_unwind)]
pub fn verifier_call<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "NativeVerifier")] v: &External<Arc<CoreVerifier>>,
    index: u32,
    payload: Unknown<'e>,
    header: Unknown<'e>,
    now: Unknown<'e>,
) -> Outcome<Unknown<'e>> {
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    let r = {
        let a = three(payload, header, now);
        host::verifier::call(v, index, [&a[0], &a[1], &a[2]], &OsEnv, JS)
    };
    converted(env, r)
}
