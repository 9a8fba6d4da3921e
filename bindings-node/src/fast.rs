//! The verifier's hot path, `check` and `verify`, as plain N-API callbacks: the one place in
//! this crate that calls N-API directly.
//!
//! Why: a `#[napi]` function pays napi-rs's per-call machinery (a borrow scope allocated per
//! call, and for an external argument a type lookup in a registry behind a mutex) and reads
//! each string into a new heap allocation after a separate length query. For a 100-byte
//! webhook that was more than the HMAC itself (docs/benchmarks.md, issue 17). Here each
//! verifier gets its own pair of functions whose callback data is the verifier itself, so a
//! call is one `napi_get_cb_info` and the argument reads, and a short string is read into a
//! stack buffer with one call.
//!
//! What stays where it was: every JS value other than a short well-formed string is read by
//! `value.rs` (the one conversion rule), every verdict is the core's
//! (`host::verifier::{check, verify_numbers}`), and every failure becomes a `NativeFailure`
//! as in `errors.rs`.
//!
//! Safety, in one list (each `unsafe` block below names the item it relies on):
//! 1. The callback data of a function made by [`bind`] is a pointer from `Arc::into_raw` of
//!    the verifier; the function's finalizer is the only `Arc::from_raw` of it, and N-API runs
//!    it after the function can no longer be called. So while a callback runs, the data is a
//!    live `Arc<Verifier>`'s pointee, and only shared references to it are made.
//! 2. `napi_env` and `napi_value`s are the ones N-API handed this callback, used only inside
//!    it (the handle scope of the call keeps every argument alive).
//! 3. Memory a value borrows (a typed array's bytes, a stack buffer) outlives the borrow: no
//!    JavaScript runs during the call, so nothing can detach or resize the buffer.
//! 4. Every callback catches unwinds: a panic becomes an `internal` failure, never an abort
//!    across the FFI boundary.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, Unknown};
use napi::sys;
use stripe_handshake::host::{self, OsEnv, Value};
use stripe_handshake::{Error, Verifier};

use crate::errors::NativeFailure;
use crate::value;
use crate::JS;

/// Bytes of a string argument read without an allocation: a `Stripe-Signature` header with a
/// few signatures, or a small payload. Longer strings are read by `value.rs`.
const SHORT: usize = 1024;

/// Makes the verifier's `check` and `verify` functions, each holding its own reference to
/// `v` (released by the function's finalizer). Returns them as `[check, verify]`.
pub fn bind<'e>(env: &'e napi::Env, v: &Arc<Verifier>) -> napi::Result<napi::bindgen_prelude::Array<'e>> {
    let check = function(env.raw(), "check", check_callback, v)?;
    let verify = function(env.raw(), "verify", verify_callback, v)?;
    let mut pair = env.create_array(2)?;
    pair.set(0, check)?;
    pair.set(1, verify)?;
    Ok(pair)
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// One function whose callback data is a counted reference to `v` (Safety 1).
fn function(env: sys::napi_env, name: &str, cb: Callback, v: &Arc<Verifier>) -> napi::Result<Unknown<'static>> {
    let data = Arc::into_raw(Arc::clone(v)).cast_mut().cast::<c_void>();
    let mut f = ptr::null_mut();
    // SAFETY (2): `env` is this call's; the name is `name.len()` bytes of UTF-8.
    let made = unsafe { sys::napi_create_function(env, name.as_ptr().cast(), name.len() as isize, Some(cb), data, &mut f) };
    if made != sys::Status::napi_ok {
        // No function holds the reference: give it back.
        // SAFETY (1): `data` came from `Arc::into_raw` just above and was handed to no one.
        drop(unsafe { Arc::from_raw(data.cast_const().cast::<Verifier>()) });
        return Err(napi::Error::from_reason("napi_create_function failed"));
    }
    // SAFETY (1, 2): the finalizer releases the reference when the function is collected.
    let owned = unsafe { sys::napi_add_finalizer(env, f, data, Some(release), ptr::null_mut(), ptr::null_mut()) };
    if owned != sys::Status::napi_ok {
        // The function exists with the pointer as its data but is never handed out, so it is
        // never called; the reference is leaked rather than freed under it.
        return Err(napi::Error::from_reason("napi_add_finalizer failed"));
    }
    // SAFETY (2): `f` is a value of this call's env.
    unsafe { Unknown::from_napi_value(env, f) }
}

/// The finalizer of a bound function: releases its reference to the verifier.
unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY (1): the one `Arc::from_raw` of this function's reference.
    drop(unsafe { Arc::from_raw(data.cast_const().cast::<Verifier>()) });
}

/// The verifier and up to `N` arguments of this call (missing ones are `undefined`), or
/// `None` if N-API refused.
///
/// SAFETY: `info` must be the callback info of a function made by [`function`] (Safety 1, 2).
unsafe fn arguments<'v, const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Option<(&'v Verifier, [sys::napi_value; N])> {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    let mut data = ptr::null_mut();
    // SAFETY (2): `argv` has room for `argc` values.
    let got = unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) };
    if got != sys::Status::napi_ok || data.is_null() {
        return None;
    }
    // SAFETY (1): the data is a live verifier for the duration of the call.
    Some((unsafe { &*data.cast_const().cast::<Verifier>() }, argv))
}

