//! Python binding of stripe-handshake: argument conversion and defaults only.
//!
//! Every rule lives in the core crate. Every function runs inside `errors::guard`, which
//! maps core errors to the exceptions of `stripe_handshake.errors` in one place and turns a
//! panic into `InternalError`. Defaults that live here: `now` is the system clock, the
//! tolerance is 300 s, nonces come from the OS CSPRNG.
#![forbid(unsafe_code)]
// pyo3's `#[pyfunction]` signatures need owned arguments by value.
#![allow(clippy::needless_pass_by_value, clippy::too_many_arguments)]

mod errors;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use stripe_handshake as core;
use stripe_handshake::{Error, Result};

use errors::guard;

// ------------------------------------------------------------------------------- conversions

/// `bytes` or `str` (encoded as UTF-8).
#[derive(FromPyObject)]
enum Data<'py> {
    Bytes(Bound<'py, PyBytes>),
    Text(String),
}

impl Data<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Bytes(b) => b.as_bytes(),
            Self::Text(s) => s.as_bytes(),
        }
    }
}

/// One secret or several.
#[derive(FromPyObject)]
enum Secrets {
    One(String),
    Many(Vec<String>),
}

impl Secrets {
    fn parse(&self) -> Result<Vec<core::SigningSecret>> {
        match self {
            Self::One(s) => Ok(vec![core::SigningSecret::new(s)?]),
            Self::Many(list) => list.iter().map(|s| core::SigningSecret::new(s)).collect(),
        }
    }
}

/// A state key: `(id, key)` or `{"id": ..., "key": ...}`.
#[derive(FromPyObject)]
enum KeyInput {
    Pair(String, Vec<u8>),
    #[pyo3(from_item_all)]
    Dict {
        id: String,
        key: Vec<u8>,
    },
}

fn state_keys(keys: &[KeyInput]) -> Result<core::StateKeys> {
    core::StateKeys::new(
        keys.iter()
            .map(|k| match k {
                KeyInput::Pair(id, key) | KeyInput::Dict { id, key } => core::StateKey::new(id, key),
            })
            .collect::<Result<_>>()?,
    )
}

fn secs(v: Option<&Bound<'_, PyAny>>, what: &'static str) -> Result<Option<u64>> {
    v.map(|v| {
        v.extract::<u64>()
            .map_err(|_| Error::InvalidArgument { what, reason: "it must be a whole number of seconds >= 0" })
    })
    .transpose()
}

fn now(v: Option<&Bound<'_, PyAny>>) -> Result<u64> {
    match secs(v, "now")? {
        Some(n) => Ok(n),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::InvalidArgument { what: "now", reason: "the system clock is before 1970" }),
    }
}

fn tolerance(v: Option<&Bound<'_, PyAny>>) -> Result<core::Tolerance> {
    match v {
        None => Ok(core::Tolerance::default()),
        Some(v) => v.extract::<u64>().map_err(|_| Error::InvalidTolerance).and_then(core::Tolerance::from_secs),
    }
}

fn redirect_mode(test_mode: bool) -> core::RedirectMode {
    if test_mode {
        core::RedirectMode::Test
    } else {
        core::RedirectMode::Live
    }
}

// ------------------------------------------------------------------------------- signatures

/// HMAC-SHA256 of `message` under `key`.
#[pyfunction]
fn hmac_sha256<'py>(py: Python<'py>, key: &[u8], message: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let mac = guard(|| core::hmac_sha256(key, &[message]))?;
    Ok(PyBytes::new(py, &mac))
}

/// Verifies a full 32-byte HMAC-SHA256 tag in constant time; a truncated tag never verifies.
#[pyfunction]
fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> PyResult<()> {
    guard(|| core::verify_hmac_sha256(key, &[message], tag))
}

/// Builds a ``t=...,v1=...`` header for ``payload`` at ``timestamp``: for tests and emulators.
#[pyfunction]
fn sign_header(payload: Data<'_>, secret: String, timestamp: Bound<'_, PyAny>) -> PyResult<String> {
    guard(|| {
        let t = secs(Some(&timestamp), "timestamp")?.ok_or(Error::Internal { what: "timestamp" })?;
        core::sign_header(payload.as_bytes(), &core::SigningSecret::new(&secret)?, t)
    })
}

/// A verified signature.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct VerifiedSignature {
    /// The signed timestamp (Unix seconds).
    #[pyo3(get)]
    timestamp: u64,
    /// Index of the first secret that matched.
    #[pyo3(get)]
    secret_index: usize,
}

