//! The core's results into Python values: records become `Record` objects whose attribute
//! names, `repr` and credential redaction come from the core's schema.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList};
use stripe_handshake::host::{Kind, Out};

/// A result record: `outcome`, `account_id`, … as attributes, in the core's field order.
/// `repr` shows `[redacted]` for credential fields (a code, a token, a received state).
#[pyclass(frozen, module = "stripe_handshake._native", name = "RecordBase")]
pub struct Record {
    kind: &'static Kind,
    /// The core's values: scalars become Python objects when read (the verifier's hot path
    /// then creates no object but the record itself).
    values: Vec<Out>,
    /// Fields converted once, on first read: JSON (parsed by `json.loads`), lists, nested
    /// records. Scalars are cheap to convert on every read and are not cached.
    converted: Vec<(usize, PyOnceLock<Py<PyAny>>)>,
}

impl Record {
    /// This record as the map a function taking a record reads (`code_exchange_request(authorization=r)`).
    pub fn to_value(&self) -> stripe_handshake::host::Value<'static> {
        stripe_handshake::host::record_value(self.kind, &self.values, stripe_handshake::host::Spelling::Snake)
    }

    fn new(kind: &'static Kind, values: Vec<Out>) -> Self {
        let converted = values
            .iter()
            .enumerate()
            .filter(|(_, v)| matches!(v, Out::Json(_) | Out::List(_) | Out::Record(..)))
            .map(|(i, _)| (i, PyOnceLock::new()))
            .collect();
        Self { kind, values, converted }
    }

    /// Field `i` as a Python object.
    fn get(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyAny>> {
        let Some(v) = self.values.get(i) else { return Ok(py.None()) };
        match self.converted.iter().find(|(j, _)| *j == i) {
            Some((_, once)) => once.get_or_try_init(py, || to_py(py, v.clone())).map(|o| o.clone_ref(py)),
            None => to_py(py, v.clone()),
        }
    }

    /// The field named `name`, unless it is an optional field without a value (an HTTP
    /// header that does not apply is absent from the mapping, never `None`: HTTP clients
    /// refuse or drop `None` header values differently).
    fn index(&self, name: &str) -> Option<usize> {
        self.kind.fields.iter().position(|f| f.name.snake == name).filter(|&i| self.present(i))
    }

    fn present(&self, i: usize) -> bool {
        !(self.kind.fields.get(i).is_some_and(|f| f.optional) && matches!(self.values.get(i), Some(Out::Null)))
    }

    /// The fields present, with their indices.
    fn fields(&self) -> impl Iterator<Item = (usize, &'static stripe_handshake::host::Field)> + '_ {
        self.kind.fields.iter().enumerate().filter(|(i, _)| self.present(*i))
    }
}

#[pymethods]
impl Record {
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.index(name) {
            Some(i) => self.get(py, i),
            None => Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "{} has no attribute of that name; see dir() for its fields",
                self.kind.name
            ))),
        }
    }

    fn __dir__(&self) -> Vec<&'static str> {
        self.fields().map(|(_, f)| f.name.snake).collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut s = format!("{}(", self.kind.name);
        for (n, (i, f)) in self.fields().enumerate() {
            if n > 0 {
                s.push_str(", ");
            }
            s.push_str(f.name.snake);
            s.push('=');
            let v = self.get(py, i)?;
            if f.credential && !v.is_none(py) {
                s.push_str("'[redacted]'");
            } else {
                s.push_str(&v.bind(py).repr()?.to_string());
            }
        }
        s.push(')');
        Ok(s)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        self.__repr__(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Record>() else { return Ok(false) };
        let other = other.get();
        if !std::ptr::eq(self.kind, other.kind) && self.kind.name != other.kind.name {
            return Ok(false);
        }
        for i in 0..self.kind.fields.len() {
            if self.present(i) != other.present(i) || !self.get(py, i)?.bind(py).eq(other.get(py, i)?.bind(py))? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The fields as a dict (credentials included: it is for your code, not for logs).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        for (i, f) in self.fields() {
            d.set_item(f.name.snake, self.get(py, i)?)?;
        }
        Ok(d)
    }

    fn __getitem__(&self, py: Python<'_>, key: &str) -> PyResult<Py<PyAny>> {
        match self.index(key) {
            Some(i) => self.get(py, i),
            None => Err(pyo3::exceptions::PyKeyError::new_err("no such field")),
        }
    }

    fn __len__(&self) -> usize {
        self.fields().count()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(PyList::new(py, self.__dir__())?.try_iter()?.into_any().unbind())
    }

    fn __contains__(&self, key: &str) -> bool {
        self.index(key).is_some()
    }

    /// The field names (a `Record` is a read-only mapping too: `dict(record)` works).
    fn keys(&self) -> Vec<&'static str> {
        self.__dir__()
    }

    /// `(name, value)` pairs, in field order.
    fn items(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, Py<PyAny>)>> {
        self.fields().map(|(i, f)| Ok((f.name.snake, self.get(py, i)?))).collect()
    }

    /// The values, in field order.
    fn values(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.fields().map(|(i, _)| self.get(py, i)).collect()
    }

    /// The record's type name (`Installed`, `TokenResponse`, …).
    #[getter]
    fn _kind(&self) -> &'static str {
        self.kind.name
    }
}

/// Converts one result.
pub fn to_py(py: Python<'_>, out: Out) -> PyResult<Py<PyAny>> {
    Ok(match out {
        Out::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
        Out::Int(n) => n.into_pyobject(py)?.into_any().unbind(),
        Out::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any().unbind(),
        Out::Bytes(b) => PyBytes::new(py, &b).into_any().unbind(),
        Out::Json(s) => {
            static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
            LOADS.import(py, "json", "loads")?.call1((s,))?.unbind()
        }
        Out::List(items) => {
            let items = items.into_iter().map(|i| to_py(py, i)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any().unbind()
        }
        Out::Record(kind, values) => Py::new(py, Record::new(kind, values))?.into_any(),
        _ => py.None(),
    })
}
