//! JavaScript values into the core's host values: conversion only, no judgement.
//!
//! Every JS value becomes some `Value`; nothing is coerced (wasm-bindgen's `&[u8]` would
//! read a string as one byte per character, and a mistyped `String` traps). String values are
//! checked for lone surrogates, which `TextEncoder` would turn into U+FFFD silently; an object's
//! keys are read the same way, a key with one as U+FFFD (as the addon reads it: no option has it).

use std::borrow::Cow;

use js_sys::{Array, Object, Reflect};
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
}

// Strings and byte views cross into the module through intrinsics that the snippet keeps when
// the glue is first imported, never through properties the caller can redefine (a view's
// `length`, the prototype's `set`, `subarray` or `Symbol.toStringTag`): a copy sized or placed
// by a lying property would write outside its buffer. Each is one copy, into a view of the
// module's memory that the snippet makes itself (docs/protocol.md §9, issue 17: the old
// `new Uint8Array(view)` + `to_vec` and `as_string` cost about 40% of a 100 B verify in Node).
#[wasm_bindgen(inline_js = "
const apply = Reflect.apply
const isView = ArrayBuffer.isView
const typedArray = Object.getPrototypeOf(Uint8Array.prototype)
const nameOf = Object.getOwnPropertyDescriptor(typedArray, Symbol.toStringTag).get
const lengthOf = Object.getOwnPropertyDescriptor(typedArray, 'length').get
const set = typedArray.set
const encoder = new TextEncoder()
const encodeInto = TextEncoder.prototype.encodeInto
const construct = Reflect.construct
const U8 = Uint8Array
const bufferOf = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get
// Whether a string has no lone surrogate: String.prototype.isWellFormed (ES2024: Node 20,
// every current browser), else a loop over the captured charCodeAt.
const isWellFormed = String.prototype.isWellFormed
const charCodeAt = String.prototype.charCodeAt
const wellFormed = typeof isWellFormed === 'function' ? (v) => apply(isWellFormed, v, []) : (v) => {
  for (let i = 0; i < v.length; i++) {
    const u = apply(charCodeAt, v, [i])
    if (u >= 0xdc00 && u <= 0xdfff) return false
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = i + 1 < v.length ? apply(charCodeAt, v, [i + 1]) : 0
      if (next < 0xdc00 || next > 0xdfff) return false
      i++
    }
  }
  return true
}
// The module's bytes [at, at + len) as a view made here, from captured intrinsics only (the
// glue's own views go through the prototype's subarray and byteLength).
const region = (memory, at, len) => construct(U8, [apply(bufferOf, memory, []), at, len])
// A Uint8Array's (or a Buffer's, from any realm) length from its internal slots, else -1 (no
// Proxy is a view, and nothing here runs the caller's code).
export function u8Length(v) {
  return isView(v) && apply(nameOf, v, []) === 'Uint8Array' ? apply(lengthOf, v, []) : -1
}
// Copies view v into the module's bytes [at, at + len), if v is still len long; false if it
// cannot (a view detached or out of bounds throws).
export function u8Copy(v, memory, at, len) {
  try {
    if (apply(lengthOf, v, []) !== len) return false
    apply(set, region(memory, at, len), [v])
    return true
  } catch {
    return false
  }
}
// A string's length in UTF-16 units, else -1.
export function strLength(v) {
  return typeof v === 'string' ? v.length : -1
}
// Writes string v as UTF-8 into the module's bytes [at, at + len): the bytes written, -1 if
// they are too few for all of it, -2 if v holds a lone surrogate (which encodeInto writes as
// U+FFFD). Only a string that is not ASCII (more bytes than units) is checked for one.
export function strCopy(v, memory, at, len) {
  try {
    const r = apply(encodeInto, encoder, [v, region(memory, at, len)])
    if (r.read !== v.length) return -1
    return r.written === r.read || wellFormed(v) ? r.written : -2
  } catch {
    return -1
  }
}
")]
extern "C" {
    #[wasm_bindgen(js_name = strLength)]
    fn str_length(v: &JsValue) -> f64;
    #[wasm_bindgen(js_name = strCopy)]
    fn str_copy(v: &JsValue, memory: &JsValue, at: u32, len: u32) -> f64;
    #[wasm_bindgen(js_name = u8Length)]
    fn u8_length(v: &JsValue) -> f64;
    #[wasm_bindgen(js_name = u8Copy)]
    fn u8_copy(v: &JsValue, memory: &JsValue, at: u32, len: u32) -> bool;
}

