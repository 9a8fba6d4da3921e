//! WebAssembly binding of stripe-handshake for browsers and edge runtimes: argument
//! conversion and defaults only, the same names and shapes as the Node binding.
//!
//! Every rule lives in the core crate. Options and results are plain JavaScript objects;
//! failures are thrown as `Error` objects carrying `code` and `family` (mapped in one place,
//! `to_js`), which `index.js` turns into the same error classes as the Node package.
//! Defaults that live here: `now` is `Date.now()`, the tolerance is 300 s, random bytes come
//! from `crypto.getRandomValues`. A panic traps (wasm32 has no unwinding): see the README.
#![forbid(unsafe_code)]
#![allow(clippy::needless_pass_by_value)] // wasm-bindgen exports take owned values

use js_sys::{Array, Object, Reflect, Uint8Array};
use stripe_handshake as core;
use stripe_handshake::{host, Error, Result};
use wasm_bindgen::prelude::*;

// ------------------------------------------------------------------------------- errors

/// The one place where core errors become JavaScript values: an `Error` with `code`,
/// `family` and the details of OAuth and configuration errors.
fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("StripeHandshakeError");
    let set = |k: &str, v: JsValue| {
        // Setting a property on a fresh Error cannot fail; ignore the impossible error.
        let _ = Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("code", e.code().into());
    set("family", e.family().as_str().into());
    if let Some((kind, error, description)) = e.oauth_details() {
        set("oauthError", error.into());
        set("oauthKind", kind.as_str().into());
        set("description", opt(description));
    }
    if let Some(i) = e.config_index() {
        set("index", JsValue::from_f64(num(i as u64)));
    }
    err.into()
}

type Out = std::result::Result<JsValue, JsValue>;

fn run(f: impl FnOnce() -> Result<JsValue>) -> Out {
    f().map_err(|e| to_js(&e))
}

fn run_as<T>(f: impl FnOnce() -> Result<T>) -> std::result::Result<T, JsValue> {
    f().map_err(|e| to_js(&e))
}

// ------------------------------------------------------------------------------- conversions

fn bad(what: &'static str, reason: &'static str) -> Error {
    Error::InvalidArgument { what, reason }
}

