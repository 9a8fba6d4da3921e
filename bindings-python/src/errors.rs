//! The one place where core errors become Python exceptions (defined in `errors.py`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::PyErr;
use stripe_handshake::{Error, ErrorFamily};

pyo3::import_exception!(stripe_handshake.errors, SignatureVerificationError);
pyo3::import_exception!(stripe_handshake.errors, StateError);
pyo3::import_exception!(stripe_handshake.errors, RedirectError);
pyo3::import_exception!(stripe_handshake.errors, OAuthError);
pyo3::import_exception!(stripe_handshake.errors, InvalidInputError);
pyo3::import_exception!(stripe_handshake.errors, MalformedInputError);
pyo3::import_exception!(stripe_handshake.errors, StoreError);
pyo3::import_exception!(stripe_handshake.errors, InternalError);

/// Maps a core error to the exception class of its family, carrying `.code` and details.
pub fn to_py(e: &Error) -> PyErr {
    let (kind, error, description) = match e.oauth_details() {
        Some((k, err, d)) => (Some(k.as_str()), Some(err.to_owned()), d.map(str::to_owned)),
        None => (None, None, None),
    };
    let args = (e.to_string(), e.code(), e.family().as_str(), error, kind, description, e.config_index());
    match e.family() {
        ErrorFamily::Signature => SignatureVerificationError::new_err(args),
        ErrorFamily::State => StateError::new_err(args),
        ErrorFamily::Redirect => RedirectError::new_err(args),
        ErrorFamily::OAuth => OAuthError::new_err(args),
        ErrorFamily::InvalidInput => InvalidInputError::new_err(args),
        ErrorFamily::MalformedInput => MalformedInputError::new_err(args),
        ErrorFamily::Store => StoreError::new_err(args),
        _ => InternalError::new_err(args),
    }
}

/// Runs `f`, turning a core error into its exception and a panic into `InternalError`
/// (never pyo3's `PanicException`, which `except Exception` does not catch).
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, PyErr> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py(&e)),
        Err(_) => Err(to_py(&Error::Internal { what: "a panic was caught" })),
    }
}
