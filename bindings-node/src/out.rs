//! The core's results into JavaScript values: conversion only. Names come from the core's
//! schema (camelCase); the JS wrapper derives printing and JSON parsing from the same schema.

use napi::bindgen_prelude::{Null, Object, ToNapiValue, Uint8Array, Unknown};
use napi::Env;
use stripe_handshake::host::Out;

/// Converts one result.
pub fn to_js(env: &Env, out: Out) -> napi::Result<Unknown<'_>> {
    match out {
        Out::Unit => ().into_unknown(env),
        Out::Null => Null.into_unknown(env),
        Out::Bool(b) => b.into_unknown(env),
        #[allow(clippy::cast_precision_loss)] // as JSON.parse would: exact up to 2^53
        Out::Int(n) => (n as f64).into_unknown(env),
        Out::Str(s) | Out::Json(s) => s.into_unknown(env),
        Out::Bytes(b) => Uint8Array::new(b).into_unknown(env),
        Out::List(items) => {
            let mut arr = env.create_array(u32::try_from(items.len()).unwrap_or(u32::MAX))?;
            for (i, item) in items.into_iter().enumerate() {
                arr.set(u32::try_from(i).unwrap_or(u32::MAX), to_js(env, item)?)?;
            }
            arr.into_unknown(env)
        }
        Out::Record(kind, values) => {
            let mut obj = Object::new(env)?;
            for (field, v) in kind.fields.iter().zip(values) {
                obj.set(field.name.camel, to_js(env, v)?)?;
            }
            obj.into_unknown(env)
        }
        _ => Null.into_unknown(env),
    }
}
