//! JavaScript values into the core's host values: conversion only, no judgement.
//!
//! Every JS value becomes some `Value` (never a napi conversion error, whose messages can
//! render the value). Strings are checked for lone surrogates, which napi would otherwise
//! turn into U+FFFD silently.
//!
//! Bytes are borrowed only where nothing can take them away while the core reads them.
//! Reading a list or an object can run JavaScript (a getter, a Proxy trap), and that code
//! could detach or shrink a typed array read before it. So an argument list is read in two
//! phases ([`read_arguments`]): every argument that is not a typed array first, then the typed arrays,
//! borrowed; typed arrays inside lists and objects (keys in options) are copied, and so are
//! the bytes of a `SharedArrayBuffer`, which another thread may write while they are read.

use std::borrow::Cow;

use napi::bindgen_prelude::{
    Array, FromNapiValue, JsObjectValue, KeyCollectionMode, KeyConversion, KeyFilter, Object, Unknown,
};
use napi::{JsString, JsValue, ValueType};
use stripe_handshake::host::{HostType, Value, MAX_LIST_LEN};

use crate::fast::{clear_exception, uint8_bytes};

/// How deep options may nest (`{ stateKeys: [{ id, key }] }` is 3).
const MAX_DEPTH: usize = 4;

/// Converts one JS value of type `ty` (`typeof`, asked once by [`read_arguments`]), copying
/// the bytes of any typed array in it. Never fails: what cannot be read becomes
/// `Value::Other`.
#[inline(always)] // so that a number or a string is written into its slot, not copied there
pub fn typed<'a>(v: &Unknown<'a>, ty: ValueType) -> Value<'a> {
    // The values that run no JavaScript when read, first and without a `Result` in between:
    // through `read_typed` each was written to the stack a word at a time and read back wider
    // (a stalled load, most of an options call's reading by perf annotate).
    match ty {
        ValueType::Undefined | ValueType::Null => return Value::Absent,
        ValueType::Number => {
            if let Ok(n) = f64::from_unknown(*v) {
                return Value::Number(n);
            }
        }
        _ => {}
    }
    read_typed(v, ty, 0).unwrap_or_else(|_| {
        // A getter or Proxy trap threw: the value is one the core refuses.
        clear_exception(v);
        Value::Other(HostType::Object)
    })
}

/// Converts an argument list into `out` (a slot per argument): every argument that is not a
/// typed array first, in order, by `first` (given its position and its type, asked once),
/// then the typed arrays with their bytes borrowed, so that no JavaScript runs while bytes are
/// borrowed. The caller drops the values before anything is made for JavaScript.
pub fn read_arguments<'a>(
    args: &[Unknown<'a>],
    out: &mut [Value<'a>],
    mut first: impl FnMut(usize, &Unknown<'a>, ValueType) -> Value<'a>,
) {
    let mut later = false;
    for (i, (slot, a)) in out.iter_mut().zip(args).enumerate() {
        *slot = match a.get_type() {
            Ok(ValueType::Object) if is_typed_array(a) => {
                later = true;
                Value::Absent
            }
            Ok(ty) => first(i, a, ty),
            Err(_) => Value::Other(HostType::Object),
        };
    }
    if !later {
        return;
    }
    for (slot, a) in out.iter_mut().zip(args) {
        if matches!(slot, Value::Absent) && is_typed_array(a) {
            // SAFETY: every other argument is read, and the caller drops the values before
            // anything is made for JavaScript.
            #[allow(unsafe_code)]
            let bytes = unsafe { borrowed_bytes(a) };
            *slot = bytes;
        }
    }
}

/// Converts an argument list ([`read_arguments`], each argument by [`typed`]).
pub fn values<'a>(args: &[Unknown<'a>]) -> Vec<Value<'a>> {
    let mut out: Vec<Value<'a>> = args.iter().map(|_| Value::Absent).collect();
    read_arguments(args, &mut out, |_, a, ty| typed(a, ty));
    out
}

fn is_typed_array(v: &Unknown<'_>) -> bool {
    v.is_typedarray().unwrap_or(false)
}

