//! Python values into the core's host values: conversion only, no judgement.
//!
//! Every object becomes some `Value` (never a pyo3 extraction error). `bool` is read before
//! `int`; an `int` beyond 64 bits and a `str` holding a lone surrogate are reported as such
//! (the core refuses them with typed errors), never as `OverflowError`/`UnicodeEncodeError`.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMemoryView, PyString, PyTuple};
use stripe_handshake::host::{HostType, Value, MAX_LIST_LEN};

use crate::PyRedirectAllowList;

const MAX_DEPTH: usize = 4;

/// Converts one argument, borrowing strings and bytes from it where Python allows.
pub fn value<'a>(v: &'a Bound<'_, PyAny>) -> Value<'a> {
    read(v, 0)
}

fn read<'a>(v: &'a Bound<'_, PyAny>, depth: usize) -> Value<'a> {
    if v.is_none() {
        return Value::Absent;
    }
    // Bytes and text first: payloads and headers, the verifier's hot path.
    if let Ok(b) = v.cast::<PyBytes>() {
        return Value::Bytes(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return match s.to_cow() {
            Ok(s) => Value::Str(s),
            Err(_) => Value::IllFormedStr,
        };
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Value::Bool(b.is_true());
    }
    if v.is_instance_of::<PyInt>() {
        // 64 bits first: the 128-bit conversion is slow under the stable ABI.
        return match v.extract::<i64>() {
            Ok(i) => Value::Int(i128::from(i)),
            Err(_) => v.extract::<i128>().map_or(Value::IntOutOfRange, Value::Int),
        };
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Value::Number(f.value());
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Value::Bytes(Cow::Owned(b.to_vec()));
    }
    if v.is_instance_of::<PyMemoryView>() {
        return v.extract::<Vec<u8>>().map_or(Value::Other(HostType::Object), |b| Value::Bytes(Cow::Owned(b)));
    }
    if let Ok(l) = v.cast::<PyRedirectAllowList>() {
        return Value::AllowList(&l.get().inner);
    }
    if depth >= MAX_DEPTH {
        return Value::Other(HostType::Object);
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let Ok(items) = v.try_iter() else { return Value::Other(HostType::Object) };
        let mut out = Vec::new();
        for item in items {
            let Ok(item) = item else { return Value::Other(HostType::Object) };
            if out.len() >= MAX_LIST_LEN {
                return Value::Other(HostType::Object);
            }
            out.push(owned(&item, depth.saturating_add(1)));
        }
        return Value::List(out);
    }
    // A result record handed back (the authorized result of a callback check).
    if let Ok(r) = v.cast::<crate::out::Record>() {
        return r.get().to_value();
    }
    if let Ok(d) = v.cast::<PyDict>() {
        if d.len() > MAX_LIST_LEN {
            return Value::Other(HostType::Object);
        }
        let mut out = Vec::with_capacity(d.len());
        for (k, item) in d.iter() {
            let Ok(k) = k.cast::<PyString>().map(|k| k.to_cow().map(Cow::into_owned)) else {
                return Value::Other(HostType::Object);
            };
            let Ok(k) = k else { return Value::Other(HostType::Object) };
            out.push((Cow::Owned(k), owned(&item, depth.saturating_add(1))));
        }
        return Value::Map(out);
    }
    if v.is_callable() {
        return Value::Other(HostType::Function);
    }
    Value::Other(HostType::Object)
}

/// A nested value: the item is a temporary, so strings and bytes are copied.
fn owned(v: &Bound<'_, PyAny>, depth: usize) -> Value<'static> {
    detach(read(v, depth))
}

fn detach(v: Value<'_>) -> Value<'static> {
    match v {
        Value::Absent => Value::Absent,
        Value::Bool(b) => Value::Bool(b),
        Value::Number(n) => Value::Number(n),
        Value::Int(i) => Value::Int(i),
        Value::IntOutOfRange => Value::IntOutOfRange,
        Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
        Value::IllFormedStr => Value::IllFormedStr,
        Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
        Value::List(items) => Value::List(items.into_iter().map(detach).collect()),
        Value::Map(e) => Value::Map(e.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), detach(v))).collect()),
        _ => Value::Other(HostType::Object),
    }
}
