//! Account Links, the path for new Connect platforms (PROTOCOL §8, decisions in §9): build the
//! `POST /v1/account_links` request with a signed, session-bound state in its `return_url` and
//! `refresh_url`, read the answer, and check the return. A return proves only that this browser
//! came back: retrieve the account ([`retrieve_account_request`]) to learn whether onboarding is
//! complete.

use serde::Deserialize;
use url::Url;

use crate::encoding::{cap, form_encode, json_error_reason};
use crate::error::{Error, Result};
use crate::ids::ACCOUNT_ID;
use crate::notification::{ApiRequest, ApiRequestOptions};
use crate::oauth::{HttpRequest, Mode, RequestOptions, SecretKey, API_BASE, MAX_RESPONSE_LEN};
use crate::redirect::RedirectAllowList;
use crate::state::{
    issue_state_token, verify_state_token, Flow, LinkMode, StateKeys, StateTokenParams, VerifiedState,
    MAX_STATE_TTL_SECS,
};
use crate::urls::{base_url, has_userinfo, is_loopback};

/// What the link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountLinkType {
    /// `account_onboarding`: collect what the account needs.
    Onboarding,
    /// `account_update`: let the account change its details.
    Update,
}

impl AccountLinkType {
    /// `"account_onboarding"` or `"account_update"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Onboarding => "account_onboarding",
            Self::Update => "account_update",
        }
    }

    /// Parses `"account_onboarding"` or `"account_update"`.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "account_onboarding" => Ok(Self::Onboarding),
            "account_update" => Ok(Self::Update),
            _ => Err(Error::InvalidArgument { what: "type", reason: "use account_onboarding or account_update" }),
        }
    }
}

/// `collection_options[fields]`: `currently_due` or `eventually_due`.
///
/// ```
/// assert_eq!(stripe_handshake::account_links::CollectFields::parse("eventually_due").unwrap().as_str(), "eventually_due");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectFields {
    /// Only what is due now.
    CurrentlyDue,
    /// Everything that will be due.
    EventuallyDue,
}

impl CollectFields {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CurrentlyDue => "currently_due",
            Self::EventuallyDue => "eventually_due",
        }
    }
    /// Parses the wire value.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "currently_due" => Ok(Self::CurrentlyDue),
            "eventually_due" => Ok(Self::EventuallyDue),
            _ => {
                Err(Error::InvalidArgument { what: "collection_fields", reason: "use currently_due or eventually_due" })
            }
        }
    }
}

/// `collection_options[future_requirements]`: `include` or `omit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutureRequirements {
    /// Collect future requirements too.
    Include,
    /// Leave them out.
    Omit,
}

impl FutureRequirements {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Include => "include",
            Self::Omit => "omit",
        }
    }
    /// Parses the wire value.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "include" => Ok(Self::Include),
            "omit" => Ok(Self::Omit),
            _ => Err(Error::InvalidArgument { what: "future_requirements", reason: "use include or omit" }),
        }
    }
}

/// The parameters of an Account Link.
#[derive(Clone, Debug)]
pub struct AccountLinkParams<'a> {
    /// The connected account (`acct_…`).
    pub account: &'a str,
    /// Onboarding or update.
    pub link_type: AccountLinkType,
    /// Where Stripe sends the user when they finish or leave: an allow-list entry.
    pub return_url: &'a str,
    /// Where Stripe sends the user when the link expired or was already used: an allow-list
    /// entry; make a new link there.
    pub refresh_url: &'a str,
    /// `collection_options[fields]`, if any.
    pub collect: Option<CollectFields>,
    /// `collection_options[future_requirements]`, if any.
    pub future_requirements: Option<FutureRequirements>,
}

/// The state an Account Link carries: issued here, for flow `account_link`, bound to the
/// session, with the account id as its data, valid for 24 hours (onboarding takes a while).
/// Debug output redacts the session id and the nonce.
#[derive(Clone)]
pub struct AccountLinkState<'a> {
    /// The state keys (the first signs).
    pub keys: &'a StateKeys,
    /// The session that starts onboarding.
    pub session_id: &'a [u8],
    /// Current Unix time.
    pub now: u64,
    /// 32 bytes from a CSPRNG.
    pub nonce: &'a [u8; 32],
    /// The environment (signed into the state).
    pub mode: Option<LinkMode>,
}