/// A typed array argument, its bytes borrowed (copied if they are a `SharedArrayBuffer`'s).
///
/// # Safety
/// As [`uint8_bytes`]: call it once every other argument is read, and drop the value before
/// anything is made for JavaScript; nothing may run JavaScript while the borrow lives.
#[allow(unsafe_code)]
unsafe fn borrowed_bytes<'a>(v: &Unknown<'a>) -> Value<'a> {
    // SAFETY: the caller's, as this function's.
    match unsafe { uint8_bytes(v) } {
        Some((bytes, false)) => Value::Bytes(Cow::Borrowed(bytes)),
        Some((bytes, true)) => Value::Bytes(Cow::Owned(bytes.to_vec())),
        None => Value::Other(HostType::Object),
    }
}

fn read<'a>(v: &Unknown<'a>, depth: usize) -> napi::Result<Value<'a>> {
    read_typed(v, v.get_type()?, depth)
}

fn read_typed<'a>(v: &Unknown<'a>, ty: ValueType, depth: usize) -> napi::Result<Value<'a>> {
    Ok(match ty {
        ValueType::Undefined | ValueType::Null => Value::Absent,
        ValueType::Boolean => Value::Bool(bool::from_unknown(*v)?),
        ValueType::Number => Value::Number(f64::from_unknown(*v)?),
        ValueType::String => string(v)?,
        ValueType::BigInt => Value::Other(HostType::BigInt),
        ValueType::Symbol => Value::Other(HostType::Symbol),
        ValueType::Function => Value::Other(HostType::Function),
        // Copied: JavaScript may run after this (module docs).
        // SAFETY: the bytes are copied at once, before anything else runs.
        #[allow(unsafe_code)]
        ValueType::Object if v.is_typedarray()? => match unsafe { uint8_bytes(v) } {
            Some((bytes, _)) => Value::Bytes(Cow::Owned(bytes.to_vec())),
            None => Value::Other(HostType::Object),
        },
        ValueType::Object if depth >= MAX_DEPTH => Value::Other(HostType::Object),
        ValueType::Object if v.is_array()? => {
            let arr = Array::from_unknown(*v)?;
            if arr.len() as usize > MAX_LIST_LEN {
                // Too long to be any argument: the reader refuses it by its type.
                return Ok(Value::Other(HostType::Object));
            }
            let mut items = Vec::with_capacity(arr.len() as usize);
            for i in 0..arr.len() {
                items.push(match arr.get::<Unknown>(i)? {
                    Some(item) => read(&item, depth.saturating_add(1))?,
                    None => Value::Absent,
                });
            }
            Value::List(items)
        }
        ValueType::Object => {
            let obj = Object::from_unknown(*v)?;
            // Own enumerable keys only; each value is read with the key value itself, so no
            // key string is made (and interned) again.
            let names = obj.get_all_property_names(
                KeyCollectionMode::OwnOnly,
                KeyFilter::Enumerable,
                KeyConversion::NumbersToStrings,
            )?;
            let names = Array::from_unknown(names.to_unknown())?;
            if names.len() as usize > MAX_LIST_LEN {
                return Ok(Value::Other(HostType::Object));
            }
            let mut entries = Vec::with_capacity(names.len() as usize);
            for i in 0..names.len() {
                let Some(key) = names.get::<Unknown>(i)? else { continue };
                if key.get_type()? != ValueType::String {
                    continue; // a symbol key cannot name an option
                }
                let name = String::from_unknown(key)?;
                let item: Unknown = obj.get_property(key)?;
                entries.push((Cow::Owned(name), read(&item, depth.saturating_add(1))?));
            }
            Value::Map(entries)
        }
        _ => Value::Other(HostType::Object),
    })
}

/// Whether a string that N-API converted to UTF-8 may hold a lone surrogate (which N-API
/// replaces with U+FFFD): then it must be read again as UTF-16 to tell.
pub fn may_hide_lone_surrogate(s: &str) -> bool {
    !s.is_ascii() && s.contains('\u{FFFD}')
}

/// A JS string as UTF-8; a lone surrogate (which napi would replace with U+FFFD) is
/// reported as such. Only strings that contain U+FFFD after conversion are re-read.
fn string<'a>(v: &Unknown<'a>) -> napi::Result<Value<'a>> {
    let s = String::from_unknown(*v)?;
    if may_hide_lone_surrogate(&s) {
        let units = JsString::from_unknown(*v)?.into_utf16()?;
        if String::from_utf16(units.as_slice()).is_err() {
            return Ok(Value::IllFormedStr);
        }
    }
    Ok(Value::Str(Cow::Owned(s)))
}
