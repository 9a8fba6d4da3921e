//! The core's results into JavaScript values: conversion only. A record crosses as an array:
//! a mask of the fields that have a value, then those values in the schema's field order
//! (`host::present_fields`); the JS wrapper builds the object (names, nulls, printing, JSON
//! fields) from the same schema.

use napi::bindgen_prelude::{Null, ToNapiValue, Uint8Array, Unknown};
use napi::Env;
use stripe_handshake::host::{self, Out};

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
        Out::List(values) => {
            let mut arr = env.create_array(u32::try_from(values.len()).unwrap_or(u32::MAX))?;
            for (i, v) in values.into_iter().enumerate() {
                arr.set(u32::try_from(i).unwrap_or(u32::MAX), to_js(env, v)?)?;
            }
            arr.into_unknown(env)
        }
        // A record crosses as [mask, ...its non-null values] (host::present_fields).
        Out::Record(_, values) => {
            let (Some(mask), present) = host::present_fields(values) else {
                return Err(napi::Error::from_reason("a record kind with more than 31 fields"));
            };
            let mut arr = env.create_array(u32::try_from(present.len().saturating_add(1)).unwrap_or(u32::MAX))?;
            arr.set(0, f64::from(mask))?;
            for (i, v) in present.into_iter().enumerate() {
                arr.set(u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX), to_js(env, v)?)?;
            }
            arr.into_unknown(env)
        }
        _ => Null.into_unknown(env),
    }
}
