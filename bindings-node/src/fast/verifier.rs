//! The verifier's bound functions, `[check, verify, call]` (the module's Safety list, item 1:
//! each function's callback data is a counted reference to its verifier).
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{sys, JsValue, ValueType};
use stripe_handshake::host::{self, OsEnv, Value};
use stripe_handshake::{Error, Verifier};

use super::{is_array_buffer, returned, string_into, typed_array};
use crate::errors::NativeFailure;
use crate::value;
use crate::JS;

/// Bytes of a string argument read without an allocation: a `Stripe-Signature` header with a
/// few signatures, or a small payload. Longer strings are read by `value.rs`.
const SHORT: usize = 1024;

/// Makes the verifier's `check`, `verify` and `call` functions, each holding its own
/// reference to `v` (released by the function's finalizer). Returns `[check, verify, call]`.
pub fn bind<'e>(env: &'e napi::Env, v: &Arc<Verifier>) -> napi::Result<napi::bindgen_prelude::Array<'e>> {
    let mut bound = env.create_array(3)?;
    bound.set(0, function(env, "check", check_callback, v)?)?;
    bound.set(1, function(env, "verify", verify_callback, v)?)?;
    bound.set(2, function(env, "call", call_callback, v)?)?;
    Ok(bound)
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// One function whose callback data is a counted reference to `v` (Safety 1).
fn function<'e>(env: &'e napi::Env, name: &str, cb: Callback, v: &Arc<Verifier>) -> napi::Result<Unknown<'e>> {
    let data = Arc::into_raw(Arc::clone(v)).cast_mut().cast::<c_void>();
    let mut f = ptr::null_mut();
    // SAFETY (2): `env` is this call's; the name is `name.len()` bytes of UTF-8.
    let made = unsafe {
        sys::napi_create_function(env.raw(), name.as_ptr().cast(), name.len() as isize, Some(cb), data, &mut f)
    };
    if made != sys::Status::napi_ok {
        // No function holds the reference: give it back.
        // SAFETY (1): `data` came from `Arc::into_raw` just above and was handed to no one.
        drop(unsafe { Arc::from_raw(data.cast_const().cast::<Verifier>()) });
        return Err(napi::Error::from_reason("napi_create_function failed"));
    }
    // SAFETY (1, 2): the finalizer releases the reference when the function is collected.
    let owned = unsafe { sys::napi_add_finalizer(env.raw(), f, data, Some(release), ptr::null_mut(), ptr::null_mut()) };
    if owned != sys::Status::napi_ok {
        // The function exists with the pointer as its data but is never handed out, so it is
        // never called; the reference is leaked rather than freed under it.
        return Err(napi::Error::from_reason("napi_add_finalizer failed"));
    }
    // SAFETY (2): `f` is a value of this call's env.
    unsafe { Unknown::from_napi_value(env.raw(), f) }
}

/// The finalizer of a bound function: releases its reference to the verifier.
unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY (1): the one `Arc::from_raw` of this function's reference.
    drop(unsafe { Arc::from_raw(data.cast_const().cast::<Verifier>()) });
}

/// Writes `fields` into the `Float64Array` `out` (the wrapper's reused result buffer), or
/// fails if it is not one of at least that length over an `ArrayBuffer`. Called once the
/// arguments are dropped, with nothing called in between (Safety 3).
fn write_numbers(env: sys::napi_env, out: sys::napi_value, fill: impl FnOnce(&mut [f64]) -> bool) -> bool {
    let Some((kind, len, data, buffer)) = typed_array(env, out) else { return false };
    if kind != sys::TypedarrayType::float64_array || is_array_buffer(env, buffer) != Some(true) || data.is_null() {
        return false;
    }
    if !data.cast::<f64>().is_aligned() {
        return false;
    }
    // SAFETY (2, 3): a live, unshared, aligned Float64Array of `len` elements; no JavaScript
    // runs while the slice lives, and no other Rust reference to these bytes is alive.
    fill(unsafe { std::slice::from_raw_parts_mut(data.cast::<f64>(), len) })
}

/// The verifier and up to `N` arguments of this call (missing ones are `undefined`), or
/// `None` if N-API refused.
///
/// SAFETY: `info` must be the callback info of a function made by [`function`], and the
/// verifier reference must not outlive the callback (Safety 1, 2).
unsafe fn arguments<'call, const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<(&'call Verifier, [napi::Result<Unknown<'call>>; N])> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    let mut data = ptr::null_mut();
    // SAFETY (2): `argv` has room for `argc` values.
    let got = unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) };
    if got != sys::Status::napi_ok || data.is_null() {
        return None;
    }
    // SAFETY (1): the data is a live verifier for the duration of the call. (2): this call's
    // values, wrapped; nothing is read yet.
    Some((unsafe { &*data.cast_const().cast::<Verifier>() }, argv.map(|v| unsafe { Unknown::from_napi_value(env, v) })))
}

/// A string argument that fits in `scratch`, read with one call; `None` for anything else.
fn short_string<'a>(v: &Unknown<'_>, ty: ValueType, scratch: &'a mut [u8; SHORT]) -> Option<Value<'a>> {
    if ty != ValueType::String {
        return None;
    }
    string_into(v, scratch).ok().map(|(s, _)| Value::Str(Cow::Borrowed(s)))
}