impl core::fmt::Debug for AccountLinkState<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccountLinkState")
            .field("keys", &self.keys)
            .field("session_id", &"[redacted]")
            .field("now", &self.now)
            .field("nonce", &"[redacted]")
            .field("mode", &self.mode)
            .finish()
    }
}

/// `url` with `state=token` appended (the allow-list entry keeps its own query).
fn with_state(url: &str, token: &str) -> String {
    let mut out = String::with_capacity(url.len().saturating_add(token.len()).saturating_add(8));
    out.push_str(url);
    out.push(if url.contains('?') { '&' } else { '?' });
    out.push_str("state=");
    crate::encoding::percent_encode_into(&mut out, token);
    out
}

/// Builds `POST /v1/account_links` (Basic auth with the platform's secret key) whose
/// `return_url` and `refresh_url` each carry a fresh signed state for this session and this
/// account. Both URLs must be allow-list entries, byte for byte.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, SecretKey, account_links::*, oauth::RequestOptions, state::{StateKey, StateKeys}};
/// let list = RedirectAllowList::new(&["https://p.example/onboarding/return", "https://p.example/onboarding/refresh"], RedirectMode::Live).unwrap();
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let key = SecretKey::parse("sk_test_1").unwrap();
/// let p = AccountLinkParams { account: "acct_1", link_type: AccountLinkType::Onboarding,
///     return_url: "https://p.example/onboarding/return", refresh_url: "https://p.example/onboarding/refresh",
///     collect: None, future_requirements: None };
/// let st = AccountLinkState { keys: &keys, session_id: b"sess", now: 100, nonce: &[2; 32], mode: None };
/// let r = account_link_request(&key, &p, &st, &list, &RequestOptions::default()).unwrap();
/// assert_eq!((r.method, r.url.as_str()), ("POST", "https://api.stripe.com/v1/account_links"));
/// assert!(r.body.starts_with("account=acct_1&refresh_url=https%3A%2F%2Fp.example%2Fonboarding%2Frefresh%3Fstate%3D"));
/// // Reject twin: a return URL that is not an entry.
/// let bad = AccountLinkParams { return_url: "https://evil.example/", ..p };
/// assert_eq!(account_link_request(&key, &bad, &st, &list, &RequestOptions::default()).unwrap_err().code(), "redirect_uri_not_allowed");
/// ```
///
/// # Errors
/// `invalid_argument` (account, base URL, state), `redirect_uri_not_allowed`,
/// `key_mode_mismatch` (the key against `state.mode`, or `opts.expected_mode`).
pub fn account_link_request(
    key: &SecretKey,
    p: &AccountLinkParams<'_>,
    state: &AccountLinkState<'_>,
    redirects: &RedirectAllowList,
    opts: &RequestOptions<'_>,
) -> Result<HttpRequest> {
    ACCOUNT_ID.check_as(p.account, "account")?;
    // Both, when both are given: a live key must not build a link whose state says test.
    key.check_mode(opts.expected_mode)?;
    key.check_mode(state.mode.map(LinkMode::key_mode))?;
    let return_url = redirects.check(p.return_url)?;
    let refresh_url = redirects.check(p.refresh_url)?;
    for u in [return_url, refresh_url] {
        // A `state` of its own would come back twice (and be refused) after onboarding.
        let has_state = Url::parse(u).is_ok_and(|url| url.query_pairs().any(|(k, _)| k == "state"));
        if has_state {
            return Err(Error::InvalidArgument {
                what: "return_url",
                reason: "the URL already has a state parameter: the link adds its own",
            });
        }
    }
    let token = issue_state_token(
        state.keys,
        &StateTokenParams {
            flow: Flow::AccountLink,
            session_id: state.session_id,
            ttl_secs: Some(MAX_STATE_TTL_SECS),
            data: Some(p.account),
            mode: state.mode,
        },
        state.now,
        state.nonce,
    )?;
    let (return_url, refresh_url) = (with_state(return_url, &token), with_state(refresh_url, &token));
    let mut pairs = vec![
        ("account", p.account),
        ("refresh_url", refresh_url.as_str()),
        ("return_url", return_url.as_str()),
        ("type", p.link_type.as_str()),
    ];
    if let Some(f) = p.collect {
        pairs.push(("collection_options[fields]", f.as_str()));
    }
    if let Some(f) = p.future_requirements {
        pairs.push(("collection_options[future_requirements]", f.as_str()));
    }
    let url = format!("{}/v1/account_links", base_url(opts.base_url, API_BASE)?);
    Ok(crate::oauth::basic_request(key, url, form_encode(&pairs)))
}

