//! OAuth token lifecycle, sans-I/O (PROTOCOL §6).
//!
//! The functions here build requests ([`HttpRequest`]: method, URL, headers, form body) and
//! parse responses (status and body); your HTTP client sends them. Nothing here retries:
//! a Connect authorization code used twice revokes the connection, so never resend a
//! code exchange automatically.
//!
//! Links ([`connect_oauth_link`], [`apps_oauth_link`]) and the callback
//! ([`verify_oauth_callback`]) are here too: the whole flow in one module.

pub use crate::callback::{verify_oauth_callback, AuthorizedCallback, CallbackDenial, OAuthCallback};
pub use crate::error::OAuthErrorKind;
pub use crate::links::{
    apps_oauth_link, connect_oauth_link, AppsOAuthLinkParams, ConnectAccountType, ConnectLinkParams, Scope,
    StripeLanding, StripeUserField, CONNECT_BASE, MAX_LINK_STATE_LEN,
};

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

use crate::callback::{MAX_ERROR_DESCRIPTION_LEN, MAX_ERROR_LEN};
use crate::encoding::{cap, form_encode, json_error_reason};
use crate::error::{Error, Result};
use crate::ids::{ACCOUNT_ID, CLIENT_ID, SECRET_KEY_BODY, TOKEN};
use crate::urls::base_url;

/// Default base of the Stripe API (the Stripe Apps token endpoint).
pub const API_BASE: &str = "https://api.stripe.com";
/// Largest accepted response body, in bytes.
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;
/// Lifetime of a Stripe Apps access token: 1 hour.
pub const APPS_ACCESS_TOKEN_TTL_SECS: u64 = 3600;
/// Lifetime of a Stripe Apps refresh token: 1 year (it rolls on every use).
pub const APPS_REFRESH_TOKEN_TTL_SECS: u64 = 365 * 24 * 3600;

/// Live or test mode.
///
/// ```
/// use stripe_handshake::{Mode, SecretKey};
/// assert_eq!(SecretKey::parse("sk_live_1").unwrap().mode(), Mode::Live);
/// assert_eq!(Mode::parse("test").unwrap().as_str(), "test");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Live mode (`sk_live_…`).
    Live,
    /// Test mode (`sk_test_…`).
    Test,
}

impl Mode {
    /// `"live"` or `"test"`.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::Mode::Test.as_str(), "test");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }

    /// Parses `"live"` or `"test"`.
    ///
    /// ```
    /// # use stripe_handshake::Mode;
    /// assert_eq!(Mode::parse("live").unwrap(), Mode::Live);
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "live" => Ok(Self::Live),
            "test" => Ok(Self::Test),
            _ => Err(Error::InvalidArgument { what: "mode", reason: "use live or test" }),
        }
    }
}

/// A Stripe secret API key (`sk_live_…` / `sk_test_…`): the platform's or app developer's.
///
/// Debug output is redacted; there is no `Display`.
///
/// ```
/// use stripe_handshake::{SecretKey, Mode};
/// let k = SecretKey::parse("sk_test_abc123").unwrap();
/// assert_eq!(k.mode(), Mode::Test);
/// assert_eq!(format!("{k:?}"), "SecretKey(test, [redacted])");
/// let e = SecretKey::parse("pk_test_abc123").unwrap_err();
/// assert_eq!(e.code(), "invalid_api_key");
/// assert!(e.to_string().contains("publishable"));
/// ```
#[derive(Clone)]
pub struct SecretKey {
    key: String,
    mode: Mode,
}

