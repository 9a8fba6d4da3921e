//! CSRF `state`: plain random values and signed, session-bound, expiring tokens (PROTOCOL §3).
//!
//! Connect OAuth has no PKCE, so `state` is the only CSRF defence (RFC 6749 §10.12,
//! RFC 9700 §4.7.1). Two offers:
//!
//! * **Plain**: 32 random bytes as base64url (43 characters) that you keep in the user's
//!   session, checked in constant time with [`check_plain_state`].
//! * **Signed**: a stateless token ([`issue_state_token`] / [`verify_state_token`]) that
//!   carries a version, a key id, issued-at, expiry, a 32-byte nonce, the flow and optional
//!   small app data, bound to the session id (the binding is MACed, not stored).
//!
//! Token bytes (then base64url without padding):
//! `version(1)=2 | kid_len(1) | kid | iat(u64 BE) | exp(u64 BE) | flow(1) | mode(1) | nonce(32) |
//! binding(16) | data_len(1) | data | mac(32)` where `mode` is 0 (not given), 1 (live), 2 (test)
//! or 3 (sandbox), and
//! `binding = HMAC(key, "stripe-handshake/state-binding/v1\0" | session_id)[..16]` and
//! `mac = HMAC(key, "stripe-handshake/state/v1\0" | every byte before the mac)`.
//!
//! Check order: size cap, format, key id, MAC (constant time), expiry (checked arithmetic),
//! binding (constant time), flow. The nonce comes back so the host can refuse a replay.

use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::Mac;

use crate::crypto::{ct_eq_bytes, hmac_sha256, mac_with_key, MAC_LEN};
use crate::error::{Error, Result};

/// Domain-separation tag of the token MAC.
const MAC_TAG: &[u8] = b"stripe-handshake/state/v1\0";
/// Domain-separation tag of the session binding.
const BINDING_TAG: &[u8] = b"stripe-handshake/state-binding/v1\0";
const VERSION: u8 = 2;
const BINDING_LEN: usize = 16;
const NONCE_LEN: usize = 32;

/// Largest accepted state token, in characters.
pub const MAX_STATE_TOKEN_LEN: usize = 512;
/// Largest app data a token carries, in bytes.
pub const MAX_STATE_DATA_LEN: usize = 192;
/// Default token lifetime: 10 minutes.
pub const DEFAULT_STATE_TTL_SECS: u32 = 600;
/// Longest token lifetime: 24 hours.
pub const MAX_STATE_TTL_SECS: u32 = 86_400;
/// Clock skew tolerated on a token's issued-at: 60 s.
pub const STATE_CLOCK_SKEW_SECS: u64 = 60;
/// Shortest state key, in bytes.
pub const MIN_STATE_KEY_LEN: usize = 32;
/// Largest session id, in bytes.
pub const MAX_SESSION_ID_LEN: usize = 1024;

/// Which flow a `state` belongs to; a token for one flow never passes a check for another.
///
/// ```
/// use stripe_handshake::state::Flow;
/// assert_eq!(Flow::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>(), ["install_link", "apps_oauth", "connect_oauth", "account_link"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flow {
    /// Stripe Apps install link.
    InstallLink,
    /// Stripe Apps OAuth.
    AppsOAuth,
    /// Connect OAuth (Standard or Express).
    ConnectOAuth,
    /// A Connect Account Link's return and refresh URLs.
    AccountLink,
}

impl Flow {
    /// Every flow.
    pub const ALL: &'static [Flow] = &[Self::InstallLink, Self::AppsOAuth, Self::ConnectOAuth, Self::AccountLink];

    /// The snake_case name.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::state::Flow::ConnectOAuth.as_str(), "connect_oauth");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InstallLink => "install_link",
            Self::AppsOAuth => "apps_oauth",
            Self::ConnectOAuth => "connect_oauth",
            Self::AccountLink => "account_link",
        }
    }

    /// Parses the snake_case name.
    ///
    /// ```
    /// # use stripe_handshake::state::Flow;
    /// assert_eq!(Flow::parse("apps_oauth").unwrap(), Flow::AppsOAuth);
    /// assert!(Flow::parse("other").is_err());
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for an unknown name.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == s).ok_or(Error::InvalidArgument {
            what: "flow",
            reason: "use install_link, apps_oauth, connect_oauth or account_link",
        })
    }

    const fn byte(self) -> u8 {
        match self {
            Self::InstallLink => 1,
            Self::AppsOAuth => 2,
            Self::ConnectOAuth => 3,
            Self::AccountLink => 4,
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.byte() == b)
    }
}

/// The Stripe environment a flow runs in. It rides in the signed state from the link to the
/// callback, so the code exchange can refuse a key of another mode before any request (a
/// mismatch fails at Stripe with "Stripe refused the connection").
///
/// ```
/// use stripe_handshake::{Mode, state::LinkMode};
/// assert_eq!(LinkMode::parse("sandbox").unwrap().key_mode(), Mode::Test);
/// assert_eq!(LinkMode::Live.key_mode(), Mode::Live);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkMode {
    /// Live mode: `sk_live_` keys, live links (no link id in an Apps OAuth path).
    Live,
    /// Test mode: `sk_test_` keys, test links (`/oauth/v2/chnlink_…/authorize`).
    Test,
    /// A sandbox: its own `sk_test_` keys and client id, sandbox links (`chnlink_…` paths).
    Sandbox,
}