#[derive(Deserialize)]
struct RawLink {
    object: Option<String>,
    url: Option<String>,
    created: Option<u64>,
    expires_at: Option<u64>,
}

#[derive(Deserialize)]
struct RawApiError {
    error: Option<RawApiErrorBody>,
}

#[derive(Deserialize)]
struct RawApiErrorBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
}

/// An Account Link Stripe made: send the user to `url` before `expires_at`. The URL is a
/// single-use bearer link: Debug output redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountLink {
    url: String,
    created: u64,
    expires_at: u64,
}

impl core::fmt::Debug for AccountLink {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccountLink")
            .field("url", &"[redacted]")
            .field("created", &self.created)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccountLink {
    /// Where to send the user (a single-use URL).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
    /// When it was made (Unix seconds).
    #[must_use]
    pub fn created(&self) -> u64 {
        self.created
    }
    /// When it stops working (Unix seconds): make a new one after that.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// An answer from the Stripe API: an error object (`{"error": {"type", "code", …}}`) becomes
/// `api_error`; anything else that is not a 2xx, `malformed_response`.
fn api_preflight(status: u16, body: &[u8]) -> Result<()> {
    if body.len() > MAX_RESPONSE_LEN {
        return Err(Error::ResponseTooLarge { len: body.len(), max: MAX_RESPONSE_LEN });
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    let e = serde_json::from_slice::<RawApiError>(body).ok().and_then(|r| r.error);
    match e {
        Some(e) => Err(Error::ApiError {
            status,
            kind: cap(e.kind.as_deref().unwrap_or("api_error"), 64),
            api_code: e.code.map(|c| cap(&c, 64)),
        }),
        None => Err(Error::MalformedResponse { reason: format!("HTTP {status} without a Stripe error object") }),
    }
}

/// Reads the answer to [`account_link_request`].
///
/// ```
/// use stripe_handshake::account_links::parse_account_link_response;
/// let l = parse_account_link_response(200, br#"{"object":"account_link","created":1,"expires_at":301,"url":"https://connect.stripe.com/setup/e/acct_1/abc"}"#).unwrap();
/// assert_eq!((l.url(), l.expires_at()), ("https://connect.stripe.com/setup/e/acct_1/abc", 301));
/// let e = parse_account_link_response(400, br#"{"error":{"type":"invalid_request_error","code":"account_invalid"}}"#).unwrap_err();
/// assert_eq!((e.code(), e.to_string().contains("account_invalid")), ("api_error", true));
/// ```
///
/// # Errors
/// `api_error`, `malformed_response`, `response_too_large`.
pub fn parse_account_link_response(status: u16, body: &[u8]) -> Result<AccountLink> {
    api_preflight(status, body)?;
    let raw: RawLink = serde_json::from_slice(body)
        .map_err(|e| Error::MalformedResponse { reason: format!("not valid JSON ({})", json_error_reason(&e)) })?;
    let bad = |reason: &str| Error::MalformedResponse { reason: reason.to_owned() };
    if raw.object.as_deref() != Some("account_link") {
        return Err(bad("object is not \"account_link\""));
    }
    let url = raw.url.ok_or_else(|| bad("the account link has no url"))?;
    let parsed = Url::parse(&url).map_err(|_| bad("url is not an absolute URL"))?;
    let secure = parsed.scheme() == "https" || (parsed.scheme() == "http" && is_loopback(&parsed));
    if !secure || has_userinfo(&parsed) {
        return Err(bad("url is not an https URL"));
    }
    Ok(AccountLink {
        url,
        created: raw.created.ok_or_else(|| bad("the account link has no created"))?,
        expires_at: raw.expires_at.ok_or_else(|| bad("the account link has no expires_at"))?,
    })
}

/// Which of the two URLs the user came back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountLinkReturn {
    /// `return_url`: the user finished or left. Retrieve the account to learn which.
    Returned,
    /// `refresh_url`: the link expired or was used; make a new one and redirect.
    Refresh,
}

impl AccountLinkReturn {
    /// `"return"` or `"refresh"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Returned => "return",
            Self::Refresh => "refresh",
        }
    }
    /// Parses `"return"` or `"refresh"`.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "return" => Ok(Self::Returned),
            "refresh" => Ok(Self::Refresh),
            _ => Err(Error::InvalidArgument { what: "kind", reason: "use return or refresh" }),
        }
    }
}