impl SecretKey {
    /// Checks that `key` is a secret key and reads its mode.
    ///
    /// # Errors
    /// `invalid_api_key`: a publishable key (`pk_`), a restricted key (`rk_`), whitespace
    /// around it, or anything that is not `sk_live_…` / `sk_test_…`.
    pub fn parse(key: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidApiKey { reason };
        if key.trim() != key {
            return Err(bad("the API key has whitespace at the start or end; copy it again"));
        }
        if key.starts_with("pk_") {
            return Err(bad("this is a publishable key (pk_...); use your secret key sk_..."));
        }
        if key.starts_with("rk_") {
            return Err(bad("this is a restricted key (rk_...); OAuth needs your secret key sk_..."));
        }
        let (mode, rest) = if let Some(r) = key.strip_prefix("sk_live_") {
            (Mode::Live, r)
        } else if let Some(r) = key.strip_prefix("sk_test_") {
            (Mode::Test, r)
        } else {
            return Err(bad("this is not a Stripe secret key; use sk_live_... or sk_test_..."));
        };
        if !SECRET_KEY_BODY.matches(rest) {
            return Err(bad(SECRET_KEY_BODY.reason()));
        }
        Ok(Self { key: key.to_owned(), mode })
    }

    /// The key's mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The key itself.
    ///
    /// # Security
    /// Never log or display the returned value.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.key
    }

    pub(crate) fn check_mode(&self, expected: Option<Mode>) -> Result<()> {
        match expected {
            Some(m) if m != self.mode => {
                Err(Error::KeyModeMismatch { key_mode: self.mode.as_str(), expected_mode: m.as_str() })
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, [redacted])", self.mode.as_str())
    }
}

/// An HTTP request for your client to send. Debug output redacts the Authorization header
/// and the body (they hold the secret key, codes and tokens).
///
/// ```
/// use stripe_handshake::{SecretKey, oauth::{deauthorize_request, RequestOptions}};
/// let key = SecretKey::parse("sk_test_1").unwrap();
/// let r = deauthorize_request(&key, "ca_1", "acct_1", &RequestOptions::default()).unwrap();
/// assert_eq!((r.method, r.url.as_str()), ("POST", "https://connect.stripe.com/oauth/deauthorize"));
/// assert_eq!(r.headers[1], ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
/// assert!(format!("{r:?}").contains("[redacted]"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Always `POST`.
    pub method: &'static str,
    /// The endpoint.
    pub url: String,
    /// `Authorization` (Basic, the secret key) and `Content-Type`.
    pub headers: Vec<(String, String)>,
    /// The `application/x-www-form-urlencoded` body.
    pub body: String,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), if k.eq_ignore_ascii_case("authorization") { "[redacted]" } else { v.as_str() }))
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &"[redacted]")
            .finish()
    }
}

/// Which OAuth server to talk to.
///
/// ```
/// use stripe_handshake::{SecretKey, oauth::{code_exchange_request, OAuthProvider, RequestOptions}};
/// let key = SecretKey::parse("sk_test_1").unwrap();
/// let apps = code_exchange_request(OAuthProvider::Apps, &key, "ac_1", &RequestOptions::default()).unwrap();
/// assert_eq!(apps.url, "https://api.stripe.com/v1/oauth/token");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthProvider {
    /// Stripe Apps OAuth: `POST https://api.stripe.com/v1/oauth/token`.
    Apps,
    /// Connect OAuth: `POST https://connect.stripe.com/oauth/token`.
    Connect,
}

impl OAuthProvider {
    /// `"apps"` or `"connect"`.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::oauth::OAuthProvider::Apps.as_str(), "apps");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Apps => "apps",
            Self::Connect => "connect",
        }
    }

    /// Parses `"apps"` or `"connect"`.
    ///
    /// ```
    /// # use stripe_handshake::oauth::OAuthProvider;
    /// assert_eq!(OAuthProvider::parse("apps").unwrap(), OAuthProvider::Apps);
    /// assert!(OAuthProvider::parse("github").is_err());
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "apps" => Ok(Self::Apps),
            "connect" => Ok(Self::Connect),
            _ => Err(Error::InvalidArgument { what: "provider", reason: "use apps or connect" }),
        }
    }
}

/// Default margin for [`AppsTokenExpiry::needs_refresh`] in the bindings: 300 s.
pub const DEFAULT_REFRESH_MARGIN_SECS: u64 = 300;