impl LinkMode {
    /// Every mode.
    pub const ALL: &'static [LinkMode] = &[Self::Live, Self::Test, Self::Sandbox];

    /// `"live"`, `"test"` or `"sandbox"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
            Self::Sandbox => "sandbox",
        }
    }

    /// Parses `"live"`, `"test"` or `"sandbox"`.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == s)
            .ok_or(Error::InvalidArgument { what: "mode", reason: "use live, test or sandbox" })
    }

    /// The mode of the secret keys that work in it: sandboxes issue `sk_test_` keys.
    #[must_use]
    pub const fn key_mode(self) -> crate::oauth::Mode {
        match self {
            Self::Live => crate::oauth::Mode::Live,
            Self::Test | Self::Sandbox => crate::oauth::Mode::Test,
        }
    }

    const fn byte(self) -> u8 {
        match self {
            Self::Live => 1,
            Self::Test => 2,
            Self::Sandbox => 3,
        }
    }

    fn from_byte(b: u8) -> Option<Option<Self>> {
        match b {
            0 => Some(None),
            _ => Self::ALL.iter().copied().find(|m| m.byte() == b).map(Some),
        }
    }
}

/// Base64url without padding of 32 random bytes: a plain `state` (43 characters).
///
/// `entropy` must come from a CSPRNG; with the `os-rng` feature, [`random_state`] does that.
///
/// ```
/// let s = stripe_handshake::state::plain_state_from_entropy(&[7u8; 32]);
/// assert_eq!(s.len(), 43);
/// ```
#[must_use]
pub fn plain_state_from_entropy(entropy: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(entropy)
}

/// 32 bytes from the operating system's CSPRNG.
///
/// ```
/// let a = stripe_handshake::state::random_bytes().unwrap();
/// assert_ne!(a, stripe_handshake::state::random_bytes().unwrap());
/// ```
///
/// # Errors
/// [`Error::RandomnessUnavailable`] if the OS source fails.
#[cfg(feature = "os-rng")]
pub fn random_bytes() -> Result<[u8; 32]> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|_| Error::RandomnessUnavailable)?;
    Ok(buf)
}

/// A fresh plain `state` from the OS CSPRNG.
///
/// ```
/// let s = stripe_handshake::state::random_state().unwrap();
/// assert_eq!(s.len(), 43);
/// ```
///
/// # Errors
/// [`Error::RandomnessUnavailable`] if the OS source fails.
#[cfg(feature = "os-rng")]
pub fn random_state() -> Result<String> {
    Ok(plain_state_from_entropy(&random_bytes()?))
}

/// Checks a received plain `state` against the one kept in the session, in constant time.
///
/// `received` is `None` when the callback has no `state`: that never passes.
///
/// ```
/// use stripe_handshake::state::check_plain_state;
/// let s = stripe_handshake::state::plain_state_from_entropy(&[1u8; 32]);
/// assert!(check_plain_state(&s, Some(&s)).is_ok());
/// assert_eq!(check_plain_state(&s, Some("x")).unwrap_err().code(), "state_mismatch");
/// assert_eq!(check_plain_state(&s, None).unwrap_err().code(), "state_missing");
/// ```
///
/// # Errors
/// `invalid_argument` (empty expected state), `state_missing`, `state_mismatch`.
pub fn check_plain_state(expected: &str, received: Option<&str>) -> Result<()> {
    if expected.is_empty() {
        return Err(Error::InvalidArgument {
            what: "expected_state",
            reason: "it is empty; keep the state you put in the link",
        });
    }
    let received = received.ok_or(Error::StateMissing)?;
    if received.len() > crate::links::MAX_LINK_STATE_LEN {
        return Err(Error::StateTooLarge { len: received.len(), max: crate::links::MAX_LINK_STATE_LEN });
    }
    // ct: declassify — whether the states are equal is the result.
    if ct_eq_bytes(expected.as_bytes(), received.as_bytes()) {
        Ok(())
    } else {
        Err(Error::StateMismatch)
    }
}

/// One key for state tokens: an id (1–16 characters of `A-Za-z0-9_-`) and at least 32
/// secret bytes. Debug output is redacted.
///
/// ```
/// use stripe_handshake::state::StateKey;
/// let k = StateKey::new("k1", &[0u8; 32]).unwrap();
/// assert_eq!(format!("{k:?}"), "StateKey { id: \"k1\", key: [redacted] }");
/// assert_eq!(StateKey::new("k1", &[0u8; 16]).unwrap_err().code(), "invalid_state_key");
/// ```
#[derive(Clone)]
pub struct StateKey {
    id: String,
    key: Vec<u8>,
}

