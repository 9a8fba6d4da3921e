//! The core's results into JavaScript values: conversion only. A record crosses as an array:
//! a mask of the fields that have a value, then those values in the schema's field order
//! (`host::present_fields`); the JS wrapper builds the object (names, nulls, printing, JSON
//! fields) from the same schema.

use js_sys::{Array, Uint8Array};
use stripe_handshake::host::{self, Out};
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
        Out::List(values) => values.into_iter().map(to_js).collect::<Array>().into(),
        // [mask, ...its non-null values] (host::present_fields); a kind past the mask (none:
        // the core's test keeps every kind within it) is unreachable and would cross as null.
        Out::Record(_, values) => match host::present_fields(values) {
            (Some(mask), present) => std::iter::once(JsValue::from_f64(f64::from(mask)))
                .chain(present.into_iter().map(to_js))
                .collect::<Array>()
                .into(),
            (None, _) => JsValue::NULL,
        },
        _ => JsValue::NULL,
    }
}