/// Reads one argument: a short well-formed string into `scratch`, anything else by `value.rs`.
/// An empty `scratch` reads every value by `value.rs`.
///
/// SAFETY: `env` and `v` as in Safety 2.
unsafe fn read<'a>(env: sys::napi_env, v: sys::napi_value, scratch: &'a mut [u8]) -> Value<'a> {
    let mut kind = 0;
    // SAFETY (2).
    if !scratch.is_empty()
        && unsafe { sys::napi_typeof(env, v, &mut kind) } == sys::Status::napi_ok
        && kind == sys::ValueType::napi_string
    {
        let mut len = 0;
        let size = scratch.len();
        // SAFETY (2, 3): N-API writes at most `size - 1` bytes and a NUL into `scratch`.
        let read = unsafe { sys::napi_get_value_string_utf8(env, v, scratch.as_mut_ptr().cast(), size, &mut len) };
        // N-API writes whole characters only, so a string that stopped more than 4 bytes
        // (the longest character) short of the buffer's end is complete.
        if read == sys::Status::napi_ok && len + 4 < size - 1 {
            if let Ok(s) = std::str::from_utf8(&scratch[..len]) {
                // U+FFFD may stand for a lone surrogate that N-API replaced: `value.rs` tells.
                if s.is_ascii() || !s.contains('\u{FFFD}') {
                    return Value::Str(Cow::Borrowed(s));
                }
            }
        }
    }
    // SAFETY (2, 3): as `value.rs` reads every argument of a `#[napi]` function.
    match unsafe { Unknown::from_napi_value(env, v) } {
        Ok(u) => value::value(&u),
        Err(_) => Value::Other(host::HostType::Object),
    }
}

/// A value to return, or a null one if N-API refused (the call then returns `undefined`).
fn returned<T: ToNapiValue>(env: sys::napi_env, v: T) -> sys::napi_value {
    // SAFETY (2).
    unsafe { T::to_napi_value(env, v) }.unwrap_or(ptr::null_mut())
}

/// `check(payload, header, now?)`: `null` when it verifies, else the error code.
unsafe extern "C" fn check_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || {
        // SAFETY: `info` is this callback's, of a function made by `function`.
        let Some((v, [p, h, n])) = (unsafe { arguments::<3>(env, info) }) else { return Some("internal") };
        let (mut sp, mut sh) = ([0; SHORT], [0; SHORT]);
        // SAFETY (2): this call's values. (`now` is a number: a string is refused anyway.)
        let a = unsafe { [read(env, p, &mut sp), read(env, h, &mut sh), read(env, n, &mut [])] };
        host::verifier::check(v, [&a[0], &a[1], &a[2]], &OsEnv, JS)
    };
    let code = catch_unwind(AssertUnwindSafe(run)).unwrap_or(Some("internal"));
    returned(env, code.map_or(Either::Null, Either::Code))
}

/// `verify(payload, header, now, out)`: writes the verified signature's fields into `out`
/// (the wrapper's reused `Float64Array`, in the schema's field order) and returns
/// `undefined`, or returns the failure.
unsafe extern "C" fn verify_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || -> Option<NativeFailure> {
        // SAFETY: `info` is this callback's, of a function made by `function`.
        let Some((v, [p, h, n, o])) = (unsafe { arguments::<4>(env, info) }) else {
            return Some(Error::Internal { what: "verify's arguments" }.into());
        };
        // SAFETY (2, 3): this call's value; napi-rs checks it is a Float64Array.
        let Ok([timestamp, index]) = (unsafe { <&mut [f64]>::from_napi_value(env, o) }) else {
            return Some(Error::Internal { what: "verify's result buffer" }.into());
        };
        let (mut sp, mut sh) = ([0; SHORT], [0; SHORT]);
        // SAFETY (2): this call's values. (`now` is a number: a string is refused anyway.)
        let a = unsafe { [read(env, p, &mut sp), read(env, h, &mut sh), read(env, n, &mut [])] };
        match host::verifier::verify_numbers(v, [&a[0], &a[1], &a[2]], &OsEnv, JS) {
            Ok(fields) => {
                [*timestamp, *index] = fields;
                None
            }
            Err(e) => Some(e.into()),
        }
    };
    let failure = catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|_| Some(Error::Internal { what: "a panic" }.into()));
    match failure {
        // A null napi_value returns `undefined`.
        None => ptr::null_mut(),
        Some(f) => returned(env, f),
    }
}

/// What `check` returns.
enum Either {
    Null,
    Code(&'static str),
}

impl ToNapiValue for Either {
    unsafe fn to_napi_value(env: sys::napi_env, v: Self) -> napi::Result<sys::napi_value> {
        match v {
            // SAFETY (2).
            Self::Null => unsafe { <napi::bindgen_prelude::Null as ToNapiValue>::to_napi_value(env, napi::bindgen_prelude::Null) },
            // SAFETY (2).
            Self::Code(c) => unsafe { <&str as ToNapiValue>::to_napi_value(env, c) },
        }
    }
}
