//! WebAssembly binding of stripe-handshake for browsers and edge runtimes: conversion only.
//!
//! The core owns every rule and the binding schema (`stripe_handshake::host`). This crate
//! converts JS values into `host::Value`s (`value.rs`), results into JS values (`out.rs`)
//! and errors into thrown `Error`s carrying `code` (`errors.rs`, the one mapping). The
//! clock is `Date.now()`, randomness `crypto.getRandomValues`. The JS wrapper shared with
//! the Node package names the functions from the schema, which the build embeds (`schema()`
//! is exported only with feature `schema`). A panic traps (wasm32 has no
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

/// The binding schema (JSON): operations, record kinds, verifier methods, error codes. Only
/// in the build that scripts/build.mjs reads it from (feature `schema`), not in the package.
#[cfg(feature = "schema")]
#[wasm_bindgen]
pub fn schema() -> String {
    host::schema_json()
}

/// Runs operation `op` (an index into the schema's operations) on the wrapper's flat
/// arguments, options objects as pairs for the bits of `encoded`, through the consuming form if
/// `consuming` (`host::call_flat`; the addon's `invoke` takes the same values as its own).
#[wasm_bindgen]
pub fn call(op: u32, flat: Array, encoded: u32, consuming: bool) -> std::result::Result<JsValue, JsValue> {
    thrown(host::call_flat(op as usize, consuming, value::values(&flat), encoded, None, &WebEnv, JS)).map(out::to_js)
}

/// As [`call`], with `list` in the operation's allow-list parameter.
#[wasm_bindgen(js_name = callWithList)]
pub fn call_with_list(
    op: u32,
    flat: Array,
    list: &NativeRedirectAllowList,
    encoded: u32,
    consuming: bool,
) -> std::result::Result<JsValue, JsValue> {
    let values = value::values(&flat);
    thrown(host::call_flat(op as usize, consuming, values, encoded, Some(&list.inner), &WebEnv, JS)).map(out::to_js)
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