fn opt(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

#[allow(clippy::cast_precision_loss)] // timestamps in any tolerance window are far below 2^53
fn num(v: u64) -> f64 {
    v as f64
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// A string (as UTF-8) or a `Uint8Array`.
fn data(v: &JsValue, what: &'static str) -> Result<Vec<u8>> {
    if let Some(s) = v.as_string() {
        Ok(s.into_bytes())
    } else if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else {
        Err(bad(what, "it must be a string or a Uint8Array"))
    }
}

/// A string or an array of strings.
fn strings(v: &JsValue, what: &'static str) -> Result<Vec<String>> {
    if let Some(s) = v.as_string() {
        return Ok(vec![s]);
    }
    let arr = v.dyn_ref::<Array>().ok_or(bad(what, "it must be a string or an array of strings"))?;
    arr.iter().map(|x| x.as_string().ok_or(bad(what, "it must contain only strings"))).collect()
}

/// Reads the fields of an options object.
struct Opts<'a>(&'a JsValue);

impl Opts<'_> {
    fn get(&self, k: &str) -> Option<JsValue> {
        if !self.0.is_object() {
            return None;
        }
        Reflect::get(self.0, &JsValue::from_str(k)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }
    fn str(&self, k: &'static str) -> Result<Option<String>> {
        self.get(k).map(|v| v.as_string().ok_or(bad(k, "it must be a string"))).transpose()
    }
    fn req_str(&self, k: &'static str) -> Result<String> {
        self.str(k)?.ok_or(bad(k, "it is required"))
    }
    fn num(&self, k: &'static str) -> Result<Option<f64>> {
        self.get(k).map(|v| v.as_f64().ok_or(bad(k, "it must be a number"))).transpose()
    }
    fn bool(&self, k: &'static str) -> Result<Option<bool>> {
        self.get(k).map(|v| v.as_bool().ok_or(bad(k, "it must be a boolean"))).transpose()
    }
    fn data(&self, k: &'static str) -> Result<Option<Vec<u8>>> {
        self.get(k).map(|v| data(&v, k)).transpose()
    }
    fn strings(&self, k: &'static str) -> Result<Option<Vec<String>>> {
        self.get(k).map(|v| strings(&v, k)).transpose()
    }
    fn now(&self) -> Result<u64> {
        now(self.num("now")?)
    }
    fn secrets(&self) -> Result<Vec<core::SigningSecret>> {
        signing_secrets(&self.strings("secrets")?.ok_or(bad("secrets", "it is required"))?)
    }
    fn tolerance(&self) -> Result<core::Tolerance> {
        match self.get("tolerance") {
            None => Ok(core::Tolerance::default()),
            Some(v) => host::tolerance_from_f64(Some(v.as_f64().ok_or(Error::InvalidTolerance)?)),
        }
    }
    fn state_keys(&self, k: &'static str) -> Result<Option<core::StateKeys>> {
        self.get(k).map(|v| state_keys(&v)).transpose()
    }
    fn redirect_mode(&self) -> Result<core::RedirectMode> {
        Ok(if self.bool("testMode")?.unwrap_or(false) { core::RedirectMode::Test } else { core::RedirectMode::Live })
    }
}

fn now(v: Option<f64>) -> Result<u64> {
    match v {
        Some(v) => host::secs_from_f64(v, "now"),
        None => host::secs_from_millis(js_sys::Date::now()),
    }
}

fn signing_secrets(list: &[String]) -> Result<Vec<core::SigningSecret>> {
    list.iter().map(|s| core::SigningSecret::new(s)).collect()
}

fn state_keys(v: &JsValue) -> Result<core::StateKeys> {
    let arr = v.dyn_ref::<Array>().ok_or(bad("keys", "it must be an array of { id, key }"))?;
    let keys = arr
        .iter()
        .map(|k| {
            let o = Opts(&k);
            core::StateKey::new(&o.req_str("id")?, &o.data("key")?.ok_or(bad("key", "it is required"))?)
        })
        .collect::<Result<Vec<_>>>()?;
    core::StateKeys::new(keys)
}

fn secs(v: f64, what: &'static str) -> Result<u64> {
    host::secs_from_f64(v, what)
}

// ------------------------------------------------------------------------------- results

fn verified(v: &core::VerifiedSignature) -> JsValue {
    obj(&[("timestamp", num(v.timestamp()).into()), ("secretIndex", num(v.secret_index() as u64).into())])
}

fn event(e: &core::VerifiedEvent) -> JsValue {
    obj(&[
        ("id", e.id().into()),
        ("type", e.event_type().into()),
        ("account", opt(e.account())),
        ("livemode", e.livemode().into()),
        ("created", num(e.created()).into()),
        ("apiVersion", opt(e.api_version())),
        ("dataObjectJson", e.data_object_json().into()),
        ("timestamp", num(e.timestamp()).into()),
        ("secretIndex", num(e.secret_index() as u64).into()),
    ])
}

fn deauthorization(d: &core::Deauthorization) -> JsValue {
    obj(&[
        ("accountId", d.account_id().into()),
        ("applicationId", d.application_id().into()),
        ("applicationName", opt(d.application_name())),
        ("livemode", d.livemode().into()),
    ])
}

fn state_fields(o: &core::StateOutcome) -> Vec<(&'static str, JsValue)> {
    let mut v = vec![("stateOutcome", JsValue::from_str(o.name()))];
    if let Some(s) = o.signed() {
        v.push(("stateNonce", s.nonce().into()));
        v.push(("stateData", opt(s.data())));
    }
    v
}

fn denied(d: &core::CallbackDenial) -> JsValue {
    obj(&[
        ("outcome", "denied".into()),
        ("error", d.error().into()),
        ("kind", d.kind().as_str().into()),
        ("description", opt(d.description())),
    ])
}

fn request(r: core::HttpRequest) -> Result<JsValue> {
    let header = |name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| JsValue::from_str(v))
            .ok_or(Error::Internal { what: "request header" })
    };
    let headers = obj(&[("Authorization", header("Authorization")?), ("Content-Type", header("Content-Type")?)]);
    Ok(obj(&[
        ("method", r.method.into()),
        ("url", r.url.as_str().into()),
        ("headers", headers),
        ("body", r.body.as_str().into()),
    ]))
}

// ------------------------------------------------------------------------------- signatures

/// HMAC-SHA256 of `message` under `key`.
#[wasm_bindgen(js_name = hmacSha256)]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> std::result::Result<Vec<u8>, JsValue> {
    run_as(|| core::hmac_sha256(key, &[message]).map(|m| m.to_vec()))
}