#[pymethods]
impl VerifiedSignature {
    fn __repr__(&self) -> String {
        format!("VerifiedSignature(timestamp={}, secret_index={})", self.timestamp, self.secret_index)
    }
}

impl From<core::VerifiedSignature> for VerifiedSignature {
    fn from(v: core::VerifiedSignature) -> Self {
        Self { timestamp: v.timestamp(), secret_index: v.secret_index() }
    }
}

/// A webhook event whose signature verified.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct WebhookEvent {
    #[pyo3(get)]
    id: String,
    #[pyo3(get, name = "type")]
    event_type: String,
    #[pyo3(get)]
    account: Option<String>,
    #[pyo3(get)]
    livemode: bool,
    #[pyo3(get)]
    created: u64,
    #[pyo3(get)]
    api_version: Option<String>,
    #[pyo3(get)]
    data_object_json: String,
    #[pyo3(get)]
    timestamp: u64,
    #[pyo3(get)]
    secret_index: usize,
}

#[pymethods]
impl WebhookEvent {
    /// ``data.object`` parsed with :mod:`json`.
    #[getter]
    fn data_object<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (&self.data_object_json,))
    }

    fn __repr__(&self) -> String {
        format!("WebhookEvent(id={:?}, type={:?}, account={:?})", self.id, self.event_type, self.account)
    }
}

impl From<core::VerifiedEvent> for WebhookEvent {
    fn from(e: core::VerifiedEvent) -> Self {
        Self {
            id: e.id().to_owned(),
            event_type: e.event_type().to_owned(),
            account: e.account().map(str::to_owned),
            livemode: e.livemode(),
            created: e.created(),
            api_version: e.api_version().map(str::to_owned),
            data_object_json: e.data_object_json().to_owned(),
            timestamp: e.timestamp(),
            secret_index: e.secret_index(),
        }
    }
}

/// An ``account.application.deauthorized`` event.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct Deauthorization {
    #[pyo3(get)]
    account_id: String,
    #[pyo3(get)]
    application_id: String,
    #[pyo3(get)]
    application_name: Option<String>,
    #[pyo3(get)]
    livemode: bool,
}

#[pymethods]
impl Deauthorization {
    fn __repr__(&self) -> String {
        format!("Deauthorization(account_id={:?}, application_id={:?})", self.account_id, self.application_id)
    }
}

impl From<core::Deauthorization> for Deauthorization {
    fn from(d: core::Deauthorization) -> Self {
        Self {
            account_id: d.account_id().to_owned(),
            application_id: d.application_id().to_owned(),
            application_name: d.application_name().map(str::to_owned),
            livemode: d.livemode(),
        }
    }
}