/// Where `buf` is in the module's memory, for the snippet to make its own view of it: JS
/// writes there, and nowhere else, during the one call that follows (the slice stays borrowed).
fn region(buf: &mut [u8]) -> Option<(u32, u32)> {
    Some((u32::try_from(buf.as_mut_ptr() as usize).ok()?, u32::try_from(buf.len()).ok()?))
}

/// What `strCopy` wrote into `buf`.
enum Copied {
    /// All of the string, in this many bytes (at most the buffer's length).
    All(usize),
    /// Not all of it: the buffer is too short (or the intrinsic failed).
    Short,
    /// Nothing: the string holds a lone surrogate.
    IllFormed,
}

/// `strCopy` into `buf`.
fn str_copy_into(v: &JsValue, buf: &mut [u8]) -> Copied {
    let Some((at, n)) = region(buf) else { return Copied::Short };
    let written = str_copy(v, &wasm_bindgen::memory(), at, n);
    if written == -2.0 {
        Copied::IllFormed
    } else if (0.0..=f64::from(n)).contains(&written) {
        Copied::All(written as usize)
    } else {
        Copied::Short
    }
}

/// A JS string as the core's value, or `None` for any other value: one copy into the module's
/// memory, where wasm-bindgen's `as_string` copies an ASCII string unit by unit in JS and then
/// writes the pointer and length back through a `DataView` (about 15% of a 100 B verify in
/// Node, profiled).
fn string_value(v: &JsValue) -> Option<Value<'static>> {
    let units = str_length(v);
    if units < 0.0 {
        return None;
    }
    // One byte per unit holds an ASCII string (the headers, ids and most payloads); a string
    // that does not fit is written again into 3 bytes per unit, which holds any string.
    let units = units as usize;
    let mut utf8 = vec![0u8; units];
    let mut copied = str_copy_into(v, &mut utf8);
    if matches!(copied, Copied::Short) {
        utf8.resize(units.saturating_mul(3), 0);
        copied = str_copy_into(v, &mut utf8);
    }
    // All of it fits the second time, and TextEncoder writes UTF-8 only: anything else would be
    // a broken intrinsic, and the text is refused, never read as another. A lone surrogate is
    // told by the snippet's captured intrinsic (js-sys's `is_valid_utf16` calls the prototype's
    // `charCodeAt`, which the caller can redefine).
    let Copied::All(written) = copied else { return Some(Value::IllFormedStr) };
    utf8.truncate(written);
    utf8.shrink_to_fit();
    let Ok(s) = String::from_utf8(utf8) else { return Some(Value::IllFormedStr) };
    Some(Value::Str(Cow::Owned(s)))
}

/// The bytes of a `Uint8Array` (a `Buffer` too), from this realm or another, told without
/// `instanceof` (which walks the prototype chain and so runs a Proxy's traps); `None` for any
/// other value. A view that cannot be read (detached, out of bounds) reads as no bytes, as
/// before.
fn uint8_array_bytes(v: &JsValue) -> Option<Vec<u8>> {
    let len = u8_length(v);
    if len < 0.0 {
        return None;
    }
    // A length is a whole number below 2^53; one past the address space saturates, and the
    // allocation fails as it did before.
    let mut bytes = vec![0u8; len as usize];
    let copied = region(&mut bytes).is_some_and(|(at, n)| u8_copy(v, &wasm_bindgen::memory(), at, n));
    Some(if copied { bytes } else { Vec::new() })
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
    if let Some(text) = string_value(v) {
        return text;
    }
    if let Some(n) = v.as_f64() {
        return Value::Number(n);
    }
    if let Some(bytes) = uint8_array_bytes(v) {
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
            // Keys through the snippet too (wasm-bindgen's `as_string` asks the prototype's
            // `charCodeAt` and `encodeInto`). A key with a lone surrogate names no option, and is
            // read as the addon reads it, with U+FFFD in its place: refused as unknown, never echoed.
            let name = match string_value(&k) {
                Some(Value::Str(name)) => name,
                Some(_) => Cow::Borrowed("\u{FFFD}"),
                None => continue,
            };
            let item =
                Reflect::get(obj, &k).map_or(Value::Other(HostType::Object), |x| read(&x, depth.saturating_add(1)));
            entries.push((name, item));
        }
        return Value::Map(entries);
    }
    Value::Other(HostType::Object)
}
