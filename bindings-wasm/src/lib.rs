//! WebAssembly binding of stripe-handshake for browsers and edge runtimes: conversion only.
//!
//! The core owns every rule and the binding schema (`stripe_handshake::host`). This crate
//! converts JS values into `host::Value`s (`value.rs`), results into JS values (`out.rs`)
//! and errors into thrown `Error`s carrying `code` (`errors.rs`, the one mapping). The
//! clock is `Date.now()`, randomness `crypto.getRandomValues`. The JS wrapper shared with
//! the Node package names the functions from `schema()`. A panic traps (wasm32 has no
//! unwinding): the wrapper reports it as `InternalError` and the instance must be replaced.
#![forbid(unsafe_code)]
#![allow(clippy::needless_pass_by_value)] // wasm-bindgen exports take owned values

mod errors;
mod out;
mod value;

use js_sys::Array;
use stripe_handshake::host::{self, Env, Spelling, Value};
use stripe_handshake::{RedirectAllowList as CoreAllowList, Result, Verifier as CoreVerifier};
use wasm_bindgen::prelude::*;

use errors::thrown;

const JS: Spelling = Spelling::Camel;

/// The browser's clock and random source.
struct WebEnv;

impl Env for WebEnv {
    fn now(&self) -> Result<u64> {
        host::secs_from_millis(js_sys::Date::now())
    }

    fn random(&self) -> Result<[u8; 32]> {
        stripe_handshake::state::random_bytes()
    }
}

/// The binding schema (JSON): operations, record kinds, verifier methods, error codes.
#[wasm_bindgen]
pub fn schema() -> String {
    host::schema_json()
}

/// The arguments of operation `op` from the wrapper's flat list, the options objects it read
/// into pairs (bit `p` of `encoded` for argument `p`) turned back into objects
/// (`host::arguments_from_flat`).
fn arguments(op: u32, flat: &Array, encoded: u32) -> Vec<Value<'static>> {
    host::arguments_from_flat(op as usize, value::values(flat), encoded, JS)
}

/// Runs operation `op` (an index into the schema's operations) on `args` (flat).
#[wasm_bindgen]
pub fn call(op: u32, args: Array, encoded: u32) -> std::result::Result<JsValue, JsValue> {
    thrown(host::call(op as usize, &arguments(op, &args, encoded), &WebEnv, JS)).map(out::to_js)
}

/// Runs operation `op`, one that checks state tokens, for the wrapper that consumes the token's
/// nonce in the caller's store afterwards (`host::call_consuming`).
#[wasm_bindgen(js_name = callConsuming)]
pub fn call_consuming(op: u32, args: Array, encoded: u32) -> std::result::Result<JsValue, JsValue> {
    thrown(host::call_consuming(op as usize, &arguments(op, &args, encoded), &WebEnv, JS)).map(out::to_js)
}

/// Runs operation `op` with `list` in its allow-list parameter (no operation that takes one
/// checks a state token: `consuming` is an internal error, as in the addon's `invoke`).
#[wasm_bindgen(js_name = callWithList)]
pub fn call_with_list(
    op: u32,
    args: Array,
    list: &NativeRedirectAllowList,
    encoded: u32,
    consuming: bool,
) -> std::result::Result<JsValue, JsValue> {
    if consuming {
        return thrown(Err(stripe_handshake::Error::Internal { what: "a consuming call with an allow-list" }))
            .map(out::to_js);
    }
    thrown(host::call_with_list(op as usize, arguments(op, &args, encoded), &list.inner, &WebEnv, JS)).map(out::to_js)
}

/// A redirect allow-list checked once; the wrapper's `RedirectAllowList` holds one.
#[wasm_bindgen]
pub struct NativeRedirectAllowList {
    inner: CoreAllowList,
}

/// Builds an allow-list from `(entries, { testMode })`.
#[wasm_bindgen(js_name = newAllowList)]
pub fn new_allow_list(args: Array) -> std::result::Result<NativeRedirectAllowList, JsValue> {
    thrown(host::allow_list(&value::values(&args), JS)).map(|inner| NativeRedirectAllowList { inner })
}

/// A prepared `Stripe-Signature` verifier; the wrapper's `Verifier` holds one.
#[wasm_bindgen]
pub struct NativeVerifier {
    inner: CoreVerifier,
}

/// Builds a verifier from `(secrets, { tolerance })`.
#[wasm_bindgen(js_name = newVerifier)]
pub fn new_verifier(args: Array) -> std::result::Result<NativeVerifier, JsValue> {
    thrown(host::new_verifier(&value::values(&args), JS)).map(|inner| NativeVerifier { inner })
}

fn three(p: &JsValue, h: &JsValue, n: &JsValue) -> [Value<'static>; 3] {
    [value::value(p), value::value(h), value::value(n)]
}

// The verifier methods are free functions taking the verifier, as in the Node addon (where
// a class receiver costs a native-borrow registration per call): one shape for the shared
// wrapper (`api.mjs`).

/// `verify(payload, header, now?)` of verifier `v`: writes the verified signature's fields
/// into `out` (the wrapper's reused buffer, in the schema's field order), or throws the failure.
#[wasm_bindgen(js_name = verifierVerify)]
pub fn verifier_verify(
    v: &NativeVerifier,
    payload: JsValue,
    header: JsValue,
    now: JsValue,
    out: &mut [f64],
) -> std::result::Result<(), JsValue> {
    let a = three(&payload, &header, &now);
    let fields = thrown(host::verifier::verify_numbers(&v.inner, [&a[0], &a[1], &a[2]], &WebEnv, JS))?;
    let [timestamp, index] = out else {
        return thrown(Err(stripe_handshake::Error::Internal { what: "verify's result buffer" }));
    };
    [*timestamp, *index] = fields;
    Ok(())
}

/// `check(payload, header, now?)` of verifier `v`: undefined when it verifies, else the error code.
#[wasm_bindgen(js_name = verifierCheck)]
pub fn verifier_check(v: &NativeVerifier, payload: JsValue, header: JsValue, now: JsValue) -> Option<String> {
    let a = three(&payload, &header, &now);
    host::verifier::check(&v.inner, [&a[0], &a[1], &a[2]], &WebEnv, JS).map(str::to_owned)
}

/// `tryVerify(payload, header, now?)` of verifier `v`: never throws for a failed verification.
#[wasm_bindgen(js_name = verifierTryVerify)]
pub fn verifier_try_verify(v: &NativeVerifier, payload: JsValue, header: JsValue, now: JsValue) -> JsValue {
    let a = three(&payload, &header, &now);
    out::to_js(host::verifier::try_verify(&v.inner, [&a[0], &a[1], &a[2]], &WebEnv, JS))
}

/// Method `index` of the schema's `verifier.methods` that runs in the core (every one but the
/// three above) on verifier `v`: the wrapper names them.
#[wasm_bindgen(js_name = verifierCall)]
pub fn verifier_call(
    v: &NativeVerifier,
    index: u32,
    payload: JsValue,
    header: JsValue,
    now: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    let a = three(&payload, &header, &now);
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    thrown(host::verifier::call(&v.inner, index, [&a[0], &a[1], &a[2]], &WebEnv, JS)).map(out::to_js)
}