/// A verifier prepared once per endpoint (the fast path).
#[pyclass(frozen, module = "stripe_handshake._native")]
struct Verifier {
    inner: core::Verifier,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (secrets, *, tolerance=None))]
    fn new(secrets: Secrets, tolerance: Option<Bound<'_, PyAny>>) -> PyResult<Self> {
        guard(|| Ok(Self { inner: verifier(&secrets, tolerance.as_ref())? }))
    }

    /// Verifies a ``Stripe-Signature`` header over the raw payload.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn verify(&self, payload: Data<'_>, header: &str, now: Option<Bound<'_, PyAny>>) -> PyResult<VerifiedSignature> {
        guard(|| Ok(self.inner.verify(payload.as_bytes(), header, self::now(now.as_ref())?)?.into()))
    }

    /// The fastest path: ``None`` when the signature verifies, else the error code
    /// (``"signature_mismatch"``, ...). Raises nothing for a bad signature.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn check(&self, payload: Data<'_>, header: &str, now: Option<Bound<'_, PyAny>>) -> PyResult<Option<&'static str>> {
        guard(|| {
            Ok(self::now(now.as_ref())
                .and_then(|now| self.inner.verify(payload.as_bytes(), header, now))
                .err()
                .map(|e| e.code()))
        })
    }

    /// Verifies a webhook and reads the event.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn verify_webhook(&self, payload: Data<'_>, header: &str, now: Option<Bound<'_, PyAny>>) -> PyResult<WebhookEvent> {
        guard(|| Ok(self.inner.verify_webhook(payload.as_bytes(), header, self::now(now.as_ref())?)?.into()))
    }

    /// Verifies an ``account.application.deauthorized`` webhook and reads it.
    #[pyo3(signature = (payload, header, *, now=None))]
    fn verify_deauthorization(
        &self,
        payload: Data<'_>,
        header: &str,
        now: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Deauthorization> {
        guard(|| {
            Ok(self
                .inner
                .verify_webhook(payload.as_bytes(), header, self::now(now.as_ref())?)?
                .deauthorization()?
                .into())
        })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

fn verifier(secrets: &Secrets, tolerance: Option<&Bound<'_, PyAny>>) -> Result<core::Verifier> {
    core::Verifier::new(&secrets.parse()?, self::tolerance(tolerance)?)
}

/// Verifies a ``Stripe-Signature`` header over the raw payload.
#[pyfunction]
#[pyo3(signature = (payload, header, *, secrets, now=None, tolerance=None))]
fn verify_signature(
    payload: Data<'_>,
    header: &str,
    secrets: Secrets,
    now: Option<Bound<'_, PyAny>>,
    tolerance: Option<Bound<'_, PyAny>>,
) -> PyResult<VerifiedSignature> {
    guard(|| {
        let v = verifier(&secrets, tolerance.as_ref())?;
        Ok(v.verify(payload.as_bytes(), header, self::now(now.as_ref())?)?.into())
    })
}

/// Verifies a webhook from its raw body and ``Stripe-Signature`` header, then reads the event.
#[pyfunction]
#[pyo3(signature = (payload, header, *, secrets, now=None, tolerance=None))]
fn verify_webhook(
    payload: Data<'_>,
    header: &str,
    secrets: Secrets,
    now: Option<Bound<'_, PyAny>>,
    tolerance: Option<Bound<'_, PyAny>>,
) -> PyResult<WebhookEvent> {
    guard(|| {
        let v = verifier(&secrets, tolerance.as_ref())?;
        Ok(v.verify_webhook(payload.as_bytes(), header, self::now(now.as_ref())?)?.into())
    })
}

/// Verifies an ``account.application.deauthorized`` webhook and reads it.
#[pyfunction]
#[pyo3(signature = (payload, header, *, secrets, now=None, tolerance=None))]
fn verify_deauthorization(
    payload: Data<'_>,
    header: &str,
    secrets: Secrets,
    now: Option<Bound<'_, PyAny>>,
    tolerance: Option<Bound<'_, PyAny>>,
) -> PyResult<Deauthorization> {
    guard(|| {
        let v = verifier(&secrets, tolerance.as_ref())?;
        Ok(v.verify_webhook(payload.as_bytes(), header, self::now(now.as_ref())?)?.deauthorization()?.into())
    })
}

/// Verifies without the time window: a captured request verifies forever. Tests only.
#[pyfunction]
#[pyo3(signature = (payload, header, *, secrets))]
fn dangerous_verify_ignoring_tolerance(
    payload: Data<'_>,
    header: &str,
    secrets: Secrets,
) -> PyResult<VerifiedSignature> {
    guard(|| Ok(core::dangerous::verify_ignoring_tolerance(payload.as_bytes(), header, &secrets.parse()?)?.into()))
}

/// The exact text Stripe signs for an install: ``JSON.stringify({state, user_id, account_id})``.
#[pyfunction]
#[pyo3(signature = (user_id, account_id, state=None, *, null_state=false))]
fn install_payload(user_id: &str, account_id: &str, state: Option<&str>, null_state: bool) -> String {
    let field = match (state, null_state) {
        (Some(s), _) => core::StateField::Value(s),
        (None, true) => core::StateField::Null,
        (None, false) => core::StateField::Omitted,
    };
    core::install_payload(field, user_id, account_id)
}

// ------------------------------------------------------------------------------- redirects and links

/// An allow-list of redirect URIs; the first entry is the default.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct RedirectAllowList {
    inner: core::RedirectAllowList,
}

#[pymethods]
impl RedirectAllowList {
    #[new]
    #[pyo3(signature = (entries, *, test_mode=false))]
    fn new(entries: Vec<String>, test_mode: bool) -> PyResult<Self> {
        guard(|| Ok(Self { inner: core::RedirectAllowList::new(&entries, redirect_mode(test_mode))? }))
    }

    /// Returns ``uri`` if it is byte-equal to an entry.
    fn check(&self, uri: &str) -> PyResult<String> {
        guard(|| self.inner.check(uri).map(str::to_owned))
    }

    /// The default (first) entry.
    #[getter]
    fn default_uri(&self) -> String {
        self.inner.default_uri().to_owned()
    }

    /// Every entry, in order.
    #[getter]
    fn entries(&self) -> Vec<String> {
        self.inner.entries().to_vec()
    }

    /// Whether loopback http is allowed.
    #[getter]
    fn test_mode(&self) -> bool {
        self.inner.mode() == core::RedirectMode::Test
    }

    fn __repr__(&self) -> String {
        format!("RedirectAllowList({:?})", self.inner.entries())
    }
}

/// The fields of ``stripe-app.json`` this library uses.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct AppManifest {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    stripe_api_access_type: Option<String>,
    #[pyo3(get)]
    distribution_type: Option<String>,
    #[pyo3(get)]
    redirect_uris: Vec<String>,
}