/// Verifies a full 32-byte HMAC-SHA256 `tag` in constant time.
#[wasm_bindgen(js_name = verifyHmacSha256)]
pub fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> std::result::Result<bool, JsValue> {
    run_as(|| core::verify_hmac_sha256(key, &[message], tag).map(|()| true))
}

/// Builds a `t=…,v1=…` header for `payload` at `timestamp`: for tests and emulators.
#[wasm_bindgen(js_name = signHeader)]
pub fn sign_header(payload: JsValue, secret: String, timestamp: f64) -> std::result::Result<String, JsValue> {
    run_as(|| {
        core::sign_header(
            &data(&payload, "payload")?,
            &core::SigningSecret::new(&secret)?,
            secs(timestamp, "timestamp")?,
        )
    })
}

fn verifier_from(o: &Opts<'_>) -> Result<core::Verifier> {
    core::Verifier::new(&o.secrets()?, o.tolerance()?)
}

/// Verifies a `Stripe-Signature` header over the raw payload.
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(payload: JsValue, header: String, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        Ok(verified(&verifier_from(&o)?.verify(&data(&payload, "payload")?, &header, o.now()?)?))
    })
}

/// Verifies a webhook from its raw body and `Stripe-Signature` header, then reads the event.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(payload: JsValue, header: String, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        Ok(event(&verifier_from(&o)?.verify_webhook(&data(&payload, "payload")?, &header, o.now()?)?))
    })
}

/// Verifies an `account.application.deauthorized` webhook and reads it.
#[wasm_bindgen(js_name = verifyDeauthorization)]
pub fn verify_deauthorization(payload: JsValue, header: String, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        let e = verifier_from(&o)?.verify_webhook(&data(&payload, "payload")?, &header, o.now()?)?;
        Ok(deauthorization(&e.deauthorization()?))
    })
}

/// A verifier prepared once per endpoint: the fast path.
#[wasm_bindgen]
pub struct Verifier {
    inner: core::Verifier,
}

/// Prepares a verifier for `secrets` (one, or several during a rotation).
#[wasm_bindgen(js_name = createVerifier)]
pub fn create_verifier(secrets: JsValue, options: JsValue) -> std::result::Result<Verifier, JsValue> {
    run_as(|| {
        let tolerance = Opts(&options).tolerance()?;
        Ok(Verifier { inner: core::Verifier::new(&signing_secrets(&strings(&secrets, "secrets")?)?, tolerance)? })
    })
}

#[wasm_bindgen]
impl Verifier {
    /// Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to `Date.now()`.
    pub fn verify(&self, payload: JsValue, header: String, now: Option<f64>) -> Out {
        run(|| Ok(verified(&self.inner.verify(&data(&payload, "payload")?, &header, self::now(now)?)?)))
    }

    /// The fastest path: `undefined` when the signature verifies, else the error code.
    pub fn check(&self, payload: JsValue, header: String, now: Option<f64>) -> Option<String> {
        let r = data(&payload, "payload").and_then(|p| self.inner.verify(&p, &header, self::now(now)?));
        r.err().map(|e| e.code().to_owned())
    }

    /// Like `verify`, but never throws: `{ ok: false, code, message }` on failure.
    #[wasm_bindgen(js_name = tryVerify)]
    pub fn try_verify(&self, payload: JsValue, header: String, now: Option<f64>) -> JsValue {
        let r = data(&payload, "payload").and_then(|p| self.inner.verify(&p, &header, self::now(now)?));
        match r {
            Ok(v) => obj(&[
                ("ok", true.into()),
                ("timestamp", num(v.timestamp()).into()),
                ("secretIndex", num(v.secret_index() as u64).into()),
            ]),
            Err(e) => obj(&[("ok", false.into()), ("code", e.code().into()), ("message", e.to_string().into())]),
        }
    }

    /// Verifies a webhook and reads the event.
    #[wasm_bindgen(js_name = verifyWebhook)]
    pub fn verify_webhook(&self, payload: JsValue, header: String, now: Option<f64>) -> Out {
        run(|| Ok(event(&self.inner.verify_webhook(&data(&payload, "payload")?, &header, self::now(now)?)?)))
    }

    /// Verifies an `account.application.deauthorized` webhook and reads it.
    #[wasm_bindgen(js_name = verifyDeauthorization)]
    pub fn verify_deauthorization(&self, payload: JsValue, header: String, now: Option<f64>) -> Out {
        run(|| {
            let e = self.inner.verify_webhook(&data(&payload, "payload")?, &header, self::now(now)?)?;
            Ok(deauthorization(&e.deauthorization()?))
        })
    }
}