/// Options shared by the request builders.
///
/// ```
/// use stripe_handshake::{SecretKey, Mode, oauth::{RequestOptions, code_exchange_request, OAuthProvider}};
/// let key = SecretKey::parse("sk_test_1").unwrap();
/// let opts = RequestOptions { expected_mode: Some(Mode::Test), base_url: Some("http://127.0.0.1:12111") };
/// let r = code_exchange_request(OAuthProvider::Connect, &key, "ac_1", &opts).unwrap();
/// assert_eq!(r.url, "http://127.0.0.1:12111/oauth/token");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestOptions<'a> {
    /// The mode the flow is in (e.g. from the state token): a key of the other mode is
    /// refused before any request. Defaults to no check.
    pub expected_mode: Option<Mode>,
    /// Base URL override (a local emulator), like `http://127.0.0.1:12111`.
    /// Defaults to `https://api.stripe.com` (Apps) or `https://connect.stripe.com` (Connect).
    pub base_url: Option<&'a str>,
}

fn endpoint(base: Option<&str>, default: &str, path: &str) -> Result<String> {
    Ok(format!("{}{path}", base_url(base, default)?))
}

/// A form POST authenticated with the secret key as HTTP Basic (`sk_…:`).
pub(crate) fn basic_request(key: &SecretKey, url: String, body: String) -> HttpRequest {
    let mut basic = String::from("Basic ");
    STANDARD.encode_string(format!("{}:", key.key), &mut basic);
    HttpRequest {
        method: "POST",
        url,
        headers: vec![
            ("Authorization".to_owned(), basic),
            ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()),
        ],
        body,
    }
}

fn token_url(provider: OAuthProvider, opts: &RequestOptions<'_>) -> Result<String> {
    match provider {
        OAuthProvider::Apps => endpoint(opts.base_url, API_BASE, "/v1/oauth/token"),
        OAuthProvider::Connect => endpoint(opts.base_url, CONNECT_BASE, "/oauth/token"),
    }
}

/// Builds the code exchange: `grant_type=authorization_code&code=…`, authenticated with the
/// secret key as HTTP Basic. Send it once; never retry it automatically.
///
/// ```
/// use stripe_handshake::{SecretKey, Mode, oauth::{code_exchange_request, OAuthProvider, RequestOptions}};
/// let key = SecretKey::parse("sk_test_123").unwrap();
/// let r = code_exchange_request(OAuthProvider::Connect, &key, "ac_abc", &RequestOptions::default()).unwrap();
/// assert_eq!(r.url, "https://connect.stripe.com/oauth/token");
/// assert_eq!(r.body, "grant_type=authorization_code&code=ac_abc");
/// assert_eq!(r.headers[0].1, "Basic c2tfdGVzdF8xMjM6");
/// // Reject twin: a test key for a live flow.
/// let live = RequestOptions { expected_mode: Some(Mode::Live), ..Default::default() };
/// assert_eq!(code_exchange_request(OAuthProvider::Connect, &key, "ac_abc", &live).unwrap_err().code(), "key_mode_mismatch");
/// ```
///
/// # Errors
/// `key_mode_mismatch`, `invalid_argument` (code, base URL).
pub fn code_exchange_request(
    provider: OAuthProvider,
    key: &SecretKey,
    code: &str,
    opts: &RequestOptions<'_>,
) -> Result<HttpRequest> {
    key.check_mode(opts.expected_mode)?;
    TOKEN.check_as(code, "code")?;
    let url = token_url(provider, opts)?;
    Ok(basic_request(key, url, form_encode(&[("grant_type", "authorization_code"), ("code", code)])))
}

/// Builds a refresh: `grant_type=refresh_token&refresh_token=…` (Connect may also narrow
/// the `scope`). Stripe Apps refresh tokens roll: store the new one from the response.
///
/// ```
/// use stripe_handshake::{SecretKey, oauth::{refresh_request, OAuthProvider, RequestOptions}};
/// let key = SecretKey::parse("sk_live_123").unwrap();
/// let r = refresh_request(OAuthProvider::Apps, &key, "rt_1", None, &RequestOptions::default()).unwrap();
/// assert_eq!(r.url, "https://api.stripe.com/v1/oauth/token");
/// assert_eq!(r.body, "grant_type=refresh_token&refresh_token=rt_1");
/// ```
///
/// # Errors
/// `key_mode_mismatch`, `invalid_argument` (token, scope on Apps, base URL).
pub fn refresh_request(
    provider: OAuthProvider,
    key: &SecretKey,
    refresh_token: &str,
    scope: Option<Scope>,
    opts: &RequestOptions<'_>,
) -> Result<HttpRequest> {
    key.check_mode(opts.expected_mode)?;
    TOKEN.check_as(refresh_token, "refresh_token")?;
    let url = token_url(provider, opts)?;
    let mut pairs = vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
    match (provider, scope) {
        (OAuthProvider::Apps, Some(_)) => {
            return Err(Error::InvalidArgument { what: "scope", reason: "Stripe Apps refreshes take no scope" })
        }
        (OAuthProvider::Connect, Some(s)) => pairs.push(("scope", s.as_str())),
        (_, None) => {}
    }
    Ok(basic_request(key, url, form_encode(&pairs)))
}