/// Parses a ``stripe-app.json`` manifest and checks its redirect URIs.
#[pyfunction]
#[pyo3(signature = (json, *, test_mode=false))]
fn parse_manifest(json: &str, test_mode: bool) -> PyResult<AppManifest> {
    guard(|| {
        let m = core::AppManifest::parse(json, redirect_mode(test_mode))?;
        Ok(AppManifest {
            id: m.id().to_owned(),
            stripe_api_access_type: m.stripe_api_access_type().map(str::to_owned),
            distribution_type: m.distribution_type().map(str::to_owned),
            redirect_uris: m.redirect_uris().entries().to_vec(),
        })
    })
}

/// Builds a Stripe Apps install link.
#[pyfunction]
#[pyo3(signature = (*, link_id, allow_list, redirect_uri=None, state=None, base_url=None))]
fn install_link(
    link_id: &str,
    allow_list: &RedirectAllowList,
    redirect_uri: Option<&str>,
    state: Option<&str>,
    base_url: Option<&str>,
) -> PyResult<String> {
    guard(|| core::install_link(&core::InstallLinkParams { link_id, redirect_uri, state, base_url }, &allow_list.inner))
}

/// Builds a Stripe Apps OAuth authorize link.
#[pyfunction]
#[pyo3(signature = (*, client_id, allow_list, redirect_uri=None, state=None, test_link_id=None, base_url=None))]
fn apps_oauth_link(
    client_id: &str,
    allow_list: &RedirectAllowList,
    redirect_uri: Option<&str>,
    state: Option<&str>,
    test_link_id: Option<&str>,
    base_url: Option<&str>,
) -> PyResult<String> {
    guard(|| {
        let p = core::AppsOAuthLinkParams { client_id, redirect_uri, state, test_link_id, base_url };
        core::apps_oauth_link(&p, &allow_list.inner)
    })
}

/// ``stripe_user`` prefill: a mapping or a list of ``(key, value)`` pairs.
#[derive(FromPyObject)]
enum Prefill {
    Pairs(Vec<(String, String)>),
    Map(std::collections::BTreeMap<String, String>),
}

/// Builds a Connect OAuth authorize link (Standard or Express).
#[pyfunction]
#[pyo3(signature = (*, client_id, account_type, allow_list, scope=None, redirect_uri=None, state=None,
    stripe_landing=None, always_prompt=None, suggested_capabilities=None, stripe_user=None, base_url=None))]
fn connect_oauth_link(
    client_id: &str,
    account_type: &str,
    allow_list: &RedirectAllowList,
    scope: Option<&str>,
    redirect_uri: Option<&str>,
    state: Option<&str>,
    stripe_landing: Option<&str>,
    always_prompt: Option<bool>,
    suggested_capabilities: Option<Vec<String>>,
    stripe_user: Option<Prefill>,
    base_url: Option<&str>,
) -> PyResult<String> {
    guard(|| {
        let mut p = core::ConnectLinkParams::new(client_id, core::ConnectAccountType::parse(account_type, scope)?);
        p.redirect_uri = redirect_uri;
        p.state = state;
        p.stripe_landing = stripe_landing.map(core::StripeLanding::parse).transpose()?;
        p.always_prompt = always_prompt;
        p.suggested_capabilities =
            suggested_capabilities.as_ref().map(|c| c.iter().map(String::as_str).collect()).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = match &stripe_user {
            None => Vec::new(),
            Some(Prefill::Pairs(v)) => v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            Some(Prefill::Map(m)) => m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        };
        p.stripe_user = pairs.iter().map(|(k, v)| Ok((core::StripeUserField::parse(k)?, *v))).collect::<Result<_>>()?;
        p.base_url = base_url;
        core::connect_oauth_link(&p, &allow_list.inner)
    })
}

// ------------------------------------------------------------------------------- state

/// A fresh plain ``state``: 32 bytes from the OS CSPRNG as base64url (43 characters).
#[pyfunction]
fn random_state() -> PyResult<String> {
    guard(core::random_state)
}

/// A plain ``state`` from 32 bytes you supply (from a CSPRNG).
#[pyfunction]
fn plain_state_from_entropy(entropy: &[u8]) -> PyResult<String> {
    guard(|| Ok(core::plain_state_from_entropy(&core::host::bytes32(entropy, "entropy")?)))
}

