//! The verifier's hot path (`check`, `verify`, and `call` for the methods whose record is
//! flat) and the one call of every operation (`invoke`, its arguments flat) as plain N-API
//! callbacks, and the reading of typed arrays: the one place in this crate that calls N-API
//! directly.
//!
//! Why: a `#[napi]` function pays napi-rs's per-call machinery (a borrow scope allocated per
//! call, and for an external argument a type lookup in a registry behind a mutex) and reads
//! each string into a new heap allocation after a separate length query. For a 100-byte
//! webhook that was more than the HMAC itself (docs/benchmarks.md, issue 17). Here each
//! verifier gets its own functions whose callback data is the verifier itself, so a call is
//! one `napi_get_cb_info` and the argument reads, and a short string is read into a stack
//! buffer with one call. `invoke` reads every value of an operation with one
//! `napi_get_cb_info` (reading them from an array cost an N-API call each) and its short
//! strings into one stack buffer.
//!
//! What stays where it was: every JS value other than a short well-formed string is read by
//! `value.rs` (the one conversion rule, and the order that keeps borrowed bytes valid), every
//! verdict is the core's (`host::verifier`), and every failure becomes a `NativeFailure` as in
//! `errors.rs`.
//!
//! Safety, in one list (each `unsafe` block below names the item it relies on):
//! 1. The callback data of a function made by [`bind`] is a pointer from `Arc::into_raw` of
//!    the verifier; the function's finalizer is the only `Arc::from_raw` of it, and N-API runs
//!    it after the function can no longer be called. So while a callback runs, the data is a
//!    live `Arc<Verifier>`'s pointee, and only shared references to it are made, which do not
//!    outlive the callback.
//! 2. `napi_env` and `napi_value`s are the ones N-API handed this call, used only inside it
//!    (the handle scope of the call keeps every argument alive).
//! 3. Bytes borrowed from a typed array stay valid while the borrow lives, because no
//!    JavaScript runs until it ends: arguments that can run JavaScript when read (a list or an
//!    object: getters, Proxy traps) are read first, typed arrays last (`value.rs`); the core
//!    runs no JavaScript; the result buffer is taken only after the arguments are dropped,
//!    and written before anything else is called. A `SharedArrayBuffer`'s bytes, which another
//!    thread may write at any time, are never borrowed as Rust slices: they are copied (input)
//!    or refused (the result buffer).
//! 4. Every callback catches unwinds: a panic becomes an `internal` failure, never an abort
//!    across the FFI boundary.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::{External, FromNapiRef, FromNapiValue, ToNapiValue, Unknown};
use napi::{sys, JsValue, ValueType};
use stripe_handshake::host::{self, OsEnv, Value};
use stripe_handshake::{Error, RedirectAllowList as CoreAllowList, Verifier};

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

/// The bytes of a `Uint8Array` (a `Buffer`), and whether they belong to a
/// `SharedArrayBuffer`; `None` for any other value.
///
/// # Safety
/// No JavaScript may run while the slice lives (Safety 3): the caller copies the bytes at
/// once, or reads every argument that can run JavaScript first and drops the slice before
/// anything is made for JavaScript. Shared bytes must be copied at once.
pub unsafe fn uint8_bytes<'a>(v: &Unknown<'a>) -> Option<(&'a [u8], bool)> {
    let (kind, len, data, buffer) = typed_array(v.value().env, v.raw())?;
    if kind != sys::TypedarrayType::uint8_array {
        return None;
    }
    let shared = !is_array_buffer(v.value().env, buffer)?;
    if len == 0 || data.is_null() {
        return Some((&[], shared));
    }
    // SAFETY (2, 3): N-API gives the first element's address and the element count of a live
    // typed array; the caller keeps JavaScript from running while the slice lives.
    Some((unsafe { std::slice::from_raw_parts(data.cast_const().cast::<u8>(), len) }, shared))
}

/// Clears the exception a caller's getter or Proxy trap left pending while a value was read,
/// so that the value is refused by the core like any other it cannot use (as the WASM build
/// and the options reader do), instead of the exception escaping as an internal error.
pub fn clear_exception(v: &Unknown<'_>) {
    let mut e = ptr::null_mut();
    // SAFETY (2): `e` is a local; with no exception pending this does nothing.
    unsafe { sys::napi_get_and_clear_last_exception(v.value().env, &mut e) };
}

/// `(type, element count, data, buffer)` of typed array `v`, or `None` if it is not one.
fn typed_array(env: sys::napi_env, v: sys::napi_value) -> Option<(i32, usize, *mut c_void, sys::napi_value)> {
    let (mut kind, mut len, mut data, mut buffer, mut offset) = (0, 0, ptr::null_mut(), ptr::null_mut(), 0);
    // SAFETY (2): every out-pointer is a local; N-API refuses a value that is not a typed array.
    let got =
        unsafe { sys::napi_get_typedarray_info(env, v, &mut kind, &mut len, &mut data, &mut buffer, &mut offset) };
    (got == sys::Status::napi_ok).then_some((kind, len, data, buffer))
}

