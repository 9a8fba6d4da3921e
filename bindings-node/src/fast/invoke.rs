//! The one call of every operation, `invoke(consuming, op, list, mask, ...flat)`: every value
//! of the call read with one `napi_get_cb_info`, short strings into one stack buffer, then
//! `host::call_flat`.
#![allow(unsafe_code)]

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::bindgen_prelude::{External, FromNapiRef, FromNapiValue, Unknown};
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