impl StateKey {
    /// Wraps a key after checking its id and length.
    ///
    /// # Errors
    /// `invalid_state_key`.
    pub fn new(id: &str, key: &[u8]) -> Result<Self> {
        if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Err(Error::InvalidStateKey { reason: "the key id must be 1-16 characters of A-Z a-z 0-9 _ -" });
        }
        if key.len() < MIN_STATE_KEY_LEN {
            return Err(Error::InvalidStateKey { reason: "the key must be at least 32 random bytes" });
        }
        if key.len() > 1024 {
            return Err(Error::InvalidStateKey { reason: "the key must be at most 1024 bytes" });
        }
        Ok(Self { id: id.to_owned(), key: key.to_vec() })
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateKey {{ id: {:?}, key: [redacted] }}", self.id)
    }
}

/// The keys that verify state tokens; the first one signs. Keep a retired key here until
/// the tokens it signed have expired.
///
/// ```
/// use stripe_handshake::state::{StateKey, StateKeys};
/// let keys = StateKeys::new(vec![StateKey::new("new", &[1; 32]).unwrap(), StateKey::new("old", &[2; 32]).unwrap()]).unwrap();
/// assert_eq!(keys.signing_key_id(), "new");
/// ```
#[derive(Clone, Debug)]
pub struct StateKeys {
    keys: Vec<StateKey>,
}

impl StateKeys {
    /// A key set; ids must be distinct, and there must be 1 to 16 keys.
    ///
    /// # Errors
    /// `invalid_state_key`.
    pub fn new(keys: Vec<StateKey>) -> Result<Self> {
        if keys.is_empty() || keys.len() > 16 {
            return Err(Error::InvalidStateKey { reason: "give between 1 and 16 keys" });
        }
        for (i, k) in keys.iter().enumerate() {
            if keys.iter().skip(i.saturating_add(1)).any(|o| o.id == k.id) {
                return Err(Error::InvalidStateKey { reason: "two keys have the same id" });
            }
        }
        Ok(Self { keys })
    }

    /// The id of the signing (first) key.
    #[must_use]
    pub fn signing_key_id(&self) -> &str {
        self.keys.first().map_or("", |k| k.id.as_str())
    }

    fn signing(&self) -> Result<&StateKey> {
        self.keys.first().ok_or(Error::InvalidStateKey { reason: "no key" })
    }

    fn find(&self, id: &[u8]) -> Option<&StateKey> {
        self.keys.iter().find(|k| k.id.as_bytes() == id)
    }
}

/// What a state token carries, besides its key and MAC.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token, MAX_STATE_TOKEN_LEN};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let p = StateTokenParams { flow: Flow::AppsOAuth, session_id: b"sess", ttl_secs: Some(60), data: None , mode: None };
/// let t = issue_state_token(&keys, &p, 0, &[2; 32]).unwrap();
/// assert!(t.len() <= MAX_STATE_TOKEN_LEN);
/// ```
#[derive(Clone)]
pub struct StateTokenParams<'a> {
    /// The flow the token is for.
    pub flow: Flow,
    /// The caller's session id (cookie-bound). Required: 1 to 1024 bytes.
    pub session_id: &'a [u8],
    /// Lifetime in seconds. Defaults to 600 (10 minutes); at most 86,400.
    pub ttl_secs: Option<u32>,
    /// Small app data (e.g. a return path), at most 192 bytes. Defaults to none.
    pub data: Option<&'a str>,
    /// The environment the link is built for (live, test, a sandbox): signed into the token
    /// and returned by the check, so the exchange can refuse a key of another mode.
    pub mode: Option<LinkMode>,
}

impl fmt::Debug for StateTokenParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateTokenParams")
            .field("flow", &self.flow)
            .field("session_id", &"[redacted]")
            .field("ttl_secs", &self.ttl_secs)
            .field("data", &self.data)
            .finish()
    }
}

fn check_session(session_id: &[u8]) -> Result<()> {
    if session_id.is_empty() || session_id.len() > MAX_SESSION_ID_LEN {
        return Err(Error::InvalidArgument {
            what: "session_id",
            reason: "it must be 1 to 1024 bytes (the id of the user's browser session)",
        });
    }
    Ok(())
}

fn binding(key: &StateKey, session_id: &[u8]) -> Result<[u8; BINDING_LEN]> {
    let full = hmac_sha256(&key.key, &[BINDING_TAG, session_id])?;
    let mut out = [0u8; BINDING_LEN];
    let src = full.get(..BINDING_LEN).ok_or(Error::Internal { what: "binding length" })?;
    out.copy_from_slice(src);
    Ok(out)
}

fn token_mac(key: &StateKey, body: &[u8]) -> Result<[u8; MAC_LEN]> {
    hmac_sha256(&key.key, &[MAC_TAG, body])
}

