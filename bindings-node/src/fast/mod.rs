//! The verifier's hot path (`check`, `verify`, and `call` for the methods whose record is
//! flat) and the one call of every operation (`invoke`, its arguments flat) as plain N-API
//! callbacks (`verifier.rs`, `invoke.rs`), and the reading of typed arrays and short strings
//! (here): the one place in this crate that calls N-API directly.
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
//!    the verifier, and that of one made by [`bound_invoker`] a pointer from `Box::into_raw`
//!    of the allow-list; the function's finalizer is the only `from_raw` of it, and N-API runs
//!    it after the function can no longer be called. So while a callback runs, the data is a
//!    live verifier or list, and only shared references to it are made, which do not outlive
//!    the callback. (`invoker`'s function has no data: a null pointer.)
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

use std::ffi::c_void;
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{sys, JsValue};
use stripe_handshake::Error;

use crate::errors::NativeFailure;
use crate::value;

mod invoke;
mod verifier;

pub use invoke::{bound_invoker, invoker};
pub use verifier::bind;

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

/// A string argument (`typeof` said so) that fits in `buf`, read with one call: the string,
/// and the rest of `buf`; or what is left of `buf` for a string too long, or one that may
/// hold a lone surrogate, which `value.rs` reads.
///
/// An ASCII string is read as UTF-16 and narrowed here: V8 copies a one-byte string's units
/// into a UTF-16 buffer in bulk, where its UTF-8 writer goes a character at a time (8% of a
/// Connect link's call). Any other string is read again as UTF-8.
fn string_into<'a>(v: &Unknown<'_>, buf: &'a mut [u8]) -> Result<(&'a str, &'a mut [u8]), &'a mut [u8]> {
    const UNITS: usize = 1024;
    let (env, raw) = (v.value().env, v.raw());
    if buf.len() < 8 {
        return Err(buf);
    }
    let mut units = [std::mem::MaybeUninit::<u16>::uninit(); UNITS];
    let cap = UNITS.min(buf.len());
    let mut len = 0;
    // SAFETY (2): N-API writes at most `cap - 1` units and a NUL into `units` (`cap <= UNITS`).
    let read = unsafe { sys::napi_get_value_string_utf16(env, raw, units.as_mut_ptr().cast(), cap, &mut len) };
    if read == sys::Status::napi_ok && len.saturating_add(1) < cap {
        // SAFETY: N-API wrote the string's `len` units (all of it: it stopped short of `cap - 1`).
        let units = unsafe { std::slice::from_raw_parts(units.as_ptr().cast::<u16>(), len) };
        // Narrowed whatever the units are, and kept only if every one is ASCII (one pass
        // that the compiler vectorises). Otherwise read again below, over these bytes.
        let mut any = 0u16;
        for (b, &u) in buf.iter_mut().zip(units) {
            *b = u as u8;
            any |= u;
        }
        if any < 0x80 {
            let (head, rest) = buf.split_at_mut(len);
            // SAFETY: every byte of `head` is below 0x80, so it is ASCII and valid UTF-8.
            return Ok((unsafe { std::str::from_utf8_unchecked(head) }, rest));
        }
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
