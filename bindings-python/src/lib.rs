//! Python binding of stripe-handshake (pyo3): conversion only.
//!
//! The core owns every rule and the binding schema (`stripe_handshake::host`). This crate
//! converts Python objects into `host::Value`s (`value.rs`), results into Python objects
//! (`out.rs`), and errors into the exceptions of `stripe_handshake.errors` (`errors.rs`, the
//! one mapping, which also turns panics into `InternalError`). The module's functions are
//! made from the schema's operations at import; keywords are arranged by the core.
#![forbid(unsafe_code)]
#![allow(clippy::needless_pass_by_value)]

mod errors;
mod out;
mod value;

use std::borrow::Cow;
use std::ffi::CString;

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use stripe_handshake::host::{self, OsEnv, Out, Spelling, Value};
use stripe_handshake::{Error, RedirectAllowList as CoreAllowList, Verifier as CoreVerifier};

use errors::guard;

const PY: Spelling = Spelling::Snake;

/// The argument objects of a call, positional and keyword.
type Held<'py> = (Vec<Bound<'py, PyAny>>, Vec<(String, Bound<'py, PyAny>)>);

/// Keeps each argument object alive while its `Value` borrows from it.
fn held<'py>(args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> Held<'py> {
    let positional = args.iter().collect();
    let mut keywords = Vec::new();
    if let Some(k) = kwargs {
        for (name, v) in k.iter() {
            keywords.push((name.extract::<String>().unwrap_or_default(), v));
        }
    }
    (positional, keywords)
}

fn keywords<'a>(kw: &'a [(String, Bound<'_, PyAny>)]) -> Vec<(Cow<'a, str>, Value<'a>)> {
    kw.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), value::value(v))).collect()
}

fn run_op(
    py: Python<'_>,
    index: usize,
    consuming: bool,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let (pos, kw) = held(args, kwargs);
    let result = guard(|| {
        let op = host::op(index).ok_or(Error::Internal { what: "unknown operation" })?;
        let values = op.arrange(pos.iter().map(value::value).collect(), keywords(&kw))?;
        if consuming {
            host::call_consuming(index, &values, &OsEnv, PY)
        } else {
            host::call(index, &values, &OsEnv, PY)
        }
    })?;
    out::to_py(py, result)
}

/// The binding schema (JSON): operations, record kinds, verifier methods, error codes.
#[pyfunction]
fn schema() -> String {
    host::schema_json()
}