/// Issues a signed state token with the first key of `keys`.
///
/// `now` is the current Unix time in seconds; `nonce` must be 32 bytes from a CSPRNG
/// (with `os-rng`, [`random_bytes`]). The token is base64url without padding, at most
/// 411 characters.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token, verify_state_token};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[9; 32]).unwrap()]).unwrap();
/// let params = StateTokenParams { flow: Flow::ConnectOAuth, session_id: b"sess-1", ttl_secs: None, data: Some("/settings") , mode: None };
/// let token = issue_state_token(&keys, &params, 1_700_000_000, &[3; 32]).unwrap();
/// let ok = verify_state_token(&keys, Some(&token), b"sess-1", Flow::ConnectOAuth, 1_700_000_100).unwrap();
/// assert_eq!(ok.data(), Some("/settings"));
/// // Reject twin: another session.
/// let err = verify_state_token(&keys, Some(&token), b"sess-2", Flow::ConnectOAuth, 1_700_000_100).unwrap_err();
/// assert_eq!(err.code(), "state_session_mismatch");
/// ```
///
/// # Errors
/// `invalid_argument` (session id, ttl, data).
pub fn issue_state_token(keys: &StateKeys, p: &StateTokenParams<'_>, now: u64, nonce: &[u8; 32]) -> Result<String> {
    check_session(p.session_id)?;
    let ttl = p.ttl_secs.unwrap_or(DEFAULT_STATE_TTL_SECS);
    if ttl == 0 || ttl > MAX_STATE_TTL_SECS {
        return Err(Error::InvalidArgument { what: "ttl_secs", reason: "it must be between 1 and 86400" });
    }
    let data = p.data.unwrap_or("").as_bytes();
    let data_len = u8::try_from(data.len())
        .ok()
        .filter(|n| usize::from(*n) <= MAX_STATE_DATA_LEN)
        .ok_or(Error::InvalidArgument { what: "data", reason: "it must be at most 192 bytes" })?;
    let exp =
        now.checked_add(u64::from(ttl)).ok_or(Error::InvalidArgument { what: "now", reason: "it is too large" })?;
    let key = keys.signing()?;
    let kid = key.id.as_bytes();
    let kid_len = u8::try_from(kid.len()).map_err(|_| Error::Internal { what: "kid length" })?;

    let mut body = Vec::with_capacity(320);
    body.push(VERSION);
    body.push(kid_len);
    body.extend_from_slice(kid);
    body.extend_from_slice(&now.to_be_bytes());
    body.extend_from_slice(&exp.to_be_bytes());
    body.push(p.flow.byte());
    body.push(p.mode.map_or(0, LinkMode::byte));
    body.extend_from_slice(nonce);
    body.extend_from_slice(&binding(key, p.session_id)?);
    body.push(data_len);
    body.extend_from_slice(data);
    let mac = token_mac(key, &body)?;
    body.extend_from_slice(&mac);
    Ok(URL_SAFE_NO_PAD.encode(&body))
}

/// Issues a token with a nonce from the OS CSPRNG.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token_random};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[9; 32]).unwrap()]).unwrap();
/// let p = StateTokenParams { flow: Flow::InstallLink, session_id: b"s", ttl_secs: Some(60), data: None , mode: None };
/// assert_ne!(issue_state_token_random(&keys, &p, 1).unwrap(), issue_state_token_random(&keys, &p, 1).unwrap());
/// ```
///
/// # Errors
/// As [`issue_state_token`], and `randomness_unavailable`.
#[cfg(feature = "os-rng")]
pub fn issue_state_token_random(keys: &StateKeys, p: &StateTokenParams<'_>, now: u64) -> Result<String> {
    issue_state_token(keys, p, now, &random_bytes()?)
}

/// A state token that passed every check. Only [`verify_state_token`] constructs it.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token, verify_state_token};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let p = StateTokenParams { flow: Flow::AppsOAuth, session_id: b"sess", ttl_secs: Some(60), data: Some("/back") , mode: None };
/// let t = issue_state_token(&keys, &p, 10, &[0; 32]).unwrap();
/// let v = verify_state_token(&keys, Some(&t), b"sess", Flow::AppsOAuth, 20).unwrap();
/// assert_eq!((v.key_id(), v.issued_at(), v.expires_at(), v.flow(), v.data()), ("k1", 10, 70, Flow::AppsOAuth, Some("/back")));
/// assert_eq!(v.nonce(), "A".repeat(43));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedState {
    key_id: String,
    issued_at: u64,
    expires_at: u64,
    flow: Flow,
    mode: Option<LinkMode>,
    nonce: [u8; NONCE_LEN],
    data: Option<String>,
}

impl VerifiedState {
    /// The token format's version byte: a token verifies only in the version this release
    /// issues (2), so this says which format was checked.
    #[must_use]
    pub fn version(&self) -> u8 {
        VERSION
    }
    /// The id of the key that signed it.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
    /// Issued-at, Unix seconds.
    #[must_use]
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }
    /// Expiry, Unix seconds.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
    /// The flow it was issued for.
    #[must_use]
    pub fn flow(&self) -> Flow {
        self.flow
    }
    /// The environment the link was built for, if the issuer said: pass
    /// `mode.key_mode()` as the exchange's expected mode.
    #[must_use]
    pub fn mode(&self) -> Option<LinkMode> {
        self.mode
    }
    /// The nonce as base64url (43 characters): store it until `expires_at` and refuse a
    /// second use to make the token one-time.
    #[must_use]
    pub fn nonce(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.nonce)
    }
    /// The app data, if any.
    #[must_use]
    pub fn data(&self) -> Option<&str> {
        self.data.as_deref()
    }
}

