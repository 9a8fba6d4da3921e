//! Node.js binding of stripe-handshake: argument conversion and defaults only.
//!
//! Every rule lives in the core crate. Each export returns its value or a
//! `NativeFailure` (mapped in one place, `errors.rs`), and catches unwinds so a
//! bug becomes a JavaScript error instead of an abort. Defaults that live here: `now` is the
//! system clock, the tolerance is 300 s, nonces come from the OS CSPRNG.
#![deny(unsafe_code)]
// napi's macros emit `#[allow(unsafe_code)]`, so `forbid` cannot be used here.
// `stripe_user` takes an object or pairs; a type alias would leak its Rust name into the typings.
#![allow(clippy::type_complexity)]

mod errors;

use std::collections::HashMap;

use napi::bindgen_prelude::{Either, Uint8Array, Uint8ArraySlice};
use napi_derive::napi;
use stripe_handshake as core;
use stripe_handshake::{host, Error, Result};

use errors::{outcome, Outcome};

// ------------------------------------------------------------------------------- helpers

fn run<T>(f: impl FnOnce() -> Result<T>) -> Outcome<T> {
    outcome(f())
}

fn bytes<B: std::ops::Deref<Target = [u8]>>(v: &Either<String, B>) -> &[u8] {
    match v {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

fn now(v: Option<f64>) -> Result<u64> {
    match v {
        Some(v) => host::secs_from_f64(v, "now"),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::InvalidArgument { what: "now", reason: "the system clock is before 1970" }),
    }
}

fn secrets(v: &Either<String, Vec<String>>) -> Result<Vec<core::SigningSecret>> {
    match v {
        Either::A(s) => Ok(vec![core::SigningSecret::new(s)?]),
        Either::B(list) => list.iter().map(|s| core::SigningSecret::new(s)).collect(),
    }
}

fn js_num(v: u64) -> f64 {
    // Timestamps inside any tolerance window are far below 2^53, where f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    let n = v as f64;
    n
}

fn index(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn redirect_mode(test_mode: Option<bool>) -> core::RedirectMode {
    if test_mode.unwrap_or(false) {
        core::RedirectMode::Test
    } else {
        core::RedirectMode::Live
    }
}

// ------------------------------------------------------------------------------- signatures

/// HMAC-SHA256 of `message` under `key` (32 bytes).
#[napi(catch_unwind)]
pub fn hmac_sha256(key: Uint8ArraySlice<'_>, message: Uint8ArraySlice<'_>) -> Outcome<Uint8Array> {
    run(|| core::hmac_sha256(&key, &[&message]).map(|m| Uint8Array::new(m.to_vec())))
}

/// Verifies a full 32-byte HMAC-SHA256 `tag` in constant time; a truncated tag never verifies.
#[napi(catch_unwind)]
pub fn verify_hmac_sha256(
    key: Uint8ArraySlice<'_>,
    message: Uint8ArraySlice<'_>,
    tag: Uint8ArraySlice<'_>,
) -> Outcome<bool> {
    run(|| core::verify_hmac_sha256(&key, &[&message], &tag).map(|()| true))
}

/// Builds a `t=…,v1=…` header for `payload` at `timestamp` (Unix seconds): for tests and emulators.
#[napi(catch_unwind)]
pub fn sign_header(payload: Either<String, Uint8ArraySlice<'_>>, secret: String, timestamp: f64) -> Outcome<String> {
    run(|| {
        let secret = core::SigningSecret::new(&secret)?;
        core::sign_header(bytes(&payload), &secret, host::secs_from_f64(timestamp, "timestamp")?)
    })
}

/// Options of the one-shot verifiers.
#[napi(object)]
pub struct VerifyOptions {
    /// The signing secret (`whsec_…` / `absec_…`), or several during a rotation.
    pub secrets: Either<String, Vec<String>>,
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
    /// Seconds `t` may differ from now, both ways; must be positive. Defaults to 300.
    pub tolerance: Option<f64>,
}

/// A verified signature.
#[napi(object)]
pub struct VerifiedSignature {
    /// The signed timestamp (Unix seconds).
    pub timestamp: f64,
    /// Index of the first secret that matched.
    pub secret_index: u32,
}

impl From<core::VerifiedSignature> for VerifiedSignature {
    fn from(v: core::VerifiedSignature) -> Self {
        Self { timestamp: js_num(v.timestamp()), secret_index: index(v.secret_index()) }
    }
}

/// A webhook event whose signature verified.
#[napi(object)]
pub struct WebhookEvent {
    /// `evt_…`: refuse duplicates by this id.
    pub id: String,
    /// The event type.
    #[napi(js_name = "type")]
    pub event_type: String,
    /// The connected account, if any.
    pub account: Option<String>,
    /// Live mode or not.
    pub livemode: bool,
    /// Creation time (Unix seconds).
    pub created: f64,
    /// API version the event was rendered with.
    pub api_version: Option<String>,
    /// `data.object` as JSON text, exactly as sent.
    pub data_object_json: String,
    /// The signature's timestamp.
    pub timestamp: f64,
    /// Index of the secret that matched.
    pub secret_index: u32,
}

impl From<core::VerifiedEvent> for WebhookEvent {
    fn from(e: core::VerifiedEvent) -> Self {
        Self {
            id: e.id().to_owned(),
            event_type: e.event_type().to_owned(),
            account: e.account().map(str::to_owned),
            livemode: e.livemode(),
            created: js_num(e.created()),
            api_version: e.api_version().map(str::to_owned),
            data_object_json: e.data_object_json().to_owned(),
            timestamp: js_num(e.timestamp()),
            secret_index: index(e.secret_index()),
        }
    }
}

/// An `account.application.deauthorized` event.
#[napi(object)]
pub struct Deauthorization {
    /// The account that disconnected: delete its tokens.
    pub account_id: String,
    /// The application (`ca_…`) it disconnected from.
    pub application_id: String,
    /// The application's name, if sent.
    pub application_name: Option<String>,
    /// Live mode or not.
    pub livemode: bool,
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

/// Verifies a `Stripe-Signature` header over the raw payload.
#[napi(catch_unwind)]
pub fn verify_signature(
    payload: Either<String, Uint8ArraySlice<'_>>,
    header: String,
    options: VerifyOptions,
) -> Outcome<VerifiedSignature> {
    run(|| Ok(verifier_from(&options)?.verify(bytes(&payload), &header, now(options.now)?)?.into()))
}

/// Verifies a webhook from its raw body and `Stripe-Signature` header, then reads the event.
#[napi(catch_unwind)]
pub fn verify_webhook(
    payload: Either<String, Uint8ArraySlice<'_>>,
    header: String,
    options: VerifyOptions,
) -> Outcome<WebhookEvent> {
    run(|| Ok(verifier_from(&options)?.verify_webhook(bytes(&payload), &header, now(options.now)?)?.into()))
}

/// Verifies an `account.application.deauthorized` webhook and reads it.
#[napi(catch_unwind)]
pub fn verify_deauthorization(
    payload: Either<String, Uint8ArraySlice<'_>>,
    header: String,
    options: VerifyOptions,
) -> Outcome<Deauthorization> {
    run(|| {
        let event = verifier_from(&options)?.verify_webhook(bytes(&payload), &header, now(options.now)?)?;
        Ok(event.deauthorization()?.into())
    })
}

fn verifier_from(options: &VerifyOptions) -> Result<core::Verifier> {
    core::Verifier::new(&secrets(&options.secrets)?, host::tolerance_from_f64(options.tolerance)?)
}

/// Options of a prepared verifier.
#[napi(object)]
pub struct VerifierOptions {
    /// Seconds `t` may differ from now, both ways; must be positive. Defaults to 300.
    pub tolerance: Option<f64>,
}

/// The result of `Verifier.tryVerify`: never thrown.
#[napi(object)]
pub struct VerifyAttempt {
    /// Whether the signature verified.
    pub ok: bool,
    /// When ok: the signed timestamp.
    pub timestamp: Option<f64>,
    /// When ok: the index of the secret that matched.
    pub secret_index: Option<u32>,
    /// When not ok: the error code.
    pub code: Option<String>,
    /// When not ok: the message.
    pub message: Option<String>,
}

/// A verifier prepared once per endpoint: the fast path.
#[napi(js_name = "Verifier")]
pub struct JsVerifier {
    inner: core::Verifier,
}

/// Prepares a verifier for `secrets` (one, or several during a rotation).
#[napi(catch_unwind)]
pub fn create_verifier(secrets: Either<String, Vec<String>>, options: Option<VerifierOptions>) -> Outcome<JsVerifier> {
    run(|| {
        let tolerance = host::tolerance_from_f64(options.and_then(|o| o.tolerance))?;
        Ok(JsVerifier { inner: core::Verifier::new(&self::secrets(&secrets)?, tolerance)? })
    })
}

#[napi]
impl JsVerifier {
    /// Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to the system clock.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        payload: Either<String, Uint8ArraySlice<'_>>,
        header: String,
        now: Option<f64>,
    ) -> Outcome<VerifiedSignature> {
        run(|| Ok(self.inner.verify(bytes(&payload), &header, self::now(now)?)?.into()))
    }

    /// The fastest path: `null` when the signature verifies, else the error code
    /// (`signature_mismatch`, `timestamp_too_old`, …). Never throws for a bad signature and
    /// builds no object, for endpoints that only need a yes or no.
    #[napi(catch_unwind)]
    pub fn check(
        &self,
        payload: Either<String, Uint8ArraySlice<'_>>,
        header: String,
        now: Option<f64>,
    ) -> Option<&'static str> {
        match self::now(now).and_then(|now| self.inner.verify(bytes(&payload), &header, now)) {
            Ok(_) => None,
            Err(e) => Some(e.code()),
        }
    }

    /// The fast path: like `verify`, but never throws; a failure comes back as
    /// `{ ok: false, code, message }`.
    #[napi(catch_unwind)]
    pub fn try_verify(
        &self,
        payload: Either<String, Uint8ArraySlice<'_>>,
        header: String,
        now: Option<f64>,
    ) -> VerifyAttempt {
        match self::now(now).and_then(|now| self.inner.verify(bytes(&payload), &header, now)) {
            Ok(v) => VerifyAttempt {
                ok: true,
                timestamp: Some(js_num(v.timestamp())),
                secret_index: Some(index(v.secret_index())),
                code: None,
                message: None,
            },
            Err(e) => VerifyAttempt {
                ok: false,
                timestamp: None,
                secret_index: None,
                code: Some(e.code().to_owned()),
                message: Some(e.to_string()),
            },
        }
    }

    /// Verifies a webhook and reads the event.
    #[napi(catch_unwind)]
    pub fn verify_webhook(
        &self,
        payload: Either<String, Uint8ArraySlice<'_>>,
        header: String,
        now: Option<f64>,
    ) -> Outcome<WebhookEvent> {
        run(|| Ok(self.inner.verify_webhook(bytes(&payload), &header, self::now(now)?)?.into()))
    }

    /// Verifies an `account.application.deauthorized` webhook and reads it.
    #[napi(catch_unwind)]
    pub fn verify_deauthorization(
        &self,
        payload: Either<String, Uint8ArraySlice<'_>>,
        header: String,
        now: Option<f64>,
    ) -> Outcome<Deauthorization> {
        run(|| Ok(self.inner.verify_webhook(bytes(&payload), &header, self::now(now)?)?.deauthorization()?.into()))
    }
}

/// Verifies without the time window: a captured request verifies forever. Tests only.
#[napi(catch_unwind)]
pub fn dangerous_verify_ignoring_tolerance(
    payload: Either<String, Uint8ArraySlice<'_>>,
    header: String,
    secrets: Either<String, Vec<String>>,
) -> Outcome<VerifiedSignature> {
    run(|| Ok(core::dangerous::verify_ignoring_tolerance(bytes(&payload), &header, &self::secrets(&secrets)?)?.into()))
}

/// The exact bytes Stripe signs for an install: `JSON.stringify({state, user_id, account_id})`.
/// With no `state` the key is omitted; `nullState: true` gives `"state":null` instead.
#[napi(catch_unwind)]
pub fn install_payload(user_id: String, account_id: String, state: Option<String>, null_state: Option<bool>) -> String {
    let field = match (&state, null_state.unwrap_or(false)) {
        (Some(s), _) => core::StateField::Value(s),
        (None, true) => core::StateField::Null,
        (None, false) => core::StateField::Omitted,
    };
    core::install_payload(field, &user_id, &account_id)
}

// ------------------------------------------------------------------------------- redirects and links

/// An allow-list of redirect URIs; the first entry is the default.
#[napi(js_name = "RedirectAllowList")]
pub struct JsRedirectAllowList {
    inner: core::RedirectAllowList,
}

/// Options of an allow-list.
#[napi(object)]
pub struct RedirectOptions {
    /// Allow plain-http loopback URIs (local development). Defaults to false.
    pub test_mode: Option<bool>,
}

/// Builds an allow-list; every entry must be a canonical https URL (see the README).
#[napi(catch_unwind)]
pub fn redirect_allow_list(entries: Vec<String>, options: Option<RedirectOptions>) -> Outcome<JsRedirectAllowList> {
    run(|| {
        let mode = redirect_mode(options.and_then(|o| o.test_mode));
        Ok(JsRedirectAllowList { inner: core::RedirectAllowList::new(&entries, mode)? })
    })
}

#[napi]
impl JsRedirectAllowList {
    /// Returns `uri` if it is byte-equal to an entry.
    #[napi(catch_unwind)]
    pub fn check(&self, uri: String) -> Outcome<String> {
        run(|| self.inner.check(&uri).map(str::to_owned))
    }

    /// The default (first) entry.
    #[napi(getter, catch_unwind)]
    pub fn default_uri(&self) -> String {
        self.inner.default_uri().to_owned()
    }

    /// Every entry, in order.
    #[napi(getter, catch_unwind)]
    pub fn entries(&self) -> Vec<String> {
        self.inner.entries().to_vec()
    }

    /// Whether loopback http is allowed.
    #[napi(getter, catch_unwind)]
    pub fn test_mode(&self) -> bool {
        self.inner.mode() == core::RedirectMode::Test
    }
}

/// The fields of `stripe-app.json` this library uses.
#[napi(object)]
pub struct AppManifest {
    /// The app id.
    pub id: String,
    /// `stripe_api_access_type`, if present.
    pub stripe_api_access_type: Option<String>,
    /// `distribution_type`, if present.
    pub distribution_type: Option<String>,
    /// `allowed_redirect_uris`, checked; pass them to `redirectAllowList`.
    pub redirect_uris: Vec<String>,
}

/// Parses a `stripe-app.json` manifest and checks its redirect URIs.
#[napi(catch_unwind)]
pub fn parse_manifest(json: String, options: Option<RedirectOptions>) -> Outcome<AppManifest> {
    run(|| {
        let m = core::AppManifest::parse(&json, redirect_mode(options.and_then(|o| o.test_mode)))?;
        Ok(AppManifest {
            id: m.id().to_owned(),
            stripe_api_access_type: m.stripe_api_access_type().map(str::to_owned),
            distribution_type: m.distribution_type().map(str::to_owned),
            redirect_uris: m.redirect_uris().entries().to_vec(),
        })
    })
}

/// Parameters of an install link.
#[napi(object)]
pub struct InstallLinkParams {
    /// The install link id from the app's Settings tab.
    pub link_id: String,
    /// Must be in the allow-list. Defaults to its first entry.
    pub redirect_uri: Option<String>,
    /// The `state` value (recommended).
    pub state: Option<String>,
    /// Base URL override (an emulator). Defaults to `https://marketplace.stripe.com`.
    pub base_url: Option<String>,
}

/// Builds a Stripe Apps install link.
#[napi(catch_unwind)]
pub fn install_link(params: InstallLinkParams, allow_list: &JsRedirectAllowList) -> Outcome<String> {
    run(|| {
        let p = core::InstallLinkParams {
            link_id: &params.link_id,
            redirect_uri: params.redirect_uri.as_deref(),
            state: params.state.as_deref(),
            base_url: params.base_url.as_deref(),
        };
        core::install_link(&p, &allow_list.inner)
    })
}

/// Parameters of a Stripe Apps OAuth link.
#[napi(object)]
pub struct AppsOAuthLinkParams {
    /// The app's client id (`ca_…`).
    pub client_id: String,
    /// Must be in the allow-list. Defaults to its first entry.
    pub redirect_uri: Option<String>,
    /// The `state` value (recommended).
    pub state: Option<String>,
    /// The test link id (`chnlink_…`) for test-mode links.
    pub test_link_id: Option<String>,
    /// Base URL override (an emulator). Defaults to `https://marketplace.stripe.com`.
    pub base_url: Option<String>,
}

/// Builds a Stripe Apps OAuth authorize link.
#[napi(js_name = "appsOAuthLink", catch_unwind)]
pub fn apps_oauth_link(params: AppsOAuthLinkParams, allow_list: &JsRedirectAllowList) -> Outcome<String> {
    run(|| {
        let p = core::AppsOAuthLinkParams {
            client_id: &params.client_id,
            redirect_uri: params.redirect_uri.as_deref(),
            state: params.state.as_deref(),
            test_link_id: params.test_link_id.as_deref(),
            base_url: params.base_url.as_deref(),
        };
        core::apps_oauth_link(&p, &allow_list.inner)
    })
}

/// Parameters of a Connect OAuth link.
#[napi(object)]
pub struct ConnectLinkParams {
    /// The platform's client id (`ca_…`).
    pub client_id: String,
    /// `standard` or `express`.
    pub account_type: String,
    /// Standard only, required: `read_write` or `read_only`.
    pub scope: Option<String>,
    /// Must be in the allow-list. Defaults to its first entry.
    pub redirect_uri: Option<String>,
    /// The `state` value (Connect's only CSRF defence: always send one).
    pub state: Option<String>,
    /// `login` or `register`.
    pub stripe_landing: Option<String>,
    /// Ask again even if already connected.
    pub always_prompt: Option<bool>,
    /// Express only: `suggested_capabilities[]`.
    pub suggested_capabilities: Option<Vec<String>>,
    /// `stripe_user[…]` prefill, as an object or a list of `[key, value]` pairs.
    pub stripe_user: Option<Either<HashMap<String, String>, Vec<Vec<String>>>>,
    /// Base URL override (an emulator). Defaults to `https://connect.stripe.com`.
    pub base_url: Option<String>,
}

/// Builds a Connect OAuth authorize link (Standard or Express).
#[napi(js_name = "connectOAuthLink", catch_unwind)]
pub fn connect_oauth_link(params: ConnectLinkParams, allow_list: &JsRedirectAllowList) -> Outcome<String> {
    run(|| {
        let mut p = core::ConnectLinkParams::new(
            &params.client_id,
            core::ConnectAccountType::parse(&params.account_type, params.scope.as_deref())?,
        );
        p.redirect_uri = params.redirect_uri.as_deref();
        p.state = params.state.as_deref();
        p.stripe_landing = params.stripe_landing.as_deref().map(core::StripeLanding::parse).transpose()?;
        p.always_prompt = params.always_prompt;
        p.suggested_capabilities =
            params.suggested_capabilities.as_ref().map(|c| c.iter().map(String::as_str).collect()).unwrap_or_default();
        p.stripe_user = match &params.stripe_user {
            None => Vec::new(),
            Some(Either::A(map)) => {
                map.iter().map(|(k, v)| Ok((core::StripeUserField::parse(k)?, v.as_str()))).collect::<Result<_>>()?
            }
            Some(Either::B(pairs)) => pairs
                .iter()
                .map(|kv| match kv.as_slice() {
                    [k, v] => Ok((core::StripeUserField::parse(k)?, v.as_str())),
                    _ => {
                        Err(Error::InvalidArgument { what: "stripe_user", reason: "each entry is a [key, value] pair" })
                    }
                })
                .collect::<Result<_>>()?,
        };
        p.base_url = params.base_url.as_deref();
        core::connect_oauth_link(&p, &allow_list.inner)
    })
}

// ------------------------------------------------------------------------------- state

/// A state key: an id and at least 32 secret bytes.
#[napi(object)]
pub struct StateKeyInput {
    /// 1-16 characters of A-Z a-z 0-9 _ -.
    pub id: String,
    /// At least 32 random bytes from your secret store.
    pub key: Uint8Array,
}

fn state_keys(keys: &[StateKeyInput]) -> Result<core::StateKeys> {
    core::StateKeys::new(keys.iter().map(|k| core::StateKey::new(&k.id, &k.key)).collect::<Result<_>>()?)
}

/// A fresh plain `state`: 32 bytes from the OS CSPRNG as base64url (43 characters).
#[napi(catch_unwind)]
pub fn random_state() -> Outcome<String> {
    run(core::random_state)
}

/// A plain `state` from 32 bytes you supply (from a CSPRNG).
#[napi(catch_unwind)]
pub fn plain_state_from_entropy(entropy: Uint8ArraySlice<'_>) -> Outcome<String> {
    run(|| Ok(core::plain_state_from_entropy(&host::bytes32(&entropy, "entropy")?)))
}

/// Checks a received plain state against the one in the session, in constant time.
#[napi(catch_unwind)]
pub fn check_plain_state(expected: String, received: Option<String>) -> Outcome<bool> {
    run(|| core::check_plain_state(&expected, received.as_deref()).map(|()| true))
}

/// Parameters of a signed state token.
#[napi(object)]
pub struct IssueStateOptions {
    /// The keys; the first signs.
    pub keys: Vec<StateKeyInput>,
    /// `install_link`, `apps_oauth` or `connect_oauth`.
    pub flow: String,
    /// The user's session id.
    pub session_id: Either<String, Uint8Array>,
    /// Lifetime in seconds. Defaults to 600.
    pub ttl_secs: Option<u32>,
    /// Small app data (at most 192 bytes).
    pub data: Option<String>,
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
    /// 32 bytes for the nonce. Defaults to the OS CSPRNG.
    pub nonce: Option<Uint8Array>,
}

/// Issues a signed, session-bound, expiring state token.
#[napi(catch_unwind)]
pub fn issue_state_token(options: IssueStateOptions) -> Outcome<String> {
    run(|| {
        let keys = state_keys(&options.keys)?;
        let nonce = match &options.nonce {
            Some(n) => host::bytes32(n, "nonce")?,
            None => core::random_bytes()?,
        };
        let p = core::StateTokenParams {
            flow: core::Flow::parse(&options.flow)?,
            session_id: bytes(&options.session_id),
            ttl_secs: options.ttl_secs,
            data: options.data.as_deref(),
        };
        core::issue_state_token(&keys, &p, now(options.now)?, &nonce)
    })
}

/// A verified state token.
#[napi(object)]
pub struct VerifiedState {
    /// The key that signed it.
    pub key_id: String,
    /// Issued-at (Unix seconds).
    pub issued_at: f64,
    /// Expiry (Unix seconds).
    pub expires_at: f64,
    /// The flow.
    pub flow: String,
    /// The nonce (base64url): store it until `expiresAt` to refuse a replay.
    pub nonce: String,
    /// The app data, if any.
    pub data: Option<String>,
}

impl From<&core::VerifiedState> for VerifiedState {
    fn from(v: &core::VerifiedState) -> Self {
        Self {
            key_id: v.key_id().to_owned(),
            issued_at: js_num(v.issued_at()),
            expires_at: js_num(v.expires_at()),
            flow: v.flow().as_str().to_owned(),
            nonce: v.nonce(),
            data: v.data().map(str::to_owned),
        }
    }
}

/// Options of a state token check.
#[napi(object)]
pub struct VerifyStateOptions {
    /// The keys that may have signed it.
    pub keys: Vec<StateKeyInput>,
    /// The user's session id.
    pub session_id: Either<String, Uint8Array>,
    /// The flow the token must be for.
    pub flow: String,
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
}

/// Verifies a signed state token (`token` may be null when the callback had none).
#[napi(catch_unwind)]
pub fn verify_state_token(token: Option<String>, options: VerifyStateOptions) -> Outcome<VerifiedState> {
    run(|| {
        let keys = state_keys(&options.keys)?;
        let flow = core::Flow::parse(&options.flow)?;
        let v = core::verify_state_token(&keys, token.as_deref(), bytes(&options.session_id), flow, now(options.now)?)?;
        Ok((&v).into())
    })
}

// ------------------------------------------------------------------------------- callbacks

/// Options of the install-callback check. Say how to check `state`: exactly one of
/// `expectedState`, `stateKeys` with `sessionId`, or `allowStateless: true`.
#[napi(object)]
pub struct InstallCallbackOptions {
    /// The app's signing secret (`absec_…`), or several during a rotation.
    pub secrets: Either<String, Vec<String>>,
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
    /// Seconds the signature's `t` may differ from now; must be positive. Defaults to 300.
    pub tolerance: Option<f64>,
    /// The plain state you put in the link.
    pub expected_state: Option<String>,
    /// The keys of signed state tokens.
    pub state_keys: Option<Vec<StateKeyInput>>,
    /// The user's session id (with `stateKeys`).
    pub session_id: Option<Either<String, Uint8Array>>,
    /// Accept callbacks without state (installs started from the Marketplace).
    pub allow_stateless: Option<bool>,
}

/// Options of the OAuth-callback check. Say how to check `state` as for installs.
#[napi(object)]
pub struct OAuthCallbackOptions {
    /// `apps_oauth` or `connect_oauth`.
    pub flow: String,
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
    /// The plain state you put in the link.
    pub expected_state: Option<String>,
    /// The keys of signed state tokens.
    pub state_keys: Option<Vec<StateKeyInput>>,
    /// The user's session id (with `stateKeys`).
    pub session_id: Option<Either<String, Uint8Array>>,
    /// Accept callbacks without state.
    pub allow_stateless: Option<bool>,
}

/// The outcome of a callback: `installed`/`authorized` or `denied`.
#[napi(object)]
pub struct CallbackResult {
    /// `installed`, `authorized` or `denied`.
    pub outcome: String,
    /// Installed: the Stripe user (`usr_…`).
    pub user_id: Option<String>,
    /// Installed: the account (`acct_…`) to use in the `Stripe-Account` header.
    pub account_id: Option<String>,
    /// Installed: the state as received.
    pub state: Option<String>,
    /// Installed: `livemode` as given (not signed).
    pub livemode: Option<String>,
    /// Installed: the signature's timestamp.
    pub timestamp: Option<f64>,
    /// Installed: index of the secret that matched.
    pub secret_index: Option<u32>,
    /// Authorized: the one-time code; exchange it once.
    pub code: Option<String>,
    /// Authorized: the granted scope (Connect).
    pub scope: Option<String>,
    /// `plain`, `signed` or `stateless`.
    pub state_outcome: Option<String>,
    /// Signed state: the nonce to store until expiry.
    pub state_nonce: Option<String>,
    /// Signed state: the app data.
    pub state_data: Option<String>,
    /// Denied: the `error` string.
    pub error: Option<String>,
    /// Denied: the kind (`access_denied`, …, `other`).
    pub kind: Option<String>,
    /// Denied: `error_description` (untrusted: escape before display).
    pub description: Option<String>,
}

impl CallbackResult {
    fn empty(outcome: &str) -> Self {
        Self {
            outcome: outcome.to_owned(),
            user_id: None,
            account_id: None,
            state: None,
            livemode: None,
            timestamp: None,
            secret_index: None,
            code: None,
            scope: None,
            state_outcome: None,
            state_nonce: None,
            state_data: None,
            error: None,
            kind: None,
            description: None,
        }
    }

    fn denied(d: &core::CallbackDenial) -> Self {
        Self {
            error: Some(d.error().to_owned()),
            kind: Some(d.kind().as_str().to_owned()),
            description: d.description().map(str::to_owned),
            ..Self::empty("denied")
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

/// Verifies the redirect after an install link from its raw query string: `install_signature`,
/// the time window, then `state`.
#[napi(catch_unwind)]
pub fn verify_install_callback(query: String, options: InstallCallbackOptions) -> Outcome<CallbackResult> {
    run(|| {
        let keys = options.state_keys.as_deref().map(state_keys).transpose()?;
        let session = options.session_id.as_ref().map(bytes);
        let state = core::StateCheck::from_options(
            options.expected_state.as_deref(),
            keys.as_ref(),
            session,
            options.allow_stateless.unwrap_or(false),
        )?;
        let secrets = secrets(&options.secrets)?;
        let opts = core::InstallVerifyOptions {
            secrets: &secrets,
            now: now(options.now)?,
            tolerance: host::tolerance_from_f64(options.tolerance)?,
            state,
        };
        Ok(match core::verify_install_callback(&query, &opts)? {
            core::InstallCallback::Denied(d) => CallbackResult::denied(&d),
            core::InstallCallback::Installed(i) => CallbackResult {
                user_id: Some(i.user_id().to_owned()),
                account_id: Some(i.account_id().to_owned()),
                state: i.state().map(str::to_owned),
                livemode: i.livemode().map(str::to_owned),
                timestamp: Some(js_num(i.timestamp())),
                secret_index: Some(index(i.secret_index())),
                ..CallbackResult::empty("installed")
            }
            .with_state(i.state_outcome()),
        })
    })
}

/// Parses an OAuth redirect (Stripe Apps or Connect) and checks its `state`.
#[napi(js_name = "verifyOAuthCallback", catch_unwind)]
pub fn verify_oauth_callback(query: String, options: OAuthCallbackOptions) -> Outcome<CallbackResult> {
    run(|| {
        let keys = options.state_keys.as_deref().map(state_keys).transpose()?;
        let session = options.session_id.as_ref().map(bytes);
        let state = core::StateCheck::from_options(
            options.expected_state.as_deref(),
            keys.as_ref(),
            session,
            options.allow_stateless.unwrap_or(false),
        )?;
        let flow = core::Flow::parse(&options.flow)?;
        Ok(match core::verify_oauth_callback(&query, flow, &state, now(options.now)?)? {
            core::OAuthCallback::Denied(d) => CallbackResult::denied(&d),
            core::OAuthCallback::Authorized(a) => CallbackResult {
                code: Some(a.code().to_owned()),
                scope: a.scope().map(str::to_owned),
                ..CallbackResult::empty("authorized")
            }
            .with_state(a.state_outcome()),
        })
    })
}

// ------------------------------------------------------------------------------- OAuth

/// Headers of a token request.
#[napi(object)]
pub struct HttpHeaders {
    /// `Basic base64(sk_…:)`. A credential: never log it.
    #[napi(js_name = "Authorization")]
    pub authorization: String,
    /// `application/x-www-form-urlencoded`.
    #[napi(js_name = "Content-Type")]
    pub content_type: String,
}

/// An HTTP request for your client (fetch, undici, axios) to send.
#[napi(object)]
pub struct HttpRequest {
    /// `POST`.
    pub method: String,
    /// The endpoint.
    pub url: String,
    /// The headers.
    pub headers: HttpHeaders,
    /// The form body.
    pub body: String,
}

impl TryFrom<core::HttpRequest> for HttpRequest {
    type Error = Error;
    fn try_from(r: core::HttpRequest) -> Result<Self> {
        let header = |name: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or(Error::Internal { what: "request header" })
        };
        if r.headers.len() != 2 {
            return Err(Error::Internal { what: "request headers" });
        }
        Ok(Self {
            method: r.method.to_owned(),
            headers: HttpHeaders { authorization: header("Authorization")?, content_type: header("Content-Type")? },
            url: r.url,
            body: r.body,
        })
    }
}

/// Parameters of a code exchange.
#[napi(object)]
pub struct CodeExchangeParams {
    /// `apps` or `connect`.
    pub provider: String,
    /// Your secret key (`sk_live_…` / `sk_test_…`).
    pub secret_key: String,
    /// The code from the callback.
    pub code: String,
    /// `live` or `test`: refuse a key of the other mode.
    pub expected_mode: Option<String>,
    /// Base URL override (an emulator).
    pub base_url: Option<String>,
}

/// The secret key and the options every request builder takes.
fn prepared<'a>(
    secret_key: &str,
    expected_mode: Option<&str>,
    base_url: Option<&'a str>,
) -> Result<(core::SecretKey, core::RequestOptions<'a>)> {
    let expected_mode = expected_mode.map(core::Mode::parse).transpose()?;
    Ok((core::SecretKey::parse(secret_key)?, core::RequestOptions { expected_mode, base_url }))
}

/// Builds the code-exchange request. Send it once: never retry a code exchange.
#[napi(catch_unwind)]
pub fn code_exchange_request(params: CodeExchangeParams) -> Outcome<HttpRequest> {
    run(|| {
        let (key, opts) = prepared(&params.secret_key, params.expected_mode.as_deref(), params.base_url.as_deref())?;
        core::code_exchange_request(core::OAuthProvider::parse(&params.provider)?, &key, &params.code, &opts)?
            .try_into()
    })
}

/// Parameters of a refresh.
#[napi(object)]
pub struct RefreshParams {
    /// `apps` or `connect`.
    pub provider: String,
    /// Your secret key.
    pub secret_key: String,
    /// The refresh token (Stripe Apps: it rolls; store the new one).
    pub refresh_token: String,
    /// Connect only: narrow the scope.
    pub scope: Option<String>,
    /// `live` or `test`: refuse a key of the other mode.
    pub expected_mode: Option<String>,
    /// Base URL override (an emulator).
    pub base_url: Option<String>,
}

/// Builds a refresh request.
#[napi(catch_unwind)]
pub fn refresh_request(params: RefreshParams) -> Outcome<HttpRequest> {
    run(|| {
        let (key, opts) = prepared(&params.secret_key, params.expected_mode.as_deref(), params.base_url.as_deref())?;
        let scope = params.scope.as_deref().map(core::Scope::parse).transpose()?;
        core::refresh_request(core::OAuthProvider::parse(&params.provider)?, &key, &params.refresh_token, scope, &opts)?
            .try_into()
    })
}

/// Parameters of a Connect deauthorize.
#[napi(object)]
pub struct DeauthorizeParams {
    /// Your secret key.
    pub secret_key: String,
    /// Your client id (`ca_…`).
    pub client_id: String,
    /// The connected account (`acct_…`).
    pub stripe_user_id: String,
    /// `live` or `test`: refuse a key of the other mode.
    pub expected_mode: Option<String>,
    /// Base URL override (an emulator).
    pub base_url: Option<String>,
}

/// Builds a Connect deauthorize request.
#[napi(catch_unwind)]
pub fn deauthorize_request(params: DeauthorizeParams) -> Outcome<HttpRequest> {
    run(|| {
        let (key, opts) = prepared(&params.secret_key, params.expected_mode.as_deref(), params.base_url.as_deref())?;
        core::deauthorize_request(&key, &params.client_id, &params.stripe_user_id, &opts)?.try_into()
    })
}

/// What `parseSecretKey` learns about a key.
#[napi(object)]
pub struct SecretKeyInfo {
    /// `live` or `test`.
    pub mode: String,
}

/// Checks that `key` is a secret key (`sk_live_…` / `sk_test_…`) and reads its mode.
#[napi(catch_unwind)]
pub fn parse_secret_key(key: String) -> Outcome<SecretKeyInfo> {
    run(|| Ok(SecretKeyInfo { mode: core::SecretKey::parse(&key)?.mode().as_str().to_owned() }))
}

/// A successful token response. The tokens are credentials: never log them.
#[napi(object)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// The refresh token (Stripe Apps: store the new one every time).
    pub refresh_token: Option<String>,
    /// The granted scope.
    pub scope: Option<String>,
    /// Live-mode tokens or not.
    pub livemode: Option<bool>,
    /// `bearer`.
    pub token_type: String,
    /// The connected account (`acct_…`).
    pub stripe_user_id: String,
    /// The account's publishable key.
    pub stripe_publishable_key: Option<String>,
}

/// Parses the token endpoint's answer (status and raw body).
#[napi(catch_unwind)]
pub fn parse_token_response(status: u32, body: Either<String, Uint8ArraySlice<'_>>) -> Outcome<TokenResponse> {
    run(|| {
        let status = host::http_status(status)?;
        let t = core::parse_token_response(status, bytes(&body))?;
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

/// Parses the deauthorize answer; it must echo `expectedStripeUserId`.
#[napi(catch_unwind)]
pub fn parse_deauthorize_response(
    status: u32,
    body: Either<String, Uint8ArraySlice<'_>>,
    expected_stripe_user_id: String,
) -> Outcome<bool> {
    run(|| {
        let status = host::http_status(status)?;
        core::parse_deauthorize_response(status, bytes(&body), &expected_stripe_user_id).map(|()| true)
    })
}

/// Options of `appsTokenExpiry`.
#[napi(object)]
pub struct ExpiryOptions {
    /// Current Unix time in seconds. Defaults to the system clock.
    pub now: Option<f64>,
    /// Refresh this many seconds before expiry. Defaults to 300.
    pub margin_secs: Option<f64>,
}

/// Expiry of a Stripe Apps token pair.
#[napi(object)]
pub struct TokenExpiry {
    /// When the access token expires (1 hour after issue).
    pub access_expires_at: f64,
    /// When the refresh token expires if unused (1 year).
    pub refresh_expires_at: f64,
    /// Whether to refresh now.
    pub needs_refresh: bool,
    /// Whether the refresh token has expired (the user must reinstall).
    pub refresh_expired: bool,
}

/// When a Stripe Apps token pair received at `issuedAt` expires, and whether to refresh.
#[napi(catch_unwind)]
pub fn apps_token_expiry(issued_at: f64, options: Option<ExpiryOptions>) -> Outcome<TokenExpiry> {
    run(|| {
        let e = core::AppsTokenExpiry::from_issued_at(host::secs_from_f64(issued_at, "issued_at")?);
        let (now_opt, margin) = options.map_or((None, None), |o| (o.now, o.margin_secs));
        let now = now(now_opt)?;
        let margin = margin.map_or(Ok(core::DEFAULT_REFRESH_MARGIN_SECS), |m| host::secs_from_f64(m, "margin_secs"))?;
        Ok(TokenExpiry {
            access_expires_at: js_num(e.access_expires_at()),
            refresh_expires_at: js_num(e.refresh_expires_at()),
            needs_refresh: e.needs_refresh(now, margin),
            refresh_expired: e.refresh_expired(now),
        })
    })
}

// ------------------------------------------------------------------------------- meta

/// Every error code, in a fixed order.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    Error::ALL_CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// Self-test: panics inside an export, to prove panics become errors, not aborts.
#[napi(js_name = "_selfTestPanic", catch_unwind)]
pub fn self_test_panic() -> Outcome<bool> {
    #[allow(clippy::panic)]
    {
        panic!("self-test panic")
    }
}