/// Verifies without the time window: a captured request verifies forever. Tests only.
#[wasm_bindgen(js_name = dangerousVerifyIgnoringTolerance)]
pub fn dangerous_verify_ignoring_tolerance(payload: JsValue, header: String, secrets: JsValue) -> Out {
    run(|| {
        let s = signing_secrets(&strings(&secrets, "secrets")?)?;
        Ok(verified(&core::dangerous::verify_ignoring_tolerance(&data(&payload, "payload")?, &header, &s)?))
    })
}

/// The exact text Stripe signs for an install: `JSON.stringify({state, user_id, account_id})`.
#[wasm_bindgen(js_name = installPayload)]
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
#[wasm_bindgen]
pub struct RedirectAllowList {
    inner: core::RedirectAllowList,
}

/// Builds an allow-list; every entry must be a canonical https URL.
#[wasm_bindgen(js_name = redirectAllowList)]
pub fn redirect_allow_list(entries: JsValue, options: JsValue) -> std::result::Result<RedirectAllowList, JsValue> {
    run_as(|| {
        let list = strings(&entries, "entries")?;
        Ok(RedirectAllowList { inner: core::RedirectAllowList::new(&list, Opts(&options).redirect_mode()?)? })
    })
}

#[wasm_bindgen]
impl RedirectAllowList {
    /// Returns `uri` if it is byte-equal to an entry.
    pub fn check(&self, uri: String) -> std::result::Result<String, JsValue> {
        run_as(|| self.inner.check(&uri).map(str::to_owned))
    }
    /// The default (first) entry.
    #[wasm_bindgen(getter, js_name = defaultUri)]
    pub fn default_uri(&self) -> String {
        self.inner.default_uri().to_owned()
    }
    /// Every entry, in order.
    #[wasm_bindgen(getter)]
    pub fn entries(&self) -> Vec<String> {
        self.inner.entries().to_vec()
    }
    /// Whether loopback http is allowed.
    #[wasm_bindgen(getter, js_name = testMode)]
    pub fn test_mode(&self) -> bool {
        self.inner.mode() == core::RedirectMode::Test
    }
}

/// Parses a `stripe-app.json` manifest and checks its redirect URIs.
#[wasm_bindgen(js_name = parseManifest)]
pub fn parse_manifest(json: String, options: JsValue) -> Out {
    run(|| {
        let m = core::AppManifest::parse(&json, Opts(&options).redirect_mode()?)?;
        let uris: Array = m.redirect_uris().entries().iter().map(|u| JsValue::from_str(u)).collect();
        Ok(obj(&[
            ("id", m.id().into()),
            ("stripeApiAccessType", opt(m.stripe_api_access_type())),
            ("distributionType", opt(m.distribution_type())),
            ("redirectUris", uris.into()),
        ]))
    })
}

/// Builds a Stripe Apps install link.
#[wasm_bindgen(js_name = installLink)]
pub fn install_link(params: JsValue, allow_list: &RedirectAllowList) -> std::result::Result<String, JsValue> {
    run_as(|| {
        let o = Opts(&params);
        let (link_id, redirect_uri, state, base_url) =
            (o.req_str("linkId")?, o.str("redirectUri")?, o.str("state")?, o.str("baseUrl")?);
        let p = core::InstallLinkParams {
            link_id: &link_id,
            redirect_uri: redirect_uri.as_deref(),
            state: state.as_deref(),
            base_url: base_url.as_deref(),
        };
        core::install_link(&p, &allow_list.inner)
    })
}

/// Builds a Stripe Apps OAuth authorize link.
#[wasm_bindgen(js_name = appsOAuthLink)]
pub fn apps_oauth_link(params: JsValue, allow_list: &RedirectAllowList) -> std::result::Result<String, JsValue> {
    run_as(|| {
        let o = Opts(&params);
        let (client_id, redirect_uri, state, test_link_id, base_url) =
            (o.req_str("clientId")?, o.str("redirectUri")?, o.str("state")?, o.str("testLinkId")?, o.str("baseUrl")?);
        let p = core::AppsOAuthLinkParams {
            client_id: &client_id,
            redirect_uri: redirect_uri.as_deref(),
            state: state.as_deref(),
            test_link_id: test_link_id.as_deref(),
            base_url: base_url.as_deref(),
        };
        core::apps_oauth_link(&p, &allow_list.inner)
    })
}