/// A cursor over the token bytes that never panics.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(Error::StateMalformed);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn byte(&mut self) -> Result<u8> {
        self.take(1)?.first().copied().ok_or(Error::StateMalformed)
    }
    fn u64(&mut self) -> Result<u64> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| Error::StateMalformed)?;
        Ok(u64::from_be_bytes(b))
    }
}

/// Verifies a state token: size, format, key id, MAC, expiry, session binding, flow.
///
/// `token` is `None` when the callback has no `state`: that never passes.
///
/// # Errors
/// `state_missing`, `state_too_large`, `state_malformed`, `state_unknown_key`,
/// `state_invalid`, `state_expired`, `state_not_yet_valid`, `state_session_mismatch`,
/// `state_flow_mismatch`, `invalid_argument` (session id).
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token, verify_state_token};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[9; 32]).unwrap()]).unwrap();
/// let p = StateTokenParams { flow: Flow::AppsOAuth, session_id: b"s", ttl_secs: None, data: None , mode: None };
/// let t = issue_state_token(&keys, &p, 1000, &[0; 32]).unwrap();
/// assert!(verify_state_token(&keys, Some(&t), b"s", Flow::AppsOAuth, 1600).is_ok());
/// assert_eq!(verify_state_token(&keys, Some(&t), b"s", Flow::AppsOAuth, 1601).unwrap_err().code(), "state_expired");
/// assert_eq!(verify_state_token(&keys, Some(&t), b"s", Flow::InstallLink, 1000).unwrap_err().code(), "state_flow_mismatch");
/// ```
pub fn verify_state_token(
    keys: &StateKeys,
    token: Option<&str>,
    session_id: &[u8],
    flow: Flow,
    now: u64,
) -> Result<VerifiedState> {
    check_session(session_id)?;
    let token = token.ok_or(Error::StateMissing)?;
    if token.len() > MAX_STATE_TOKEN_LEN {
        return Err(Error::StateTooLarge { len: token.len(), max: MAX_STATE_TOKEN_LEN });
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| Error::StateMalformed)?;
    // Strict: the decoder must round-trip (no non-canonical trailing bits).
    if URL_SAFE_NO_PAD.encode(&bytes) != token {
        return Err(Error::StateMalformed);
    }
    let body_len = bytes.len().checked_sub(MAC_LEN).ok_or(Error::StateMalformed)?;
    let (body, tag) = bytes.split_at(body_len);

    let mut r = Reader(body);
    if r.byte()? != VERSION {
        return Err(Error::StateMalformed);
    }
    let kid_len = r.byte()?;
    if kid_len == 0 || kid_len > 16 {
        return Err(Error::StateMalformed);
    }
    let kid = r.take(usize::from(kid_len))?;
    let issued_at = r.u64()?;
    let expires_at = r.u64()?;
    let token_flow = Flow::from_byte(r.byte()?).ok_or(Error::StateMalformed)?;
    let mode = LinkMode::from_byte(r.byte()?).ok_or(Error::StateMalformed)?;
    let nonce: [u8; NONCE_LEN] = r.take(NONCE_LEN)?.try_into().map_err(|_| Error::StateMalformed)?;
    let bound = r.take(BINDING_LEN)?;
    let data_len = r.byte()?;
    if usize::from(data_len) > MAX_STATE_DATA_LEN {
        return Err(Error::StateMalformed);
    }
    let data = r.take(usize::from(data_len))?;
    if !r.0.is_empty() {
        return Err(Error::StateMalformed);
    }
    let data = core::str::from_utf8(data).map_err(|_| Error::StateMalformed)?;

    let key = keys.find(kid).ok_or(Error::StateUnknownKey)?;
    let mut mac = mac_with_key(&key.key)?;
    mac.update(MAC_TAG);
    mac.update(body);
    // ct: declassify — whether the token's MAC is valid is the result.
    mac.verify_slice(tag).map_err(|_| Error::StateInvalid)?;

    if now > expires_at {
        return Err(Error::StateExpired { expired_secs_ago: now.abs_diff(expires_at) });
    }
    if issued_at > now.saturating_add(STATE_CLOCK_SKEW_SECS) {
        return Err(Error::StateNotYetValid);
    }
    // ct: declassify — whether the token is bound to this session is the result.
    if !ct_eq_bytes(&binding(key, session_id)?, bound) {
        return Err(Error::StateSessionMismatch);
    }
    if token_flow != flow {
        return Err(Error::StateFlowMismatch { token_flow: token_flow.as_str(), expected_flow: flow.as_str() });
    }
    Ok(VerifiedState {
        key_id: key.id.clone(),
        issued_at,
        expires_at,
        flow: token_flow,
        mode,
        nonce,
        data: (!data.is_empty()).then(|| data.to_owned()),
    })
}