/// Checks a received plain state against the one kept in the session, in constant time.
#[pyfunction]
#[pyo3(signature = (expected, received))]
fn check_plain_state(expected: &str, received: Option<&str>) -> PyResult<()> {
    guard(|| core::check_plain_state(expected, received))
}

/// Issues a signed, session-bound, expiring state token.
#[pyfunction]
#[pyo3(signature = (*, keys, flow, session_id, ttl_secs=None, data=None, now=None, nonce=None))]
fn issue_state_token(
    keys: Vec<KeyInput>,
    flow: &str,
    session_id: Data<'_>,
    ttl_secs: Option<u32>,
    data: Option<&str>,
    now: Option<Bound<'_, PyAny>>,
    nonce: Option<Vec<u8>>,
) -> PyResult<String> {
    guard(|| {
        let keys = state_keys(&keys)?;
        let nonce = match &nonce {
            Some(n) => core::host::bytes32(n, "nonce")?,
            None => core::random_bytes()?,
        };
        let p = core::StateTokenParams {
            flow: core::Flow::parse(flow)?,
            session_id: session_id.as_bytes(),
            ttl_secs,
            data,
        };
        core::issue_state_token(&keys, &p, self::now(now.as_ref())?, &nonce)
    })
}

/// A verified state token.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct VerifiedState {
    #[pyo3(get)]
    key_id: String,
    #[pyo3(get)]
    issued_at: u64,
    #[pyo3(get)]
    expires_at: u64,
    #[pyo3(get)]
    flow: String,
    /// Store it until ``expires_at`` and refuse a second use.
    #[pyo3(get)]
    nonce: String,
    #[pyo3(get)]
    data: Option<String>,
}

/// Verifies a signed state token (``token`` is None when the callback had none).
#[pyfunction]
#[pyo3(signature = (token, *, keys, session_id, flow, now=None))]
fn verify_state_token(
    token: Option<&str>,
    keys: Vec<KeyInput>,
    session_id: Data<'_>,
    flow: &str,
    now: Option<Bound<'_, PyAny>>,
) -> PyResult<VerifiedState> {
    guard(|| {
        let keys = state_keys(&keys)?;
        let v = core::verify_state_token(
            &keys,
            token,
            session_id.as_bytes(),
            core::Flow::parse(flow)?,
            self::now(now.as_ref())?,
        )?;
        Ok(VerifiedState {
            key_id: v.key_id().to_owned(),
            issued_at: v.issued_at(),
            expires_at: v.expires_at(),
            flow: v.flow().as_str().to_owned(),
            nonce: v.nonce(),
            data: v.data().map(str::to_owned),
        })
    })
}

// ------------------------------------------------------------------------------- callbacks

/// The outcome of a callback: ``installed``/``authorized`` or ``denied``.
#[pyclass(frozen, module = "stripe_handshake._native")]
#[derive(Default)]
struct CallbackResult {
    #[pyo3(get)]
    outcome: String,
    #[pyo3(get)]
    user_id: Option<String>,
    #[pyo3(get)]
    account_id: Option<String>,
    #[pyo3(get)]
    state: Option<String>,
    #[pyo3(get)]
    livemode: Option<String>,
    #[pyo3(get)]
    timestamp: Option<u64>,
    #[pyo3(get)]
    secret_index: Option<usize>,
    code: Option<String>,
    #[pyo3(get)]
    scope: Option<String>,
    #[pyo3(get)]
    state_outcome: Option<String>,
    #[pyo3(get)]
    state_nonce: Option<String>,
    #[pyo3(get)]
    state_data: Option<String>,
    #[pyo3(get)]
    error: Option<String>,
    #[pyo3(get)]
    kind: Option<String>,
    #[pyo3(get)]
    description: Option<String>,
}

#[pymethods]
impl CallbackResult {
    /// The one-time authorization code (exchange it once; never log it).
    #[getter]
    fn code(&self) -> Option<String> {
        self.code.clone()
    }

    fn __repr__(&self) -> String {
        match self.outcome.as_str() {
            "installed" => format!("CallbackResult(outcome='installed', account_id={:?})", self.account_id),
            "authorized" => "CallbackResult(outcome='authorized', code=[redacted])".to_owned(),
            _ => format!("CallbackResult(outcome={:?}, error={:?})", self.outcome, self.error),
        }
    }
}

impl CallbackResult {
    fn denied(d: &core::CallbackDenial) -> Self {
        Self {
            outcome: "denied".into(),
            error: Some(d.error().to_owned()),
            kind: Some(d.kind().as_str().to_owned()),
            description: d.description().map(str::to_owned),
            ..Self::default()
        }
    }