/// Builds a Connect deauthorize: `client_id=…&stripe_user_id=…` to
/// `https://connect.stripe.com/oauth/deauthorize`.
///
/// ```
/// use stripe_handshake::{SecretKey, oauth::{deauthorize_request, RequestOptions}};
/// let key = SecretKey::parse("sk_test_123").unwrap();
/// let r = deauthorize_request(&key, "ca_1", "acct_9", &RequestOptions::default()).unwrap();
/// assert_eq!(r.body, "client_id=ca_1&stripe_user_id=acct_9");
/// ```
///
/// # Errors
/// `key_mode_mismatch`, `invalid_argument` (client id, account id, base URL).
pub fn deauthorize_request(
    key: &SecretKey,
    client_id: &str,
    stripe_user_id: &str,
    opts: &RequestOptions<'_>,
) -> Result<HttpRequest> {
    key.check_mode(opts.expected_mode)?;
    CLIENT_ID.check(client_id)?;
    ACCOUNT_ID.check(stripe_user_id)?;
    let url = endpoint(opts.base_url, CONNECT_BASE, "/oauth/deauthorize")?;
    Ok(basic_request(key, url, form_encode(&[("client_id", client_id), ("stripe_user_id", stripe_user_id)])))
}

#[derive(Deserialize)]
struct RawError {
    error: Option<serde_json::Value>,
    error_description: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawToken {
    access_token: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    livemode: Option<bool>,
    token_type: Option<String>,
    stripe_user_id: Option<String>,
    stripe_publishable_key: Option<String>,
}

#[derive(Deserialize)]
struct RawDeauthorize {
    stripe_user_id: Option<String>,
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedResponse { reason: reason.into() }
}

/// Size cap, error body, status: what every response parser does first.
fn preflight(status: u16, body: &[u8]) -> Result<()> {
    if body.len() > MAX_RESPONSE_LEN {
        return Err(Error::ResponseTooLarge { len: body.len(), max: MAX_RESPONSE_LEN });
    }
    let parsed = match serde_json::from_slice::<RawError>(body) {
        Ok(p) => Some(p),
        // A repeated `error` (or `error_description`) member: two parsers could read two
        // different answers, so neither success nor a particular error can be trusted.
        Err(e) if e.is_data() && e.to_string().starts_with("duplicate field") => {
            return Err(malformed(format!("HTTP {status} with a repeated error member")));
        }
        Err(_) => None,
    };
    if let Some(RawError { error: Some(e), error_description }) = parsed {
        let error = match &e {
            serde_json::Value::String(s) => s.as_str(),
            // Stripe's API-style errors are objects: {"error": {"type": ..., "message": ...}}
            _ => "",
        };
        if !error.is_empty() {
            let description = match error_description {
                Some(serde_json::Value::String(d)) => Some(cap(&d, MAX_ERROR_DESCRIPTION_LEN)),
                _ => None,
            };
            return Err(Error::OAuth {
                kind: OAuthErrorKind::from_wire(error),
                error: cap(error, MAX_ERROR_LEN),
                description,
            });
        }
        return Err(malformed(format!("HTTP {status} with an error object that is not an OAuth error")));
    }
    if !(200..300).contains(&status) {
        return Err(malformed(format!("HTTP {status} without an OAuth error body")));
    }
    Ok(())
}

/// A successful token response. Debug output redacts the tokens.
///
/// ```
/// use stripe_handshake::oauth::parse_token_response;
/// let t = parse_token_response(200, br#"{"access_token":"sk_test_a","refresh_token":"rt_b","token_type":"bearer","stripe_user_id":"acct_1","livemode":false,"scope":"read_write","stripe_publishable_key":"pk_test_c"}"#).unwrap();
/// assert_eq!((t.access_token(), t.refresh_token(), t.token_type()), ("sk_test_a", Some("rt_b"), "bearer"));
/// assert_eq!((t.stripe_user_id(), t.livemode(), t.scope(), t.stripe_publishable_key()), ("acct_1", Some(false), Some("read_write"), Some("pk_test_c")));
/// assert!(!format!("{t:?}").contains("sk_test_a"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    access_token: String,
    refresh_token: Option<String>,
    scope: Option<String>,
    livemode: Option<bool>,
    token_type: String,
    stripe_user_id: String,
    stripe_publishable_key: Option<String>,
}

