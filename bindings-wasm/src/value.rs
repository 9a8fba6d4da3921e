//! JavaScript values into the core's host values: conversion only, no judgement.
//!
//! Every JS value becomes some `Value`; nothing is coerced (wasm-bindgen's `&[u8]` would
//! read a string as one byte per character, and a mistyped `String` traps). Strings are
//! checked for lone surrogates, which `TextEncoder` would turn into U+FFFD silently.

use std::borrow::Cow;

use js_sys::{Array, JsString, Object, Reflect, Uint8Array};
use stripe_handshake::host::{HostType, Value, MAX_LIST_LEN};
use wasm_bindgen::{JsCast, JsValue};

const MAX_DEPTH: usize = 4;

/// Converts one JS value.
pub fn value(v: &JsValue) -> Value<'static> {
    read(v, 0)
}

/// Converts an argument list.
pub fn values(args: &Array) -> Vec<Value<'static>> {
    args.iter().map(|v| value(&v)).collect()
}

fn read(v: &JsValue, depth: usize) -> Value<'static> {
    // Each test below is a call into JS, and the kinds are disjoint: the common ones (strings,
    // numbers, bytes) are tried first, so a webhook's three arguments cost three or four calls.
    if let Some(s) = v.as_string() {
        // `as_string` encodes with TextEncoder, which turns a lone surrogate into U+FFFD: only a
        // result holding U+FFFD is checked again, code unit by code unit (one call into JS per
        // unit, so never for the ASCII headers and ids of the hot path).
        if !s.is_ascii() && s.contains('\u{FFFD}') && !v.unchecked_ref::<JsString>().is_valid_utf16() {
            return Value::IllFormedStr;
        }
        return Value::Str(Cow::Owned(s));
    }
    if let Some(n) = v.as_f64() {
        return Value::Number(n);
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Value::Bytes(Cow::Owned(a.to_vec()));
    }
    if v.is_undefined() || v.is_null() {
        return Value::Absent;
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if v.is_bigint() {
        return Value::Other(HostType::BigInt);
    }
    if v.is_symbol() {
        return Value::Other(HostType::Symbol);
    }
    if v.is_function() {
        return Value::Other(HostType::Function);
    }
    if depth >= MAX_DEPTH {
        return Value::Other(HostType::Object);
    }
    if Array::is_array(v) {
        let arr: &Array = v.unchecked_ref();
        if arr.length() as usize > MAX_LIST_LEN {
            return Value::Other(HostType::Object);
        }
        // Each element through Reflect.get, which catches: a getter that throws makes the list
        // a value the core refuses (as in the Node addon), not an exception through the module.
        let mut items = Vec::with_capacity(arr.length() as usize);
        for i in 0..arr.length() {
            match Reflect::get_u32(arr, i) {
                Ok(x) => items.push(read(&x, depth.saturating_add(1))),
                Err(_) => return Value::Other(HostType::Object),
            }
        }
        return Value::List(items);
    }
    // Any object, as napi reads it: not `instanceof Object`, which refuses a null-prototype
    // object and one from another realm.
    if v.is_object() {
        let obj: &Object = v.unchecked_ref();
        let keys = Object::keys(obj);
        if keys.length() as usize > MAX_LIST_LEN {
            return Value::Other(HostType::Object);
        }
        let mut entries = Vec::with_capacity(keys.length() as usize);
        for k in keys.iter() {
            let Some(name) = k.as_string() else { continue };
            let item =
                Reflect::get(obj, &k).map_or(Value::Other(HostType::Object), |x| read(&x, depth.saturating_add(1)));
            entries.push((Cow::Owned(name), item));
        }
        return Value::Map(entries);
    }
    Value::Other(HostType::Object)
}