/// How a callback's `state` must be checked. Every callback verifier takes one, so the
/// caller always says what they expect.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateCheck, Flow};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let check = StateCheck::Signed { keys: &keys, session_id: b"sess" };
/// assert_eq!(check.name(), "signed");
/// assert_eq!(check.run(Some("forged"), Flow::ConnectOAuth, 0).unwrap_err().code(), "state_malformed");
/// ```
#[derive(Clone)]
pub enum StateCheck<'a> {
    /// Compare with the plain state kept in the session.
    Plain {
        /// The state put in the link.
        expected: &'a str,
    },
    /// Verify a signed token bound to this session.
    Signed {
        /// The verifying keys.
        keys: &'a StateKeys,
        /// The session id the token must be bound to.
        session_id: &'a [u8],
    },
    /// The caller accepts callbacks that carry no state (installs started from the
    /// Marketplace); an empty `state=` counts as none. Refused for Connect OAuth, where state
    /// is the only CSRF defence. A callback that does carry a state is
    /// refused with `unexpected_state`: check it with `Plain` or `Signed` instead.
    Stateless,
}

impl fmt::Debug for StateCheck<'_> {
    /// The expected state and the session id are credentials: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain { .. } => f.write_str("Plain { expected: [redacted] }"),
            Self::Signed { keys, .. } => write!(f, "Signed {{ keys: {keys:?}, session_id: [redacted] }}"),
            Self::Stateless => f.write_str("Stateless"),
        }
    }
}

impl<'a> StateCheck<'a> {
    /// Builds the check from the options a binding receives: exactly one of `expected`
    /// (plain), `keys` with `session_id` (signed), or `allow_stateless = true`.
    ///
    /// ```
    /// use stripe_handshake::state::StateCheck;
    /// assert!(matches!(StateCheck::from_options(Some("x"), None, None, false).unwrap(), StateCheck::Plain { .. }));
    /// assert!(matches!(StateCheck::from_options(None, None, None, true).unwrap(), StateCheck::Stateless));
    /// // Saying nothing is an error: the caller must choose.
    /// assert_eq!(StateCheck::from_options(None, None, None, false).unwrap_err().code(), "invalid_argument");
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` when none or more than one is given, or keys without a session id.
    pub fn from_options(
        expected: Option<&'a str>,
        keys: Option<&'a StateKeys>,
        session_id: Option<&'a [u8]>,
        allow_stateless: bool,
    ) -> Result<Self> {
        let bad = |reason| Error::InvalidArgument { what: "state check", reason };
        match (expected, keys, session_id, allow_stateless) {
            (Some(expected), None, None, false) => Ok(Self::Plain { expected }),
            (None, Some(keys), Some(session_id), false) => Ok(Self::Signed { keys, session_id }),
            (None, Some(_), None, false) => Err(bad("signed state needs the session id it was bound to")),
            (None, None, None, true) => Ok(Self::Stateless),
            (None, None, None, false) => Err(bad(
                "say how to check state: the expected plain state, state keys with a session id, or allow stateless callbacks",
            )),
            _ => Err(bad("give exactly one of: expected state, state keys with a session id, allow stateless")),
        }
    }

    /// The name of the check: `"plain"`, `"signed"` or `"stateless"`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Plain { .. } => "plain",
            Self::Signed { .. } => "signed",
            Self::Stateless => "stateless",
        }
    }
}

/// What the state check established.
///
/// ```
/// use stripe_handshake::state::{StateKeys, StateKey, StateTokenParams, Flow, issue_state_token, StateCheck};
/// let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
/// let p = StateTokenParams { flow: Flow::ConnectOAuth, session_id: b"s", ttl_secs: None, data: None , mode: None };
/// let t = issue_state_token(&keys, &p, 0, &[3; 32]).unwrap();
/// let out = StateCheck::Signed { keys: &keys, session_id: b"s" }.run(Some(&t), Flow::ConnectOAuth, 0).unwrap();
/// assert_eq!(out.name(), "signed");
/// assert!(out.signed().is_some());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateOutcome {
    /// The plain state matched.
    Plain,
    /// The signed token verified.
    Signed(VerifiedState),
    /// No state was sent, and the caller accepted that.
    Stateless,
}

impl StateOutcome {
    /// The name of the outcome: `"plain"`, `"signed"` or `"stateless"`.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::state::StateOutcome::Stateless.name(), "stateless");
    /// ```
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Signed(_) => "signed",
            Self::Stateless => "stateless",
        }
    }

    /// The verified token, for signed state.
    #[must_use]
    pub fn signed(&self) -> Option<&VerifiedState> {
        match self {
            Self::Signed(v) => Some(v),
            _ => None,
        }
    }
}