/// `stripeUser`: an object, or a list of `[key, value]` pairs.
fn prefill(v: &JsValue) -> Result<Vec<(String, String)>> {
    let pair = |kv: JsValue| -> Result<(String, String)> {
        let a = kv.dyn_ref::<Array>().ok_or(bad("stripeUser", "each entry is a [key, value] pair"))?;
        match (a.length(), a.get(0).as_string(), a.get(1).as_string()) {
            (2, Some(k), Some(v)) => Ok((k, v)),
            _ => Err(bad("stripeUser", "each entry is a [key, value] pair of strings")),
        }
    };
    if let Some(a) = v.dyn_ref::<Array>() {
        a.iter().map(pair).collect()
    } else if v.is_object() {
        Object::entries(&Object::from(v.clone())).iter().map(pair).collect()
    } else {
        Err(bad("stripeUser", "it must be an object or a list of pairs"))
    }
}

/// Builds a Connect OAuth authorize link (Standard or Express).
#[wasm_bindgen(js_name = connectOAuthLink)]
pub fn connect_oauth_link(params: JsValue, allow_list: &RedirectAllowList) -> std::result::Result<String, JsValue> {
    run_as(|| {
        let o = Opts(&params);
        let client_id = o.req_str("clientId")?;
        let scope = o.str("scope")?;
        let (redirect_uri, state, landing, base_url) =
            (o.str("redirectUri")?, o.str("state")?, o.str("stripeLanding")?, o.str("baseUrl")?);
        let caps = o.strings("suggestedCapabilities")?.unwrap_or_default();
        let users = o.get("stripeUser").map(|v| prefill(&v)).transpose()?.unwrap_or_default();
        let mut p = core::ConnectLinkParams::new(
            &client_id,
            core::ConnectAccountType::parse(&o.req_str("accountType")?, scope.as_deref())?,
        );
        p.redirect_uri = redirect_uri.as_deref();
        p.state = state.as_deref();
        p.stripe_landing = landing.as_deref().map(core::StripeLanding::parse).transpose()?;
        p.always_prompt = o.bool("alwaysPrompt")?;
        p.suggested_capabilities = caps.iter().map(String::as_str).collect();
        p.stripe_user =
            users.iter().map(|(k, v)| Ok((core::StripeUserField::parse(k)?, v.as_str()))).collect::<Result<_>>()?;
        p.base_url = base_url.as_deref();
        core::connect_oauth_link(&p, &allow_list.inner)
    })
}

// ------------------------------------------------------------------------------- state

/// A fresh plain `state`: 32 bytes from `crypto.getRandomValues` as base64url.
#[wasm_bindgen(js_name = randomState)]
pub fn random_state() -> std::result::Result<String, JsValue> {
    run_as(core::random_state)
}

/// A plain `state` from 32 bytes you supply.
#[wasm_bindgen(js_name = plainStateFromEntropy)]
pub fn plain_state_from_entropy(entropy: &[u8]) -> std::result::Result<String, JsValue> {
    run_as(|| Ok(core::plain_state_from_entropy(&host::bytes32(entropy, "entropy")?)))
}

/// Checks a received plain state against the one in the session, in constant time.
#[wasm_bindgen(js_name = checkPlainState)]
pub fn check_plain_state(expected: String, received: Option<String>) -> std::result::Result<bool, JsValue> {
    run_as(|| core::check_plain_state(&expected, received.as_deref()).map(|()| true))
}

/// Issues a signed, session-bound, expiring state token.
#[wasm_bindgen(js_name = issueStateToken)]
pub fn issue_state_token(options: JsValue) -> std::result::Result<String, JsValue> {
    run_as(|| {
        let o = Opts(&options);
        let keys = o.state_keys("keys")?.ok_or(bad("keys", "it is required"))?;
        let nonce = match o.data("nonce")? {
            Some(n) => host::bytes32(&n, "nonce")?,
            None => core::random_bytes()?,
        };
        let session = o.data("sessionId")?.ok_or(bad("sessionId", "it is required"))?;
        let ttl = o.num("ttlSecs")?.map(|t| secs(t, "ttlSecs")).transpose()?;
        let ttl =
            ttl.map(|t| u32::try_from(t).map_err(|_| bad("ttlSecs", "it must be between 1 and 86400"))).transpose()?;
        let data = o.str("data")?;
        let p = core::StateTokenParams {
            flow: core::Flow::parse(&o.req_str("flow")?)?,
            session_id: &session,
            ttl_secs: ttl,
            data: data.as_deref(),
        };
        core::issue_state_token(&keys, &p, o.now()?, &nonce)
    })
}

