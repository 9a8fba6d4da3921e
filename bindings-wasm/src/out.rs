//! The core's results into JavaScript values: conversion only. Names come from the core's
//! schema (camelCase); the JS wrapper derives printing and JSON parsing from the same schema.

use js_sys::{Array, Object, Reflect, Uint8Array};
use stripe_handshake::host::Out;
use wasm_bindgen::JsValue;

/// Converts one result.
pub fn to_js(out: Out) -> JsValue {
    match out {
        Out::Unit => JsValue::UNDEFINED,
        Out::Bool(b) => JsValue::from_bool(b),
        #[allow(clippy::cast_precision_loss)] // as JSON.parse would: exact up to 2^53
        Out::Int(n) => JsValue::from_f64(n as f64),
        Out::Str(s) | Out::Json(s) => JsValue::from_str(&s),
        Out::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
        Out::List(items) => items.into_iter().map(to_js).collect::<Array>().into(),
        Out::Record(kind, values) => {
            let obj = Object::new();
            for (field, v) in kind.fields.iter().zip(values) {
                // Setting a property of a fresh plain object cannot fail.
                let _ = Reflect::set(&obj, &JsValue::from_str(field.name.camel), &to_js(v));
            }
            obj.into()
        }
        _ => JsValue::NULL,
    }
}
