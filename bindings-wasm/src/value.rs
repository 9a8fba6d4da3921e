//! JavaScript values into the core's host values: conversion only, no judgement.
//!
//! Every JS value becomes some `Value`; nothing is coerced (wasm-bindgen's `&[u8]` would
//! read a string as one byte per character, and a mistyped `String` traps). Strings are
//! checked for lone surrogates, which `TextEncoder` would turn into U+FFFD silently.

use std::borrow::Cow;

use js_sys::{Array, ArrayBuffer, Function, JsString, Object, Reflect, Symbol, Uint8Array};
use stripe_handshake::host::{HostType, Value, MAX_LIST_LEN};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// What js-sys declares without `catch`, declared with it: a revoked Proxy, or a Proxy whose
// trap throws, makes these throw, and an exception must not unwind through the module (the
// value is one the core refuses, `invalid_argument`, as in the Node addon).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(v: &JsValue) -> Result<Array, JsValue>;
    /// This realm's `Uint8Array`, as the type of a copy made by its constructor.
    #[wasm_bindgen(extends = Uint8Array, js_name = Uint8Array)]
    type ViewCopy;
    /// `new Uint8Array(view)`: a copy made from the view's internal slots (its `length` property,
    /// which the caller can redefine, is never read); throws for a detached or out-of-bounds view.
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(view: &JsValue) -> Result<ViewCopy, JsValue>;
}

thread_local! {
    /// `%TypedArray%.prototype[Symbol.toStringTag]`'s getter: a view's type name from its
    /// internal slot, in any realm, without running the caller's code.
    static TYPED_ARRAY_NAME: Option<Function> = {
        let proto = Object::get_prototype_of(&Uint8Array::new_with_length(0).into());
        let proto = Object::get_prototype_of(&proto);
        Reflect::get_own_property_descriptor(&proto, &Symbol::to_string_tag())
            .ok()
            .and_then(|d| Reflect::get(&d, &"get".into()).ok())
            .and_then(|g| g.dyn_into::<Function>().ok())
    };
}

/// A `Uint8Array` (a `Buffer` too), from this realm or another, told without `instanceof`
/// (which walks the prototype chain and so runs a Proxy's traps): `ArrayBuffer.isView` reads an
/// internal slot (no Proxy is a view), then the view's type name.
fn is_uint8_array(v: &JsValue) -> bool {
    ArrayBuffer::is_view(v)
        && TYPED_ARRAY_NAME.with(|get| {
            get.as_ref().and_then(|g| g.call0(v).ok()).and_then(|n| n.as_string()).as_deref() == Some("Uint8Array")
        })
}

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
    if is_uint8_array(v) {
        // Never `to_vec` on the caller's view: it sizes the copy by the view's `length` property
        // (an own property, a subclass's getter or a swapped prototype can say anything) while the
        // copy writes the view's real length, past the end of the buffer when the two differ. The
        // fresh copy is this realm's own Uint8Array, whose `length` is the intrinsic one.
        let bytes = ViewCopy::new(v).map_or_else(|_| Vec::new(), |fresh| fresh.unchecked_into::<Uint8Array>().to_vec());
        return Value::Bytes(Cow::Owned(bytes));
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
    let Ok(array) = is_array(v) else { return Value::Other(HostType::Object) };
    if array {
        let arr: &Array = v.unchecked_ref();
        // The length and each element through Reflect.get, which catches: a getter or trap that
        // throws makes the list a value the core refuses (as in the Node addon), not an
        // exception through the module.
        let Some(len) = Reflect::get(arr, &"length".into()).ok().and_then(|n| n.as_f64()) else {
            return Value::Other(HostType::Object);
        };
        if !(0.0..=MAX_LIST_LEN as f64).contains(&len) {
            return Value::Other(HostType::Object);
        }
        let len = len as u32;
        let mut items = Vec::with_capacity(len as usize);
        for i in 0..len {
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
        let Ok(keys) = object_keys(obj) else { return Value::Other(HostType::Object) };
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