impl StateCheck<'_> {
    /// Runs the check on the received `state` for `flow` at `now`.
    ///
    /// ```
    /// use stripe_handshake::state::{StateCheck, StateOutcome, Flow};
    /// assert_eq!(StateCheck::Stateless.run(None, Flow::InstallLink, 0).unwrap(), StateOutcome::Stateless);
    /// assert_eq!(StateCheck::Stateless.run(Some("x"), Flow::InstallLink, 0).unwrap_err().code(), "unexpected_state");
    /// assert_eq!(StateCheck::Plain { expected: "abc" }.run(None, Flow::InstallLink, 0).unwrap_err().code(), "state_missing");
    /// ```
    ///
    /// # Errors
    /// See [`check_plain_state`] and [`verify_state_token`]; `unexpected_state`.
    pub fn run(&self, received: Option<&str>, flow: Flow, now: u64) -> Result<StateOutcome> {
        match self {
            Self::Plain { expected } => check_plain_state(expected, received).map(|()| StateOutcome::Plain),
            Self::Signed { keys, session_id } => {
                verify_state_token(keys, received, session_id, flow, now).map(StateOutcome::Signed)
            }
            // Connect OAuth has no PKCE and no Marketplace-started flow: state is its only
            // CSRF defence, so a stateless Connect callback is never acceptable.
            Self::Stateless if flow == Flow::ConnectOAuth => Err(Error::InvalidArgument {
                what: "state check",
                reason: "Connect OAuth callbacks must carry a state: check it with a plain state or a signed token",
            }),
            // An empty `state=` carries nothing to check: it counts as no state.
            Self::Stateless => match received {
                None | Some("") => Ok(StateOutcome::Stateless),
                Some(_) => Err(Error::UnexpectedState),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> StateKeys {
        StateKeys::new(vec![StateKey::new("k1", &[9; 32]).unwrap()]).unwrap()
    }

    fn token() -> String {
        let p = StateTokenParams {
            flow: Flow::ConnectOAuth,
            session_id: b"sess",
            ttl_secs: None,
            data: Some("d"),
            mode: None,
        };
        issue_state_token(&keys(), &p, 1000, &[5; 32]).unwrap()
    }

    #[test]
    fn every_tampered_character_is_rejected() {
        let t = token();
        assert!(verify_state_token(&keys(), Some(&t), b"sess", Flow::ConnectOAuth, 1000).is_ok());
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            let orig = b[i];
            b[i] = *alphabet.iter().find(|c| **c != orig).unwrap();
            let s = String::from_utf8(b).unwrap();
            assert!(verify_state_token(&keys(), Some(&s), b"sess", Flow::ConnectOAuth, 1000).is_err(), "pos {i}");
        }
    }

    #[test]
    fn rotation_and_unknown_key() {
        let t = token();
        let rotated =
            StateKeys::new(vec![StateKey::new("k2", &[8; 32]).unwrap(), StateKey::new("k1", &[9; 32]).unwrap()])
                .unwrap();
        assert_eq!(verify_state_token(&rotated, Some(&t), b"sess", Flow::ConnectOAuth, 1000).unwrap().key_id(), "k1");
        let only_new = StateKeys::new(vec![StateKey::new("k2", &[8; 32]).unwrap()]).unwrap();
        assert_eq!(
            verify_state_token(&only_new, Some(&t), b"sess", Flow::ConnectOAuth, 1000),
            Err(Error::StateUnknownKey)
        );
        let same_id_other_key = StateKeys::new(vec![StateKey::new("k1", &[7; 32]).unwrap()]).unwrap();
        assert_eq!(
            verify_state_token(&same_id_other_key, Some(&t), b"sess", Flow::ConnectOAuth, 1000),
            Err(Error::StateInvalid)
        );
    }

    #[test]
    fn accessors_randomness_and_boundaries() {
        let a = random_bytes().unwrap();
        assert_ne!(a, random_bytes().unwrap());
        assert_ne!(a, [0; 32]);
        let s = random_state().unwrap();
        assert_eq!(s.len(), 43);
        assert_ne!(s, random_state().unwrap());
        let k = StateKey::new("kid-1", &[3; 32]).unwrap();
        assert_eq!(k.id(), "kid-1");
        assert_eq!(format!("{k:?}"), "StateKey { id: \"kid-1\", key: [redacted] }");
        assert_eq!(StateKeys::new(vec![k]).unwrap().signing_key_id(), "kid-1");
        assert_eq!(check_plain_state("x", Some(&"y".repeat(1024))), Err(Error::StateMismatch));
        assert!(matches!(check_plain_state("x", Some(&"y".repeat(1025))), Err(Error::StateTooLarge { .. })));
        let p = |session: &[u8]| {
            let params = StateTokenParams {
                flow: Flow::InstallLink,
                session_id: session,
                ttl_secs: None,
                data: None,
                mode: None,
            };
            issue_state_token(&keys(), &params, 0, &[0; 32])
        };
        assert!(p(&[1; 1024]).is_ok());
        assert!(p(&[1; 1025]).is_err());
        assert!(p(&[]).is_err());
    }

    #[test]
    fn debug_never_prints_state_or_session() {
        let k = keys();
        let p = StateTokenParams {
            flow: Flow::InstallLink,
            session_id: b"session-secret",
            ttl_secs: None,
            data: None,
            mode: None,
        };
        let plain = StateCheck::Plain { expected: "csrf-secret" };
        let signed = StateCheck::Signed { keys: &k, session_id: b"session-secret" };
        for d in [format!("{p:?}"), format!("{plain:?}"), format!("{signed:?}")] {
            assert!(!d.contains("secret") && !d.contains("115, 101"), "{d}");
            assert!(d.contains("[redacted]"), "{d}");
        }
        assert_eq!(format!("{:?}", StateCheck::Stateless), "Stateless");
        assert_eq!(StateCheck::Stateless.run(None, Flow::ConnectOAuth, 0).unwrap_err().code(), "invalid_argument");
        assert_eq!(StateCheck::Stateless.run(None, Flow::AppsOAuth, 0).unwrap(), StateOutcome::Stateless);
    }

    #[test]
    fn decoder_boundaries() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
        let k = keys();
        let v = |t: &str| verify_state_token(&k, Some(t), b"sess", Flow::ConnectOAuth, 1000);
        assert_eq!(v(&"A".repeat(512)), Err(Error::StateMalformed));
        assert!(matches!(v(&"A".repeat(513)), Err(Error::StateTooLarge { len: 513, max: 512 })));
        // A 16-character key id and 192 bytes of data are the largest accepted.
        let k16 = StateKeys::new(vec![StateKey::new(&"k".repeat(16), &[9; 32]).unwrap()]).unwrap();
        let data = "d".repeat(192);
        let p = StateTokenParams {
            flow: Flow::ConnectOAuth,
            session_id: b"sess",
            ttl_secs: None,
            data: Some(&data),
            mode: None,
        };
        let t = issue_state_token(&k16, &p, 1000, &[5; 32]).unwrap();
        assert_eq!(
            verify_state_token(&k16, Some(&t), b"sess", Flow::ConnectOAuth, 1000).unwrap().data(),
            Some(data.as_str())
        );
        // kid_len 0 and 17 are malformed before any key lookup.
        let mut raw = B64.decode(token()).unwrap();
        for bad in [0u8, 17] {
            raw[1] = bad;
            assert_eq!(v(&B64.encode(&raw)), Err(Error::StateMalformed), "kid_len {bad}");
        }
    }

    #[test]
    fn state_check_from_options_and_names() {
        let k = keys();
        assert_eq!(StateCheck::from_options(Some("e"), None, None, false).unwrap().name(), "plain");
        assert_eq!(StateCheck::from_options(None, Some(&k), Some(b"s"), false).unwrap().name(), "signed");
        assert_eq!(StateCheck::from_options(None, None, None, true).unwrap().name(), "stateless");
        let reason = |r: Result<StateCheck<'_>>| match r {
            Err(Error::InvalidArgument { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason(StateCheck::from_options(None, Some(&k), None, false)),
            "signed state needs the session id it was bound to"
        );
        assert!(reason(StateCheck::from_options(None, None, None, false)).starts_with("say how to check state"));
        assert!(reason(StateCheck::from_options(Some("e"), None, None, true)).starts_with("give exactly one of"));
        for (e, kk, sess, allow) in [
            (None, Some(&k), None, false),
            (None, None, None, false),
            (Some("e"), None, None, true),
            (Some("e"), Some(&k), Some(&b"s"[..]), false),
        ] {
            assert_eq!(StateCheck::from_options(e, kk, sess, allow).unwrap_err().code(), "invalid_argument");
        }
        let signed =
            StateCheck::Signed { keys: &k, session_id: b"sess" }.run(Some(&token()), Flow::ConnectOAuth, 1000).unwrap();
        assert_eq!(signed.name(), "signed");
        assert_eq!(signed.signed().unwrap().data(), Some("d"));
        assert_eq!(StateOutcome::Plain.name(), "plain");
        assert!(StateOutcome::Plain.signed().is_none());
        assert_eq!(StateOutcome::Stateless.name(), "stateless");
        let p = StateTokenParams { flow: Flow::InstallLink, session_id: b"s", ttl_secs: None, data: None, mode: None };
        let a = issue_state_token_random(&k, &p, 0).unwrap();
        assert!(verify_state_token(&k, Some(&a), b"s", Flow::InstallLink, 0).is_ok());
        assert_ne!(a, issue_state_token_random(&k, &p, 0).unwrap());
    }

    #[test]
    fn time_edges() {
        let t = token();
        let v = |now| verify_state_token(&keys(), Some(&t), b"sess", Flow::ConnectOAuth, now);
        assert!(v(1600).is_ok());
        assert!(matches!(v(1601), Err(Error::StateExpired { expired_secs_ago: 1 })));
        assert!(v(940).is_ok());
        assert_eq!(v(939), Err(Error::StateNotYetValid));
        assert!(v(u64::MAX).is_err());
        assert_eq!(v(0), Err(Error::StateNotYetValid));
    }
}