impl TokenResponse {
    /// The access token (acts like a secret key for the connected account).
    ///
    /// # Security
    /// A credential: store it encrypted, never log it.
    #[must_use]
    pub fn access_token(&self) -> &str {
        &self.access_token
    }
    /// The refresh token. For Stripe Apps it rolls on every use: store the new one.
    ///
    /// # Security
    /// A credential: store it encrypted, never log it.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }
    /// The granted scope.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
    /// Whether the tokens are live-mode tokens.
    #[must_use]
    pub fn livemode(&self) -> Option<bool> {
        self.livemode
    }
    /// `bearer`.
    #[must_use]
    pub fn token_type(&self) -> &str {
        &self.token_type
    }
    /// The connected account (`acct_…`).
    #[must_use]
    pub fn stripe_user_id(&self) -> &str {
        &self.stripe_user_id
    }
    /// The connected account's publishable key, if sent.
    #[must_use]
    pub fn stripe_publishable_key(&self) -> Option<&str> {
        self.stripe_publishable_key.as_deref()
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("scope", &self.scope)
            .field("livemode", &self.livemode)
            .field("token_type", &self.token_type)
            .field("stripe_user_id", &self.stripe_user_id)
            .field("stripe_publishable_key", &self.stripe_publishable_key)
            .finish()
    }
}

/// Parses the token endpoint's answer (code exchange or refresh).
///
/// ```
/// use stripe_handshake::{OAuthErrorKind, oauth::parse_token_response};
/// let ok = parse_token_response(200, br#"{"access_token":"sk_test_x","refresh_token":"rt_x","scope":"read_write","livemode":false,"token_type":"bearer","stripe_user_id":"acct_1","stripe_publishable_key":"pk_test_x","extra":1}"#).unwrap();
/// assert_eq!(ok.stripe_user_id(), "acct_1");
/// let err = parse_token_response(400, br#"{"error":"invalid_grant","error_description":"This authorization code has already been used."}"#).unwrap_err();
/// assert_eq!(err.code(), "oauth_error");
/// assert_eq!(err.oauth_details().unwrap().0, OAuthErrorKind::InvalidGrant);
/// ```
///
/// # Errors
/// `response_too_large`, `oauth_error`, `malformed_response`.
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<TokenResponse> {
    preflight(status, body)?;
    let raw: RawToken =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not valid JSON ({})", json_error_reason(&e))))?;
    let access_token = raw.access_token.filter(|s| !s.is_empty()).ok_or_else(|| malformed("no access_token"))?;
    let token_type = raw.token_type.ok_or_else(|| malformed("no token_type"))?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed("token_type is not bearer"));
    }
    let stripe_user_id = raw.stripe_user_id.filter(|s| !s.is_empty()).ok_or_else(|| malformed("no stripe_user_id"))?;
    if !ACCOUNT_ID.matches(&stripe_user_id) {
        return Err(malformed("stripe_user_id is not an account id acct_..."));
    }
    Ok(TokenResponse {
        access_token,
        refresh_token: raw.refresh_token,
        scope: raw.scope,
        livemode: raw.livemode,
        token_type,
        stripe_user_id,
        stripe_publishable_key: raw.stripe_publishable_key,
    })
}