/// Verifies a signed state token (`token` may be null when the callback had none).
#[wasm_bindgen(js_name = verifyStateToken)]
pub fn verify_state_token(token: Option<String>, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        let keys = o.state_keys("keys")?.ok_or(bad("keys", "it is required"))?;
        let session = o.data("sessionId")?.ok_or(bad("sessionId", "it is required"))?;
        let v = core::verify_state_token(
            &keys,
            token.as_deref(),
            &session,
            core::Flow::parse(&o.req_str("flow")?)?,
            o.now()?,
        )?;
        Ok(obj(&[
            ("keyId", v.key_id().into()),
            ("issuedAt", num(v.issued_at()).into()),
            ("expiresAt", num(v.expires_at()).into()),
            ("flow", v.flow().as_str().into()),
            ("nonce", v.nonce().into()),
            ("data", opt(v.data())),
        ]))
    })
}

// ------------------------------------------------------------------------------- callbacks

/// Builds the state check from `expectedState`, `stateKeys` + `sessionId`, or `allowStateless`.
fn with_state_check<T>(o: &Opts<'_>, f: impl FnOnce(core::StateCheck<'_>) -> Result<T>) -> Result<T> {
    let keys = o.state_keys("stateKeys")?;
    let session = o.data("sessionId")?;
    let expected = o.str("expectedState")?;
    let check = core::StateCheck::from_options(
        expected.as_deref(),
        keys.as_ref(),
        session.as_deref(),
        o.bool("allowStateless")?.unwrap_or(false),
    )?;
    f(check)
}

/// Verifies the redirect after an install link from its raw query string.
#[wasm_bindgen(js_name = verifyInstallCallback)]
pub fn verify_install_callback(query: String, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        let secrets = o.secrets()?;
        let (now, tolerance) = (o.now()?, o.tolerance()?);
        with_state_check(&o, |state| {
            let opts = core::InstallVerifyOptions { secrets: &secrets, now, tolerance, state };
            Ok(match core::verify_install_callback(&query, &opts)? {
                core::InstallCallback::Denied(d) => denied(&d),
                core::InstallCallback::Installed(i) => {
                    let mut f = vec![
                        ("outcome", JsValue::from_str("installed")),
                        ("userId", i.user_id().into()),
                        ("accountId", i.account_id().into()),
                        ("state", opt(i.state())),
                        ("livemode", opt(i.livemode())),
                        ("timestamp", num(i.timestamp()).into()),
                        ("secretIndex", num(i.secret_index() as u64).into()),
                    ];
                    f.extend(state_fields(i.state_outcome()));
                    obj(&f)
                }
            })
        })
    })
}

/// Parses an OAuth redirect (Stripe Apps or Connect) and checks its `state`.
#[wasm_bindgen(js_name = verifyOAuthCallback)]
pub fn verify_oauth_callback(query: String, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        let (flow, now) = (core::Flow::parse(&o.req_str("flow")?)?, o.now()?);
        with_state_check(&o, |state| {
            Ok(match core::verify_oauth_callback(&query, flow, &state, now)? {
                core::OAuthCallback::Denied(d) => denied(&d),
                core::OAuthCallback::Authorized(a) => {
                    let mut f = vec![
                        ("outcome", JsValue::from_str("authorized")),
                        ("code", a.code().into()),
                        ("scope", opt(a.scope())),
                    ];
                    f.extend(state_fields(a.state_outcome()));
                    obj(&f)
                }
            })
        })
    })
}

// ------------------------------------------------------------------------------- OAuth

fn request_options(o: &Opts<'_>) -> Result<(core::SecretKey, Option<core::Mode>, Option<String>)> {
    Ok((
        core::SecretKey::parse(&o.req_str("secretKey")?)?,
        o.str("expectedMode")?.as_deref().map(core::Mode::parse).transpose()?,
        o.str("baseUrl")?,
    ))
}

