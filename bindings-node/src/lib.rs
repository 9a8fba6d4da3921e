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
mod out;
mod value;

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use stripe_handshake::host::{self, OsEnv, Spelling, Value};
use stripe_handshake::{Error, RedirectAllowList as CoreAllowList, Verifier as CoreVerifier};

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

/// Runs operation `op` (an index into the schema's operations) on `args`.
#[napi(catch_unwind)]
pub fn call<'e>(env: &'e Env, op: u32, args: Vec<Unknown<'e>>) -> Outcome<Unknown<'e>> {
    let values = value::values(&args);
    converted(env, host::call(op as usize, &values, &OsEnv, JS))
}

/// Runs operation `op`, one that checks state tokens, for the wrapper that consumes the token's
/// nonce in the caller's store afterwards (`host::call_consuming`).
#[napi(catch_unwind)]
pub fn call_consuming<'e>(env: &'e Env, op: u32, args: Vec<Unknown<'e>>) -> Outcome<Unknown<'e>> {
    let values = value::values(&args);
    converted(env, host::call_consuming(op as usize, &values, &OsEnv, JS))
}

/// Runs operation `op` with `list` in its allow-list parameter.
#[napi(catch_unwind)]
pub fn call_with_list<'e>(
    env: &'e Env,
    op: u32,
    args: Vec<Unknown<'e>>,
    list: &NativeRedirectAllowList,
) -> Outcome<Unknown<'e>> {
    converted(env, host::call_with_list(op as usize, value::values(&args), &list.inner, &OsEnv, JS))
}

/// A redirect allow-list checked once; the wrapper's `RedirectAllowList` holds one.
#[napi]
pub struct NativeRedirectAllowList {
    inner: CoreAllowList,
}

/// Builds an allow-list from `(entries, { testMode })`.
#[napi(catch_unwind)]
pub fn new_allow_list(args: Vec<Unknown<'_>>) -> Outcome<NativeRedirectAllowList> {
    outcome(host::allow_list(&value::values(&args), JS).map(|inner| NativeRedirectAllowList { inner }))
}

/// A prepared `Stripe-Signature` verifier; the wrapper's `Verifier` holds one.
#[napi]
pub struct NativeVerifier {
    inner: CoreVerifier,
}

/// Builds a verifier from `(secrets, { tolerance })`.
#[napi(catch_unwind)]
pub fn new_verifier(args: Vec<Unknown<'_>>) -> Outcome<NativeVerifier> {
    outcome(host::new_verifier(&value::values(&args), JS).map(|inner| NativeVerifier { inner }))
}

/// The three arguments of every verifier method, as the host gave them.
fn three<'a>(payload: &Unknown<'a>, header: &Unknown<'a>, now: &Unknown<'a>) -> [Value<'a>; 3] {
    [value::value(payload), value::value(header), value::value(now)]
}

#[napi]
impl NativeVerifier {
    /// `verify(payload, header, now?)`.
    #[napi(catch_unwind)]
    pub fn verify<'e>(
        &self,
        env: &'e Env,
        payload: Unknown<'e>,
        header: Unknown<'e>,
        now: Unknown<'e>,
    ) -> Outcome<Unknown<'e>> {
        let a = three(&payload, &header, &now);
        converted(env, host::verifier::verify(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, JS))
    }

    /// `check(payload, header, now?)`: null when it verifies, else the error code.
    #[napi(catch_unwind)]
    pub fn check(&self, payload: Unknown<'_>, header: Unknown<'_>, now: Unknown<'_>) -> Option<&'static str> {
        let a = three(&payload, &header, &now);
        host::verifier::check(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, JS)
    }

    /// `tryVerify(payload, header, now?)`: never throws for a failed verification.
    #[napi(catch_unwind)]
    pub fn try_verify<'e>(
        &self,
        env: &'e Env,
        payload: Unknown<'e>,
        header: Unknown<'e>,
        now: Unknown<'e>,
    ) -> Outcome<Unknown<'e>> {
        let a = three(&payload, &header, &now);
        converted(env, Ok(host::verifier::try_verify(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, JS)))
    }

    /// Method `index` of the schema's `verifier.methods` that runs in the core (every one
    /// but the three above): the wrapper names them.
    #[napi(catch_unwind)]
    pub fn call<'e>(
        &self,
        env: &'e Env,
        index: u32,
        payload: Unknown<'e>,
        header: Unknown<'e>,
        now: Unknown<'e>,
    ) -> Outcome<Unknown<'e>> {
        let a = three(&payload, &header, &now);
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        converted(env, host::verifier::call(&self.inner, index, [&a[0], &a[1], &a[2]], &OsEnv, JS))
    }
}