/// Whether `buffer` is an `ArrayBuffer` (not a `SharedArrayBuffer`).
fn is_array_buffer(env: sys::napi_env, buffer: sys::napi_value) -> Option<bool> {
    let mut is = false;
    // SAFETY (2).
    (unsafe { sys::napi_is_arraybuffer(env, buffer, &mut is) } == sys::Status::napi_ok).then_some(is)
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

/// A string argument (`typeof` said so) that fits in `buf`, read with one call: the string,
/// and the rest of `buf`; or what is left of `buf` for a string too long, or one that may
/// hold a lone surrogate, which `value.rs` reads.
fn string_into<'a>(v: &Unknown<'_>, buf: &'a mut [u8]) -> Result<(&'a str, &'a mut [u8]), &'a mut [u8]> {
    let (env, raw) = (v.value().env, v.raw());
    if buf.len() < 8 {
        return Err(buf);
    }
    let mut len = 0;
    // SAFETY (2): N-API writes at most `buf.len() - 1` bytes and a NUL into `buf`.
    let read = unsafe { sys::napi_get_value_string_utf8(env, raw, buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    // N-API writes whole characters only, so a string that stopped more than 4 bytes (the
    // longest character) short of the buffer's end is complete.
    if read != sys::Status::napi_ok || len.saturating_add(4) >= buf.len() - 1 {
        return Err(buf);
    }
    let (head, rest) = buf.split_at_mut(len);
    match std::str::from_utf8(head) {
        Ok(s) if !value::may_hide_lone_surrogate(s) => Ok((s, rest)),
        // Read again by `value.rs`; the bytes read here stay unused.
        _ => Err(rest),
    }
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

/// Returns `v` to JavaScript. If it cannot be made (a string past V8's longest, say), the
/// `internal` failure is returned instead, and if that cannot be made either the call throws:
/// it never returns `undefined`, which `verify` means as success. (`check` answers with a
/// code, so its failure is the throw.)
fn returned<T: ToNapiValue>(env: sys::napi_env, v: T, failure_instead: bool) -> sys::napi_value {
    // SAFETY (2).
    if let Ok(v) = unsafe { T::to_napi_value(env, v) } {
        return v;
    }
    if failure_instead {
        let failure = NativeFailure::from(Error::Internal { what: "result conversion" });
        // SAFETY (2).
        if let Ok(v) = unsafe { NativeFailure::to_napi_value(env, failure) } {
            return v;
        }
    }
    // SAFETY (2): a static, NUL-terminated message; if an exception is pending already, that
    // one is thrown.
    unsafe {
        sys::napi_throw_error(env, c"internal".as_ptr(), c"stripe-handshake: a result could not be made".as_ptr())
    };
    ptr::null_mut()
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

/// Bytes for the strings of one generic call, read into them with one N-API call each instead
/// of a length query, an allocation and a copy.
const ARENA: usize = 2048;

/// Values one generic call reads with one `napi_get_cb_info` (its four leading values and the
/// flattened arguments); a call with more reads them into a vector.
const FLAT: usize = 64;

/// The strings of one call, each in its own part of one buffer.
struct Arena<'a> {
    rest: &'a mut [u8],
}

impl<'a> Arena<'a> {
    /// `v` (of type `ty`) as `value.rs` reads it; a short string into the arena.
    fn value(&mut self, v: &Unknown<'a>, ty: ValueType) -> Value<'a> {
        if ty != ValueType::String {
            return value::typed(v, ty);
        }
        match string_into(v, std::mem::take(&mut self.rest)) {
            Ok((s, rest)) => {
                self.rest = rest;
                Value::Str(Cow::Borrowed(s))
            }
            Err(buf) => {
                self.rest = buf;
                value::typed(v, ty)
            }
        }
    }
}

/// The generic operation call, one N-API function for every operation (`invoker`).
pub fn invoker(env: &napi::Env) -> napi::Result<Unknown<'_>> {
    let name = "invoke";
    let mut f = ptr::null_mut();
    // SAFETY (2): `env` is this call's; the name is `name.len()` bytes of UTF-8; no data.
    let made = unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(invoke_callback),
            ptr::null_mut(),
            &mut f,
        )
    };
    if made != sys::Status::napi_ok {
        return Err(napi::Error::from_reason("napi_create_function failed"));
    }
    // SAFETY (2): `f` is a value of this call's env.
    unsafe { Unknown::from_napi_value(env.raw(), f) }
}

/// `invoke(consuming, op, list, mask, ...flat)`: runs operation `op` on the arguments the
/// wrapper passed flat (`host::arguments_from_flat`, options objects as pairs for the bits of
/// `mask`), with allow-list `list` (a handle from `newAllowList`, or `undefined`), through
/// the consuming form if `consuming` (`host::call_consuming`). Returns the result or the
/// failure. Every value arrives as an argument of this one call: reading them from an array
/// cost an N-API call and a property lookup each.
unsafe extern "C" fn invoke_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || -> Result<host::Out, Box<NativeFailure>> {
        let internal = |what| Box::new(NativeFailure::from(Error::Internal { what }));
        let mut argc = FLAT;
        let mut argv = [ptr::null_mut(); FLAT];
        // SAFETY (2): `argv` has room for `argc` values.
        let got =
            unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut()) };
        if got != sys::Status::napi_ok {
            return Err(internal("an operation's arguments"));
        }
        let mut more = Vec::new();
        let raw: &[sys::napi_value] = if argc <= FLAT {
            argv.get(..argc).unwrap_or_default()
        } else {
            more.resize(argc, ptr::null_mut());
            let mut again = argc;
            // SAFETY (2): `more` has room for `again` values.
            let got = unsafe {
                sys::napi_get_cb_info(env, info, &mut again, more.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
            };
            if got != sys::Status::napi_ok {
                return Err(internal("an operation's arguments"));
            }
            more.get(..again.min(argc)).unwrap_or_default()
        };
        let [consuming, op, list, mask, flat @ ..] = raw else { return Err(internal("an operation's arguments")) };
        // SAFETY (2): this call's values; napi-rs checks each one's type.
        let (consuming, op, mask) = unsafe {
            (bool::from_napi_value(env, *consuming), f64::from_napi_value(env, *op), f64::from_napi_value(env, *mask))
        };
        // Whole numbers in range only: N-API's own uint32 reading would wrap 2^32 to 0 (another
        // operation) and -1 to every bit.
        let whole = |n: napi::Result<f64>| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            n.ok().map(|n| (n, n as u32)).filter(|&(n, k)| f64::from(k) == n).map(|(_, k)| k)
        };
        let (Ok(consuming), Some(op), Some(mask)) = (consuming, whole(op), whole(mask)) else {
            return Err(internal("an operation's arguments"));
        };
        let op = usize::try_from(op).unwrap_or(usize::MAX);
        let mut wrapped: Vec<Unknown<'_>> = Vec::with_capacity(flat.len());
        for v in flat {
            // SAFETY (2): this call's values, wrapped; nothing is read yet.
            wrapped
                .push(unsafe { Unknown::from_napi_value(env, *v) }.map_err(|_| internal("an operation's arguments"))?);
        }
        let flat = wrapped;
        let mut strings = [0u8; ARENA];
        let mut arena = Arena { rest: &mut strings };
        let mut values: Vec<Value<'_>> = flat.iter().map(|_| Value::Absent).collect();
        value::read_arguments(&flat, &mut values, |_, a, ty| arena.value(a, ty));
        let mut kind = 0;
        // SAFETY (2).
        if unsafe { sys::napi_typeof(env, *list, &mut kind) } != sys::Status::napi_ok {
            return Err(internal("an operation's allow-list"));
        }
        let list = if kind == sys::ValueType::napi_undefined {
            None
        } else {
            // SAFETY (2): this call's value; napi-rs checks that it is an allow-list it made, and
            // the reference is used only inside this call, while the handle keeps it alive. It is
            // taken after the arguments are read: a getter run while they are read could call an
            // operation with the same list, and napi-rs makes a `&mut` of it for each call.
            let list = unsafe { External::<CoreAllowList>::from_napi_ref(env, *list) };
            Some(&**list.map_err(|_| internal("an operation's allow-list"))?)
        };
        let args = host::arguments_from_flat(op, values, mask, JS);
        // The arguments (which may borrow bytes) are dropped before the result is made.
        match (list, consuming) {
            (Some(list), false) => host::call_with_list(op, args, list, &OsEnv, JS),
            (None, true) => host::call_consuming(op, &args, &OsEnv, JS),
            (None, false) => host::call(op, &args, &OsEnv, JS),
            (Some(_), true) => Err(Error::Internal { what: "a consuming call with an allow-list" }),
        }
        .map_err(|e| Box::new(e.into()))
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(out)) => {
            let env_ = napi::Env::from_raw(env);
            match crate::out::to_js(&env_, out) {
                Ok(v) => v.raw(),
                Err(_) => returned(env, NativeFailure::from(Error::Internal { what: "result conversion" }), true),
            }
        }
        Ok(Err(failure)) => returned(env, *failure, true),
        Err(_) => returned(env, NativeFailure::from(Error::Internal { what: "a panic" }), true),
    }
}
