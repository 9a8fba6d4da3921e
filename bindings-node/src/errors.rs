//! The one place where core errors become JavaScript values.
//!
//! Exports return either their value or a [`NativeFailure`]; `index.cjs` turns a failure
//! into a thrown `StripeHandshakeError` subclass (a JS-side throw is cheaper than a native
//! one, and the fast paths can return the failure without throwing).

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use stripe_handshake::Error;

/// A core error as data. Turned into a thrown error by the JavaScript wrapper.
#[napi]
pub struct NativeFailure {
    /// Stable snake_case code (`signature_mismatch`, …).
    #[napi(readonly)]
    pub code: String,
    /// The error family (`signature`, `state`, `redirect`, `oauth`, `invalid_input`, `malformed_input`, `store`, `internal`).
    #[napi(readonly)]
    pub family: String,
    /// What happened and what to do next. Never contains a secret.
    #[napi(readonly)]
    pub message: String,
    /// For `oauth_error`: the `error` string from Stripe.
    #[napi(readonly)]
    pub oauth_error: Option<String>,
    /// For `oauth_error`: the kind (`invalid_grant`, …, `other`).
    #[napi(readonly)]
    pub oauth_kind: Option<String>,
    /// For `oauth_error`: `error_description` (untrusted: escape before display).
    #[napi(readonly)]
    pub description: Option<String>,
    /// For `invalid_redirect_config`: the index of the bad entry.
    #[napi(readonly)]
    pub index: Option<u32>,
}

impl From<Error> for NativeFailure {
    fn from(e: Error) -> Self {
        let (oauth_kind, oauth_error, description) = match e.oauth_details() {
            Some((k, err, d)) => (Some(k.as_str().to_owned()), Some(err.to_owned()), d.map(str::to_owned)),
            None => (None, None, None),
        };
        Self {
            code: e.code().to_owned(),
            family: e.family().as_str().to_owned(),
            message: e.to_string(),
            oauth_error,
            oauth_kind,
            description,
            index: e.config_index().and_then(|i| u32::try_from(i).ok()),
        }
    }
}

/// What every export returns: the value, or the failure. (`scripts/gen-wrapper.mjs` turns
/// `Outcome<T>` in the generated typings into `T`, since the wrapper throws the failure.)
pub type Outcome<T> = Either<T, NativeFailure>;

/// Converts a core result into an [`Outcome`].
pub fn outcome<T>(r: Result<T, Error>) -> Outcome<T> {
    match r {
        Ok(v) => Either::A(v),
        Err(e) => Either::B(e.into()),
    }
}