    fn with_state(mut self, o: &core::StateOutcome) -> Self {
        self.state_outcome = Some(o.name().to_owned());
        if let Some(v) = o.signed() {
            self.state_nonce = Some(v.nonce());
            self.state_data = v.data().map(str::to_owned);
        }
        self
    }
}

/// Verifies the redirect after an install link from its raw query string. Say how to check
/// ``state``: ``expected_state``, or ``state_keys`` with ``session_id``, or ``allow_stateless=True``.
#[pyfunction]
#[pyo3(signature = (query, *, secrets, now=None, tolerance=None, expected_state=None, state_keys=None,
    session_id=None, allow_stateless=false))]
fn verify_install_callback(
    query: &str,
    secrets: Secrets,
    now: Option<Bound<'_, PyAny>>,
    tolerance: Option<Bound<'_, PyAny>>,
    expected_state: Option<&str>,
    state_keys: Option<Vec<KeyInput>>,
    session_id: Option<Data<'_>>,
    allow_stateless: bool,
) -> PyResult<CallbackResult> {
    guard(|| {
        let keys = state_keys.as_deref().map(self::state_keys).transpose()?;
        let state = core::StateCheck::from_options(
            expected_state,
            keys.as_ref(),
            session_id.as_ref().map(Data::as_bytes),
            allow_stateless,
        )?;
        let secrets = secrets.parse()?;
        let opts = core::InstallVerifyOptions {
            secrets: &secrets,
            now: self::now(now.as_ref())?,
            tolerance: self::tolerance(tolerance.as_ref())?,
            state,
        };
        Ok(match core::verify_install_callback(query, &opts)? {
            core::InstallCallback::Denied(d) => CallbackResult::denied(&d),
            core::InstallCallback::Installed(i) => CallbackResult {
                outcome: "installed".into(),
                user_id: Some(i.user_id().to_owned()),
                account_id: Some(i.account_id().to_owned()),
                state: i.state().map(str::to_owned),
                livemode: i.livemode().map(str::to_owned),
                timestamp: Some(i.timestamp()),
                secret_index: Some(i.secret_index()),
                ..CallbackResult::default()
            }
            .with_state(i.state_outcome()),
        })
    })
}

/// Parses an OAuth redirect (Stripe Apps or Connect) and checks its ``state``.
#[pyfunction]
#[pyo3(signature = (query, *, flow, now=None, expected_state=None, state_keys=None, session_id=None,
    allow_stateless=false))]
fn verify_oauth_callback(
    query: &str,
    flow: &str,
    now: Option<Bound<'_, PyAny>>,
    expected_state: Option<&str>,
    state_keys: Option<Vec<KeyInput>>,
    session_id: Option<Data<'_>>,
    allow_stateless: bool,
) -> PyResult<CallbackResult> {
    guard(|| {
        let keys = state_keys.as_deref().map(self::state_keys).transpose()?;
        let state = core::StateCheck::from_options(
            expected_state,
            keys.as_ref(),
            session_id.as_ref().map(Data::as_bytes),
            allow_stateless,
        )?;
        Ok(match core::verify_oauth_callback(query, core::Flow::parse(flow)?, &state, self::now(now.as_ref())?)? {
            core::OAuthCallback::Denied(d) => CallbackResult::denied(&d),
            core::OAuthCallback::Authorized(a) => CallbackResult {
                outcome: "authorized".into(),
                code: Some(a.code().to_owned()),
                scope: a.scope().map(str::to_owned),
                ..CallbackResult::default()
            }
            .with_state(a.state_outcome()),
        })
    })
}

// ------------------------------------------------------------------------------- OAuth

/// An HTTP request for your client (requests, httpx, urllib) to send.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct HttpRequest {
    #[pyo3(get)]
    method: String,
    #[pyo3(get)]
    url: String,
    headers: Vec<(String, String)>,
    #[pyo3(get)]
    body: String,
}

#[pymethods]
impl HttpRequest {
    /// The headers, in order. ``Authorization`` holds your secret key: never log it.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.headers {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "HttpRequest(method={:?}, url={:?}, headers={{Authorization: [redacted], ...}}, body=[redacted])",
            self.method, self.url
        )
    }
}

impl From<core::HttpRequest> for HttpRequest {
    fn from(r: core::HttpRequest) -> Self {
        Self { method: r.method.to_owned(), url: r.url, headers: r.headers, body: r.body }
    }
}