/// Builds the code-exchange request. Send it once: never retry a code exchange.
#[wasm_bindgen(js_name = codeExchangeRequest)]
pub fn code_exchange_request(params: JsValue) -> Out {
    run(|| {
        let o = Opts(&params);
        let (key, expected_mode, base) = request_options(&o)?;
        let opts = core::RequestOptions { expected_mode, base_url: base.as_deref() };
        let provider = core::OAuthProvider::parse(&o.req_str("provider")?)?;
        request(core::code_exchange_request(provider, &key, &o.req_str("code")?, &opts)?)
    })
}

/// Builds a refresh request (Stripe Apps refresh tokens roll: store the new one).
#[wasm_bindgen(js_name = refreshRequest)]
pub fn refresh_request(params: JsValue) -> Out {
    run(|| {
        let o = Opts(&params);
        let (key, expected_mode, base) = request_options(&o)?;
        let opts = core::RequestOptions { expected_mode, base_url: base.as_deref() };
        let provider = core::OAuthProvider::parse(&o.req_str("provider")?)?;
        let scope = o.str("scope")?.as_deref().map(core::Scope::parse).transpose()?;
        request(core::refresh_request(provider, &key, &o.req_str("refreshToken")?, scope, &opts)?)
    })
}

/// Builds a Connect deauthorize request.
#[wasm_bindgen(js_name = deauthorizeRequest)]
pub fn deauthorize_request(params: JsValue) -> Out {
    run(|| {
        let o = Opts(&params);
        let (key, expected_mode, base) = request_options(&o)?;
        let opts = core::RequestOptions { expected_mode, base_url: base.as_deref() };
        request(core::deauthorize_request(&key, &o.req_str("clientId")?, &o.req_str("stripeUserId")?, &opts)?)
    })
}

/// Checks that `key` is a secret key and reads its mode.
#[wasm_bindgen(js_name = parseSecretKey)]
pub fn parse_secret_key(key: String) -> Out {
    run(|| Ok(obj(&[("mode", core::SecretKey::parse(&key)?.mode().as_str().into())])))
}

/// Parses the token endpoint's answer (status and raw body).
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(status: u32, body: JsValue) -> Out {
    run(|| {
        let t = core::parse_token_response(host::http_status(status)?, &data(&body, "body")?)?;
        Ok(obj(&[
            ("accessToken", t.access_token().into()),
            ("refreshToken", opt(t.refresh_token())),
            ("scope", opt(t.scope())),
            ("livemode", t.livemode().map_or(JsValue::UNDEFINED, JsValue::from_bool)),
            ("tokenType", t.token_type().into()),
            ("stripeUserId", t.stripe_user_id().into()),
            ("stripePublishableKey", opt(t.stripe_publishable_key())),
        ]))
    })
}

/// Parses the deauthorize answer; it must echo `expectedStripeUserId`.
#[wasm_bindgen(js_name = parseDeauthorizeResponse)]
pub fn parse_deauthorize_response(
    status: u32,
    body: JsValue,
    expected_stripe_user_id: String,
) -> std::result::Result<bool, JsValue> {
    run_as(|| {
        core::parse_deauthorize_response(host::http_status(status)?, &data(&body, "body")?, &expected_stripe_user_id)
            .map(|()| true)
    })
}

/// When a Stripe Apps token pair received at `issuedAt` expires, and whether to refresh.
#[wasm_bindgen(js_name = appsTokenExpiry)]
pub fn apps_token_expiry(issued_at: f64, options: JsValue) -> Out {
    run(|| {
        let o = Opts(&options);
        let e = core::AppsTokenExpiry::from_issued_at(secs(issued_at, "issuedAt")?);
        let now = o.now()?;
        let margin = o.num("marginSecs")?.map(|m| secs(m, "marginSecs")).transpose()?;
        let margin = margin.unwrap_or(core::DEFAULT_REFRESH_MARGIN_SECS);
        Ok(obj(&[
            ("accessExpiresAt", num(e.access_expires_at()).into()),
            ("refreshExpiresAt", num(e.refresh_expires_at()).into()),
            ("needsRefresh", e.needs_refresh(now, margin).into()),
            ("refreshExpired", e.refresh_expired(now).into()),
        ]))
    })
}

/// Every error code, in a fixed order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    Error::ALL_CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// Self-test: panics. On wasm32 a panic traps and poisons the instance (see the README).
#[wasm_bindgen(js_name = _selfTestPanic)]
pub fn self_test_panic() {
    #[allow(clippy::panic)]
    {
        panic!("self-test panic")
    }
}