/// Parses the deauthorize answer; it must echo the account asked for.
///
/// ```
/// use stripe_handshake::oauth::parse_deauthorize_response;
/// assert!(parse_deauthorize_response(200, br#"{"stripe_user_id":"acct_9"}"#, "acct_9").is_ok());
/// assert_eq!(parse_deauthorize_response(200, br#"{"stripe_user_id":"acct_8"}"#, "acct_9").unwrap_err().code(), "deauthorize_mismatch");
/// ```
///
/// # Errors
/// `response_too_large`, `oauth_error`, `malformed_response`, `deauthorize_mismatch`.
pub fn parse_deauthorize_response(status: u16, body: &[u8], expected_stripe_user_id: &str) -> Result<()> {
    preflight(status, body)?;
    let raw: RawDeauthorize =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not valid JSON ({})", json_error_reason(&e))))?;
    let id = raw.stripe_user_id.ok_or_else(|| malformed("no stripe_user_id"))?;
    if id == expected_stripe_user_id {
        Ok(())
    } else {
        Err(Error::DeauthorizeMismatch)
    }
}

/// When a Stripe Apps token pair expires: access tokens live 1 hour (the response has no
/// `expires_in`), refresh tokens 1 year and roll on every use.
///
/// ```
/// use stripe_handshake::oauth::AppsTokenExpiry;
/// let e = AppsTokenExpiry::from_issued_at(1_000);
/// assert_eq!(e.access_expires_at(), 4_600);
/// assert!(!e.needs_refresh(4_000, 300));
/// assert!(e.needs_refresh(4_300, 300));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppsTokenExpiry {
    access_expires_at: u64,
    refresh_expires_at: u64,
}

impl AppsTokenExpiry {
    /// Expiry times for tokens received at `issued_at` (Unix seconds).
    #[must_use]
    pub fn from_issued_at(issued_at: u64) -> Self {
        Self {
            access_expires_at: issued_at.saturating_add(APPS_ACCESS_TOKEN_TTL_SECS),
            refresh_expires_at: issued_at.saturating_add(APPS_REFRESH_TOKEN_TTL_SECS),
        }
    }
    /// When the access token expires.
    #[must_use]
    pub fn access_expires_at(&self) -> u64 {
        self.access_expires_at
    }
    /// When the refresh token expires (if unused).
    #[must_use]
    pub fn refresh_expires_at(&self) -> u64 {
        self.refresh_expires_at
    }
    /// Whether to refresh now: the access token expires within `margin_secs`.
    #[must_use]
    pub fn needs_refresh(&self, now: u64, margin_secs: u64) -> bool {
        now.saturating_add(margin_secs) >= self.access_expires_at
    }
    /// Whether the refresh token has expired (the user must reinstall).
    #[must_use]
    pub fn refresh_expired(&self, now: u64) -> bool {
        now >= self.refresh_expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for bad in ["", " sk_test_1", "sk_test_", "sk_prod_1", "rk_live_1", "pk_live_1", "whsec_1", "sk_test_a b"] {
            assert_eq!(SecretKey::parse(bad).unwrap_err().code(), "invalid_api_key", "{bad:?}");
        }
        assert_eq!(SecretKey::parse("sk_live_1").unwrap().mode(), Mode::Live);
    }

    #[test]
    fn debug_redacts() {
        let key = SecretKey::parse("sk_test_supersecret").unwrap();
        let r = code_exchange_request(OAuthProvider::Apps, &key, "ac_x", &RequestOptions::default()).unwrap();
        let d = format!("{r:?}");
        assert!(!d.contains("c2tfdGVzdF9zdXBlcnNlY3JldDo") && !d.contains("supersecret") && !d.contains("ac_x"), "{d}");
        assert!(d.starts_with("HttpRequest") && d.contains("POST") && d.contains("Content-Type"), "{d}");
        assert_eq!(format!("{key:?}"), "SecretKey(test, [redacted])");
        assert_eq!(key.expose_secret(), "sk_test_supersecret");
    }