fn request_options<'a>(expected_mode: Option<&str>, base_url: Option<&'a str>) -> Result<core::RequestOptions<'a>> {
    Ok(core::RequestOptions { expected_mode: expected_mode.map(core::Mode::parse).transpose()?, base_url })
}

/// Builds the code-exchange request. Send it once: never retry a code exchange.
#[pyfunction]
#[pyo3(signature = (*, provider, secret_key, code, expected_mode=None, base_url=None))]
fn code_exchange_request(
    provider: &str,
    secret_key: &str,
    code: &str,
    expected_mode: Option<&str>,
    base_url: Option<&str>,
) -> PyResult<HttpRequest> {
    guard(|| {
        let key = core::SecretKey::parse(secret_key)?;
        let opts = request_options(expected_mode, base_url)?;
        Ok(core::code_exchange_request(core::OAuthProvider::parse(provider)?, &key, code, &opts)?.into())
    })
}

/// Builds a refresh request (Stripe Apps refresh tokens roll: store the new one).
#[pyfunction]
#[pyo3(signature = (*, provider, secret_key, refresh_token, scope=None, expected_mode=None, base_url=None))]
fn refresh_request(
    provider: &str,
    secret_key: &str,
    refresh_token: &str,
    scope: Option<&str>,
    expected_mode: Option<&str>,
    base_url: Option<&str>,
) -> PyResult<HttpRequest> {
    guard(|| {
        let key = core::SecretKey::parse(secret_key)?;
        let opts = request_options(expected_mode, base_url)?;
        let scope = scope.map(core::Scope::parse).transpose()?;
        Ok(core::refresh_request(core::OAuthProvider::parse(provider)?, &key, refresh_token, scope, &opts)?.into())
    })
}

/// Builds a Connect deauthorize request.
#[pyfunction]
#[pyo3(signature = (*, secret_key, client_id, stripe_user_id, expected_mode=None, base_url=None))]
fn deauthorize_request(
    secret_key: &str,
    client_id: &str,
    stripe_user_id: &str,
    expected_mode: Option<&str>,
    base_url: Option<&str>,
) -> PyResult<HttpRequest> {
    guard(|| {
        let key = core::SecretKey::parse(secret_key)?;
        let opts = request_options(expected_mode, base_url)?;
        Ok(core::deauthorize_request(&key, client_id, stripe_user_id, &opts)?.into())
    })
}

/// Checks that ``key`` is a secret key and returns its mode (``"live"`` or ``"test"``).
#[pyfunction]
fn parse_secret_key(key: &str) -> PyResult<String> {
    guard(|| Ok(core::SecretKey::parse(key)?.mode().as_str().to_owned()))
}

/// A successful token response. The tokens are credentials: never log them.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct TokenResponse {
    #[pyo3(get)]
    access_token: String,
    #[pyo3(get)]
    refresh_token: Option<String>,
    #[pyo3(get)]
    scope: Option<String>,
    #[pyo3(get)]
    livemode: Option<bool>,
    #[pyo3(get)]
    token_type: String,
    #[pyo3(get)]
    stripe_user_id: String,
    #[pyo3(get)]
    stripe_publishable_key: Option<String>,
}

#[pymethods]
impl TokenResponse {
    fn __repr__(&self) -> String {
        format!(
            "TokenResponse(stripe_user_id={:?}, scope={:?}, livemode={:?}, access_token=[redacted], refresh_token=[redacted])",
            self.stripe_user_id, self.scope, self.livemode
        )
    }
}

/// Parses the token endpoint's answer (status and raw body).
#[pyfunction]
fn parse_token_response(status: u32, body: Data<'_>) -> PyResult<TokenResponse> {
    guard(|| {
        let t = core::parse_token_response(core::host::http_status(status)?, body.as_bytes())?;
        Ok(TokenResponse {
            access_token: t.access_token().to_owned(),
            refresh_token: t.refresh_token().map(str::to_owned),
            scope: t.scope().map(str::to_owned),
            livemode: t.livemode(),
            token_type: t.token_type().to_owned(),
            stripe_user_id: t.stripe_user_id().to_owned(),
            stripe_publishable_key: t.stripe_publishable_key().map(str::to_owned),
        })
    })
}

/// Parses the deauthorize answer; it must echo ``expected_stripe_user_id``.
#[pyfunction]
fn parse_deauthorize_response(status: u32, body: Data<'_>, expected_stripe_user_id: &str) -> PyResult<()> {
    guard(|| {
        core::parse_deauthorize_response(core::host::http_status(status)?, body.as_bytes(), expected_stripe_user_id)
    })
}