/// Reads `[payload, header, now]` as `value.rs` reads every argument list (typed arrays
/// last), a short string payload or header into its scratch buffer. `now` is a number; a
/// string there is refused anyway, so it has no buffer.
fn three<'a>(args: &[Unknown<'a>; 3], sp: &'a mut [u8; SHORT], sh: &'a mut [u8; SHORT]) -> [Value<'a>; 3] {
    let mut scratch = [Some(sp), Some(sh)];
    let mut a = [Value::Absent, Value::Absent, Value::Absent];
    value::read_arguments(args, &mut a, |i, arg, ty| {
        scratch
            .get_mut(i)
            .and_then(Option::take)
            .and_then(|b| short_string(arg, ty, b))
            .unwrap_or_else(|| value::typed(arg, ty))
    });
    a
}

/// `check(payload, header, now?)`: `null` when it verifies, else the error code (`internal`
/// for a panic, as for any other failure: `check` reports, it does not throw).
unsafe extern "C" fn check_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || {
        // SAFETY: `info` is this callback's, of a function made by `function`.
        let Some((v, [Ok(p), Ok(h), Ok(n)])) = (unsafe { arguments::<3>(env, info) }) else { return Some("internal") };
        let (mut sp, mut sh) = ([0; SHORT], [0; SHORT]);
        let a = three(&[p, h, n], &mut sp, &mut sh);
        host::verifier::check(v, [&a[0], &a[1], &a[2]], &OsEnv, JS)
    };
    let code: Option<&'static str> = catch_unwind(AssertUnwindSafe(run)).unwrap_or(Some("internal"));
    returned(env, code, false)
}

/// `verify(payload, header, now, out)`: writes the verified signature's fields into `out`
/// (the wrapper's reused `Float64Array`, in the schema's field order) and returns
/// `undefined`, or returns the failure.
unsafe extern "C" fn verify_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || -> Option<Box<NativeFailure>> {
        // SAFETY: `info` is this callback's, of a function made by `function`.
        let Some((v, [Ok(p), Ok(h), Ok(n), Ok(out)])) = (unsafe { arguments::<4>(env, info) }) else {
            return Some(Box::new(Error::Internal { what: "verify's arguments" }.into()));
        };
        let fields = {
            let (mut sp, mut sh) = ([0; SHORT], [0; SHORT]);
            let a = three(&[p, h, n], &mut sp, &mut sh);
            host::verifier::verify_numbers(v, [&a[0], &a[1], &a[2]], &OsEnv, JS)
        };
        match fields {
            Ok(fields) => {
                (!write_numbers(env, out.raw(), |o| o.get_mut(..2).map(|o| o.copy_from_slice(&fields)).is_some()))
                    .then(|| Box::new(Error::Internal { what: "verify's result buffer" }.into()))
            }
            Err(e) => Some(Box::new(e.into())),
        }
    };
    let failure = catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|_| Some(Box::new(Error::Internal { what: "a panic" }.into())));
    match failure {
        // A null napi_value returns `undefined`.
        None => ptr::null_mut(),
        Some(f) => returned(env, *f, true),
    }
}

/// `call(index, payload, header, now, out)`: runs method `index` of the schema's
/// `verifier.methods` (one whose record is flat: `host::flat_record`) and returns the
/// record's texts as one string, its numbers written into `out` (the wrapper's reused
/// `Float64Array`), or returns the failure.
unsafe extern "C" fn call_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || -> Result<String, Box<NativeFailure>> {
        let internal = |what| Box::new(NativeFailure::from(Error::Internal { what }));
        // SAFETY: `info` is this callback's, of a function made by `function`.
        let Some((v, [Ok(i), Ok(p), Ok(h), Ok(n), Ok(out)])) = (unsafe { arguments::<5>(env, info) }) else {
            return Err(internal("a verifier method's arguments"));
        };
        // SAFETY (2): this call's value; napi-rs checks that it is a number.
        let index = unsafe { u32::from_napi_value(env, i.raw()) }.map_err(|_| internal("a verifier method's index"))?;
        let record = {
            let (mut sp, mut sh) = ([0; SHORT], [0; SHORT]);
            let a = three(&[p, h, n], &mut sp, &mut sh);
            let index = usize::try_from(index).unwrap_or(usize::MAX);
            host::verifier::call(v, index, [&a[0], &a[1], &a[2]], &OsEnv, JS).map_err(|e| Box::new(e.into()))?
        };
        let mut texts = None;
        if !write_numbers(env, out.raw(), |o| {
            texts = host::flat_record(&record, o);
            texts.is_some()
        }) {
            return Err(internal("a verifier method's record or result buffer"));
        }
        texts.ok_or_else(|| internal("a verifier method's record"))
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(texts)) => returned(env, texts, true),
        Ok(Err(failure)) => returned(env, *failure, true),
        Err(_) => returned(env, NativeFailure::from(Error::Internal { what: "a panic" }), true),
    }
}