    #[test]
    fn base_urls() {
        let key = SecretKey::parse("sk_test_1").unwrap();
        for base in ["http://127.0.0.1:12111", "http://localhost:1/", "http://[::1]:2", "https://stripe.example/"] {
            let o = RequestOptions { base_url: Some(base), ..Default::default() };
            assert!(code_exchange_request(OAuthProvider::Connect, &key, "ac_1", &o).is_ok(), "{base}");
        }
    }

    #[test]
    fn boundaries() {
        assert!(SecretKey::parse(&format!("sk_live_{}", "a".repeat(512))).is_ok());
        assert!(SecretKey::parse(&format!("sk_live_{}", "a".repeat(513))).is_err());
        let key = SecretKey::parse("sk_test_1").unwrap();
        let o = RequestOptions::default();
        assert!(code_exchange_request(OAuthProvider::Apps, &key, &"c".repeat(512), &o).is_ok());
        assert!(code_exchange_request(OAuthProvider::Apps, &key, &"c".repeat(513), &o).is_err());
        for base in [
            "https://x.example/?q",
            "https://x.example/#f",
            "ftp://x.example/",
            "http://proxy.internal/",
            "https://u:p@x.example/",
        ] {
            let o = RequestOptions { base_url: Some(base), ..Default::default() };
            assert!(code_exchange_request(OAuthProvider::Apps, &key, "ac_1", &o).is_err(), "{base}");
        }
        let accounts = [
            ("acct_1", true),
            ("acct_test_deauth", true),
            ("acct_a-b", true),
            ("acct_", false),
            ("acct_a b", false),
            ("usr_1", false),
        ];
        for (acct, ok) in accounts {
            assert_eq!(deauthorize_request(&key, "ca_1", acct, &RequestOptions::default()).is_ok(), ok, "{acct}");
        }
        assert!(
            deauthorize_request(&key, "ca_1", &format!("acct_{}", "a".repeat(250)), &RequestOptions::default()).is_ok()
        );
        assert!(deauthorize_request(&key, "ca_1", &format!("acct_{}", "a".repeat(251)), &RequestOptions::default())
            .is_err());
    }

    #[test]
    fn response_cap_expiry_and_debug() {
        let ok = br#"{"access_token":"sk_test_tok","token_type":"bearer","stripe_user_id":"acct_1"}"#;
        let mut at_cap = ok.to_vec();
        at_cap.resize(MAX_RESPONSE_LEN, b' ');
        let t = parse_token_response(200, &at_cap).unwrap();
        let d = format!("{t:?}");
        assert!(d.starts_with("TokenResponse") && d.contains("acct_1") && !d.contains("sk_test_tok"), "{d}");
        at_cap.push(b' ');
        assert_eq!(parse_token_response(200, &at_cap).unwrap_err().code(), "response_too_large");
        let e = AppsTokenExpiry::from_issued_at(0);
        assert!(!e.refresh_expired(APPS_REFRESH_TOKEN_TTL_SECS - 1));
        assert!(e.refresh_expired(APPS_REFRESH_TOKEN_TTL_SECS));
        assert!(!e.needs_refresh(APPS_ACCESS_TOKEN_TTL_SECS - 1, 0));
        assert!(e.needs_refresh(APPS_ACCESS_TOKEN_TTL_SECS, 0));
    }

    #[test]
    fn responses() {
        assert_eq!(parse_token_response(500, b"<html>").unwrap_err().code(), "malformed_response");
        assert_eq!(parse_token_response(200, b"{}").unwrap_err().code(), "malformed_response");
        assert_eq!(
            parse_token_response(200, &vec![b' '; MAX_RESPONSE_LEN + 1]).unwrap_err().code(),
            "response_too_large"
        );
        let e = parse_token_response(400, br#"{"error":"weird","error_description":"x"}"#).unwrap_err();
        assert_eq!(e.oauth_details(), Some((OAuthErrorKind::Other, "weird", Some("x"))));
        assert_eq!(
            parse_token_response(402, br#"{"error":{"type":"card_error"}}"#).unwrap_err().code(),
            "malformed_response"
        );
    }
}