/// The `stripe-handshake` command line (the console script, `stripe_handshake._cli`): the same
/// code as the Rust binary. Writes to the process's stdout and stderr; returns the exit code
/// (a panic is 70, EX_SOFTWARE).
#[pyfunction]
fn run_cli(py: Python<'_>, args: Vec<String>) -> u8 {
    // `emulate` waits for the emulator: let other Python threads run meanwhile.
    py.detach(|| {
        let run = || stripe_handshake_cli::run(&args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or(70)
    })
}

/// A redirect allow-list, checked once; the first entry is the default.
#[pyclass(frozen, module = "stripe_handshake._native", name = "RedirectAllowList")]
pub struct PyRedirectAllowList {
    pub(crate) inner: CoreAllowList,
}

#[pymethods]
impl PyRedirectAllowList {
    #[new]
    #[pyo3(signature = (*args, **kwargs))]
    fn new(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let (pos, kw) = held(args, kwargs);
        guard(|| {
            let values = host::arrange(
                host::Name { snake: "RedirectAllowList", camel: "RedirectAllowList" },
                host::ALLOW_LIST_PARAMS,
                pos.iter().map(value::value).collect(),
                keywords(&kw),
            )?;
            host::allow_list(&values, PY).map(|inner| Self { inner })
        })
    }

    /// Returns `uri` if it is byte-equal to an entry.
    fn check(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let r = guard(|| {
            let index = host::op_index("redirect_check").ok_or(Error::Internal { what: "redirect_check" })?;
            host::call_with_list(index, vec![Value::Absent, value::value(uri)], &self.inner, &OsEnv, PY)
        })?;
        out::to_py(py, r)
    }

    /// The default (first) entry.
    #[getter]
    fn default_uri(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.info(py, "default_uri")
    }

    /// Every entry, in order.
    #[getter]
    fn entries(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.info(py, "entries")
    }

    /// Whether loopback http is allowed.
    #[getter]
    fn test_mode(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.info(py, "test_mode")
    }

    fn __repr__(&self) -> String {
        format!("RedirectAllowList({:?})", self.inner.entries())
    }
}

impl PyRedirectAllowList {
    /// A field of the core's record about the list (the operation placed as `AllowListInfo`).
    fn info(&self, py: Python<'_>, field: &str) -> PyResult<Py<PyAny>> {
        let value = guard(|| {
            let index = host::OPS
                .iter()
                .position(|op| op.place == host::Place::AllowListInfo)
                .ok_or(Error::Internal { what: "allow-list info" })?;
            match host::call_with_list(index, vec![Value::Absent], &self.inner, &OsEnv, PY)? {
                Out::Record(kind, values) => kind
                    .fields
                    .iter()
                    .zip(values)
                    .find_map(|(f, v)| (f.name.snake == field).then_some(v))
                    .ok_or(Error::Internal { what: "allow-list info field" }),
                _ => Err(Error::Internal { what: "allow-list info" }),
            }
        })?;
        out::to_py(py, value)
    }
}

/// A `Stripe-Signature` verifier prepared once per endpoint: the fast path.
#[pyclass(frozen, subclass, module = "stripe_handshake._native", name = "Verifier")]
struct PyVerifier {
    inner: CoreVerifier,
}

#[pymethods]
impl PyVerifier {
    #[new]
    #[pyo3(signature = (*args, **kwargs))]
    fn new(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let (pos, kw) = held(args, kwargs);
        guard(|| {
            let values = host::arrange(
                host::Name { snake: "Verifier", camel: "Verifier" },
                host::VERIFIER_PARAMS,
                pos.iter().map(value::value).collect(),
                keywords(&kw),
            )?;
            host::new_verifier(&values, PY).map(|inner| Self { inner })
        })
    }

    /// Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to the clock.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn verify(
        &self,
        py: Python<'_>,
        payload: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let a = [value::value(payload), value::value(header), now.map_or(Value::Absent, value::value)];
        out::to_py(py, guard(|| host::verifier::verify(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, PY))?)
    }

    /// `None` when the signature verifies, else the error code. Never raises for a bad signature.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn check(
        &self,
        payload: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<&'static str>> {
        let a = [value::value(payload), value::value(header), now.map_or(Value::Absent, value::value)];
        guard(|| Ok(host::verifier::check(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, PY)))
    }

    /// Like `verify`, but never raises: `ok`, `code`, `message` on failure.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn try_verify(
        &self,
        py: Python<'_>,
        payload: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let a = [value::value(payload), value::value(header), now.map_or(Value::Absent, value::value)];
        out::to_py(py, guard(|| Ok(host::verifier::try_verify(&self.inner, [&a[0], &a[1], &a[2]], &OsEnv, PY)))?)
    }

    /// Method `index` of the schema's `verifier.methods` that runs in the core (every one but
    /// the three above): `stripe_handshake.Verifier` names them.
    #[pyo3(signature = (index, payload, header, now=None))]
    fn _call(
        &self,
        py: Python<'_>,
        index: usize,
        payload: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let a = [value::value(payload), value::value(header), now.map_or(Value::Absent, value::value)];
        out::to_py(py, guard(|| host::verifier::call(&self.inner, index, [&a[0], &a[1], &a[2]], &OsEnv, PY))?)
    }

    fn __repr__(&self) -> &'static str {
        "Verifier()"
    }
}

fn leak(s: &str) -> &'static std::ffi::CStr {
    Box::leak(CString::new(s).unwrap_or_default().into_boxed_c_str())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_class::<PyVerifier>()?;
    m.add_class::<PyRedirectAllowList>()?;
    m.add_class::<out::Record>()?;
    for (index, op) in host::OPS.iter().enumerate() {
        if matches!(op.place, host::Place::AllowListMethod(_) | host::Place::AllowListInfo) {
            continue; // RedirectAllowList's methods and getters
        }
        let f = PyCFunction::new_closure(py, Some(leak(op.name.snake)), Some(leak(op.doc)), move |args, kwargs| {
            run_op(args.py(), index, false, args, kwargs)
        })?;
        m.add(op.name.snake, f)?;
        if !op.one_time.is_empty() {
            // For `_one_time.wrap` only: the same operation for a caller that consumes the nonce.
            let name = leak(&format!("_consuming_{}", op.name.snake));
            let f = PyCFunction::new_closure(py, Some(name), None, move |args, kwargs| {
                run_op(args.py(), index, true, args, kwargs)
            })?;
            m.add(name.to_str().unwrap_or_default(), f)?;
        }
    }
    m.add("DEFAULT_TOLERANCE_SECS", stripe_handshake::webhook::DEFAULT_TOLERANCE_SECS)?;
    m.add("MAX_WEBHOOK_BODY", stripe_handshake::reply::MAX_WEBHOOK_BODY)?;
    m.add("EVENT_LEASE_SECS", stripe_handshake::one_time::EVENT_LEASE_SECS)?;
    m.add("EVENT_RETENTION_SECS", stripe_handshake::one_time::EVENT_RETENTION_SECS)?;
    m.add("ERROR_CODES", Error::ALL_CODES.to_vec())?;
    Ok(())
}
