//! The core's results into JavaScript values: conversion only. A record crosses as an array
//! of its values in the schema's field order; the JS wrapper builds the object (names,
//! printing, JSON fields) from the same schema.

use js_sys::{Array, Uint8Array};
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
        Out::List(values) | Out::Record(_, values) => values.into_iter().map(to_js).collect::<Array>().into(),
        _ => JsValue::NULL,
    }
}