/// Expiry of a Stripe Apps token pair.
#[pyclass(frozen, module = "stripe_handshake._native")]
struct TokenExpiry {
    #[pyo3(get)]
    access_expires_at: u64,
    #[pyo3(get)]
    refresh_expires_at: u64,
    #[pyo3(get)]
    needs_refresh: bool,
    #[pyo3(get)]
    refresh_expired: bool,
}

/// When a Stripe Apps token pair received at ``issued_at`` expires, and whether to refresh.
#[pyfunction]
#[pyo3(signature = (issued_at, *, now=None, margin_secs=None))]
fn apps_token_expiry(
    issued_at: Bound<'_, PyAny>,
    now: Option<Bound<'_, PyAny>>,
    margin_secs: Option<Bound<'_, PyAny>>,
) -> PyResult<TokenExpiry> {
    guard(|| {
        let issued = secs(Some(&issued_at), "issued_at")?.ok_or(Error::Internal { what: "issued_at" })?;
        let e = core::AppsTokenExpiry::from_issued_at(issued);
        let now = self::now(now.as_ref())?;
        let margin = secs(margin_secs.as_ref(), "margin_secs")?.unwrap_or(core::DEFAULT_REFRESH_MARGIN_SECS);
        Ok(TokenExpiry {
            access_expires_at: e.access_expires_at(),
            refresh_expires_at: e.refresh_expires_at(),
            needs_refresh: e.needs_refresh(now, margin),
            refresh_expired: e.refresh_expired(now),
        })
    })
}

/// Self-test: panics inside a function, to prove a panic becomes ``InternalError``.
#[pyfunction]
fn _self_test_panic() -> PyResult<()> {
    guard(|| -> Result<()> {
        #[allow(clippy::panic)]
        {
            panic!("self-test panic")
        }
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ERROR_CODES", Error::ALL_CODES.to_vec())?;
    m.add("DEFAULT_TOLERANCE_SECS", core::DEFAULT_TOLERANCE_SECS)?;
    m.add_class::<VerifiedSignature>()?;
    m.add_class::<WebhookEvent>()?;
    m.add_class::<Deauthorization>()?;
    m.add_class::<Verifier>()?;
    m.add_class::<RedirectAllowList>()?;
    m.add_class::<AppManifest>()?;
    m.add_class::<VerifiedState>()?;
    m.add_class::<CallbackResult>()?;
    m.add_class::<HttpRequest>()?;
    m.add_class::<TokenResponse>()?;
    m.add_class::<TokenExpiry>()?;
    m.add_function(wrap_pyfunction!(hmac_sha256, m)?)?;
    m.add_function(wrap_pyfunction!(verify_hmac_sha256, m)?)?;
    m.add_function(wrap_pyfunction!(sign_header, m)?)?;
    m.add_function(wrap_pyfunction!(verify_signature, m)?)?;
    m.add_function(wrap_pyfunction!(verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(verify_deauthorization, m)?)?;
    m.add_function(wrap_pyfunction!(dangerous_verify_ignoring_tolerance, m)?)?;
    m.add_function(wrap_pyfunction!(install_payload, m)?)?;
    m.add_function(wrap_pyfunction!(parse_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(install_link, m)?)?;
    m.add_function(wrap_pyfunction!(apps_oauth_link, m)?)?;
    m.add_function(wrap_pyfunction!(connect_oauth_link, m)?)?;
    m.add_function(wrap_pyfunction!(random_state, m)?)?;
    m.add_function(wrap_pyfunction!(plain_state_from_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(check_plain_state, m)?)?;
    m.add_function(wrap_pyfunction!(issue_state_token, m)?)?;
    m.add_function(wrap_pyfunction!(verify_state_token, m)?)?;
    m.add_function(wrap_pyfunction!(verify_install_callback, m)?)?;
    m.add_function(wrap_pyfunction!(verify_oauth_callback, m)?)?;
    m.add_function(wrap_pyfunction!(code_exchange_request, m)?)?;
    m.add_function(wrap_pyfunction!(refresh_request, m)?)?;
    m.add_function(wrap_pyfunction!(deauthorize_request, m)?)?;
    m.add_function(wrap_pyfunction!(parse_secret_key, m)?)?;
    m.add_function(wrap_pyfunction!(parse_token_response, m)?)?;
    m.add_function(wrap_pyfunction!(parse_deauthorize_response, m)?)?;
    m.add_function(wrap_pyfunction!(apps_token_expiry, m)?)?;
    m.add_function(wrap_pyfunction!(_self_test_panic, m)?)?;
    Ok(())
}