/// A return to one of an Account Link's URLs whose state checked out: this session started
/// onboarding for this account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountLinkCallback {
    kind: AccountLinkReturn,
    account_id: String,
    state: VerifiedState,
}

impl AccountLinkCallback {
    /// Return or refresh.
    #[must_use]
    pub fn kind(&self) -> AccountLinkReturn {
        self.kind
    }
    /// The account the link was made for (from the signed state, not from the URL).
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The verified state (its nonce: refuse a second use of it).
    #[must_use]
    pub fn state(&self) -> &VerifiedState {
        &self.state
    }
}

/// Checks a return to an Account Link's `return_url` or `refresh_url` (`kind` is the route the
/// request arrived at): the `state` must be an `account_link` token bound to this session. The
/// account comes from the token. A return is not a completed onboarding: the URL carries no
/// signature and anyone can open it; retrieve the account to read its requirements.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, SecretKey, account_links::*, oauth::RequestOptions, state::{StateKey, StateKeys}};
/// let list = RedirectAllowList::new(&["https://p.example/r"], RedirectMode::Live).unwrap();
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let p = AccountLinkParams { account: "acct_1", link_type: AccountLinkType::Onboarding, return_url: "https://p.example/r",
///     refresh_url: "https://p.example/r", collect: None, future_requirements: None };
/// let st = AccountLinkState { keys: &keys, session_id: b"sess", now: 100, nonce: &[2; 32], mode: None };
/// let body = account_link_request(&SecretKey::parse("sk_test_1").unwrap(), &p, &st, &list, &RequestOptions::default()).unwrap().body;
/// // The token is base64url, so it appears as is in the form-encoded URLs.
/// let query = format!("state={}", body.split("state%3D").nth(1).unwrap().split('&').next().unwrap());
/// let cb = verify_account_link_callback(&query, AccountLinkReturn::Returned, &keys, b"sess", 200).unwrap();
/// assert_eq!((cb.account_id(), cb.kind()), ("acct_1", AccountLinkReturn::Returned));
/// // Reject twin: the same return opened in another session.
/// assert_eq!(verify_account_link_callback(&query, AccountLinkReturn::Returned, &keys, b"other", 200).unwrap_err().code(), "state_session_mismatch");
/// ```
///
/// # Errors
/// Query errors, every state error; `state_invalid` if the token's data is not an account id.
pub fn verify_account_link_callback(
    query: &str,
    kind: AccountLinkReturn,
    keys: &StateKeys,
    session_id: &[u8],
    now: u64,
) -> Result<AccountLinkCallback> {
    let p = crate::callback::Params::parse(query, &["state"])?;
    let state = verify_state_token(keys, p.get("state").filter(|s| !s.is_empty()), session_id, Flow::AccountLink, now)?;
    let account_id = state.data().filter(|a| ACCOUNT_ID.matches(a)).ok_or(Error::StateInvalid)?.to_owned();
    Ok(AccountLinkCallback { kind, account_id, state })
}

/// Builds `GET /v1/accounts/{id}`: after a return, read the account's `details_submitted`,
/// `charges_enabled` and `requirements` instead of trusting the return.
///
/// ```
/// use stripe_handshake::{Mode, SecretKey, account_links::retrieve_account_request, webhook::ApiRequestOptions};
/// let r = retrieve_account_request(&SecretKey::parse("sk_live_1").unwrap(), "acct_1", Mode::Live, &ApiRequestOptions::default()).unwrap();
/// assert_eq!((r.method, r.url.as_str()), ("GET", "https://api.stripe.com/v1/accounts/acct_1"));
/// ```
///
/// # Errors
/// `invalid_argument` (account, API version, base URL), `key_mode_mismatch`.
pub fn retrieve_account_request(
    key: &SecretKey,
    account_id: &str,
    mode: Mode,
    opts: &ApiRequestOptions<'_>,
) -> Result<ApiRequest> {
    ACCOUNT_ID.check_as(account_id, "account")?;
    crate::notification::api_get(key, &format!("/v1/accounts/{account_id}"), None, mode, opts)
}
