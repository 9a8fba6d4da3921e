//! The one call of every operation, `invoke(consuming, op, list, mask, ...flat)`: every value
//! of the call read with one `napi_get_cb_info`, short strings into one stack buffer, then
//! `host::call_flat`. An allow-list is its own `invoke` (`bound_invoker`), the list the
//! function's callback data: an operation that takes a list calls the list's function.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{sys, JsValue, ValueType};
use stripe_handshake::host::{self, OsEnv, Value};
use stripe_handshake::{Error, RedirectAllowList as CoreAllowList};

use super::{returned, string_into};
use crate::errors::NativeFailure;
use crate::value;
use crate::JS;

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
    #[inline(always)] // see `value::typed`
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

/// The generic operation call, one N-API function for every operation without an allow-list
/// (`invoker`).
pub fn invoker(env: &napi::Env) -> napi::Result<Unknown<'_>> {
    function(env, ptr::null_mut())
}

/// An allow-list's own `invoke`: the same call, for the operations that take a list, with
/// `list` as its callback data (Safety 1: owned by the function, freed by its finalizer).
///
/// Why not an external handed to the one `invoke`: napi-rs checks an external's type in a
/// registry behind a global mutex on every use, 4% of a Connect link's call (perf), and this
/// function needs no check at all, since only this crate makes it.
pub fn bound_invoker(env: &napi::Env, list: CoreAllowList) -> napi::Result<Unknown<'_>> {
    let data = Box::into_raw(Box::new(list)).cast::<c_void>();
    let made = function(env, data);
    let Ok(f) = made else {
        // No function holds the list: free it.
        // SAFETY (1): `data` came from `Box::into_raw` just above and was handed to no one.
        drop(unsafe { Box::from_raw(data.cast::<CoreAllowList>()) });
        return made;
    };
    // SAFETY (1, 2): the finalizer frees the list when the function is collected.
    let owned =
        unsafe { sys::napi_add_finalizer(env.raw(), f.raw(), data, Some(release), ptr::null_mut(), ptr::null_mut()) };
    if owned != sys::Status::napi_ok {
        // The function exists with the pointer as its data but is never handed out, so it is
        // never called; the list is leaked rather than freed under it.
        return Err(napi::Error::from_reason("napi_add_finalizer failed"));
    }
    Ok(f)
}

/// The finalizer of an allow-list's function: frees the list.
unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY (1): the one `Box::from_raw` of this function's list.
    drop(unsafe { Box::from_raw(data.cast::<CoreAllowList>()) });
}

/// An `invoke` function with callback data `data` (null, or an allow-list's box).
fn function(env: &napi::Env, data: *mut c_void) -> napi::Result<Unknown<'_>> {
    let name = "invoke";
    let mut f = ptr::null_mut();
    // SAFETY (2): `env` is this call's; the name is `name.len()` bytes of UTF-8.
    let made = unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(invoke_callback),
            data,
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
/// `mask`), through the consuming form if `consuming` (`host::call_consuming`). The function
/// of an allow-list (`bound_invoker`) runs it with that list, whatever `list` is (the wrapper
/// passes the function itself); the one without a list requires `list` to be `undefined`.
/// Returns the result or the failure. Every value arrives as an argument of this one call:
/// reading them from an array cost an N-API call and a property lookup each.
unsafe extern "C" fn invoke_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let run = || -> Result<host::Out, Box<NativeFailure>> {
        let internal = |what| Box::new(NativeFailure::from(Error::Internal { what }));
        let mut argc = FLAT;
        let mut argv = [ptr::null_mut(); FLAT];
        let mut data = ptr::null_mut();
        // SAFETY (2): `argv` has room for `argc` values.
        let got = unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) };
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
        let whole = |n: napi::Result<f64>| n.ok().and_then(host::whole_u32);
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
        let list = if data.is_null() {
            let mut kind = 0;
            // SAFETY (2).
            if unsafe { sys::napi_typeof(env, *list, &mut kind) } != sys::Status::napi_ok
                || kind != sys::ValueType::napi_undefined
            {
                return Err(internal("an operation's allow-list"));
            }
            None
        } else {
            // SAFETY (1): the data of an allow-list's function is its list, alive while the
            // function can be called; only shared references are made, inside this call.
            Some(unsafe { &*data.cast_const().cast::<CoreAllowList>() })
        };
        // The arguments (which may borrow bytes) are dropped before the result is made.
        host::call_flat(op, consuming, values, mask, list, &OsEnv, JS).map_err(|e| Box::new(e.into()))
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
