//! The redirects back from Stripe: install callbacks (`install_signature`) and OAuth
//! callbacks (`code` or `error`).
//!
//! Query values are form-decoded (`+` is a space, `%XX` must be two hex digits, the result
//! must be UTF-8) before anything else; a parameter this library reads that appears twice
//! is refused, because two parsers could pick different copies.

use core::fmt;

use crate::encoding::{cap, form_decode};
use crate::error::{Error, OAuthErrorKind, Result};
use crate::ids::{IdKind, ACCOUNT_ID, CALLBACK_ID};
use crate::json::{install_payload, StateField};
use crate::signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier, Window};
use crate::state::{Flow, StateCheck, StateOutcome};

/// Largest accepted callback query, in bytes.
pub const MAX_QUERY_LEN: usize = 16 * 1024;
/// Largest `error` string kept from a denial or error body, in bytes.
pub const MAX_ERROR_LEN: usize = 64;
/// Largest `error_description` kept, in bytes (cut at a character boundary).
pub const MAX_ERROR_DESCRIPTION_LEN: usize = 500;
/// Largest accepted id (`user_id`, `account_id`, `code`), in bytes.
pub const MAX_ID_LEN: usize = 255;

/// The parameters this library reads from a callback query, each at most once.
#[derive(Default)]
pub(crate) struct Params {
    values: Vec<(&'static str, String)>,
}

impl Params {
    /// Parses `query` (with or without a leading `?`), keeping only `known` names.
    pub(crate) fn parse(query: &str, known: &[&'static str]) -> Result<Self> {
        if query.len() > MAX_QUERY_LEN {
            return Err(Error::QueryTooLarge { len: query.len(), max: MAX_QUERY_LEN });
        }
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut values: Vec<(&'static str, String)> = Vec::new();
        for pair in query.split('&') {
            if pair.is_empty() {
                continue;
            }
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            // A key that does not decode cannot be one we read: skip it, like any unknown key.
            let Ok(key) = form_decode(raw_key) else {
                continue;
            };
            let Some(name) = known.iter().copied().find(|k| *k == key) else {
                continue;
            };
            if values.iter().any(|(k, _)| *k == name) {
                return Err(Error::DuplicateParameter { name });
            }
            values.push((name, form_decode(raw_value)?));
        }
        Ok(Self { values })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    fn require_id(&self, name: &'static str, kind: IdKind) -> Result<&str> {
        let v = self.get(name).filter(|v| !v.is_empty()).ok_or(Error::MissingParameter { name })?;
        if !kind.matches(v) {
            return Err(Error::MalformedQuery { reason: kind.reason() });
        }
        Ok(v)
    }
}

/// A user's "no": the redirect carried `error=…` (usually `access_denied`).
///
/// `description` is untrusted text from the URL: escape it before you show it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, OAuthErrorKind, install::{InstallVerifyOptions, InstallCallback, verify_install_callback}, state::StateCheck};
/// let opts = InstallVerifyOptions { secrets: &[SigningSecret::new("absec_x").unwrap()], now: 0,
///     tolerance: Tolerance::default(), state: StateCheck::Stateless };
/// let InstallCallback::Denied(d) = verify_install_callback(
///     "error=access_denied&error_description=The+user+denied", &opts).unwrap() else { unreachable!() };
/// assert_eq!((d.kind(), d.error(), d.description()), (OAuthErrorKind::AccessDenied, "access_denied", Some("The user denied")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackDenial {
    kind: OAuthErrorKind,
    error: String,
    description: Option<String>,
}

impl CallbackDenial {
    fn from_params(p: &Params) -> Option<Self> {
        let error = p.get("error")?;
        Some(Self {
            kind: OAuthErrorKind::from_wire(error),
            error: cap(error, MAX_ERROR_LEN),
            description: p.get("error_description").map(|d| cap(d, MAX_ERROR_DESCRIPTION_LEN)),
        })
    }

    /// The kind of error (`AccessDenied` for a cancel).
    #[must_use]
    pub fn kind(&self) -> OAuthErrorKind {
        self.kind
    }
    /// The `error` string as sent, capped at 64 bytes.
    #[must_use]
    pub fn error(&self) -> &str {
        &self.error
    }
    /// `error_description`, capped at 500 bytes. Untrusted: escape before display.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// An install whose `install_signature` verified and whose `state` passed the check.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, InstallVerifyOptions, InstallCallback, verify_install_callback}, state::{StateCheck, StateOutcome}, testing::{sign_header, percent_encode_into}};
/// let secret = SigningSecret::new("absec_x").unwrap();
/// let sig = sign_header(install_payload(StateField::Omitted, "usr_1", "acct_1").as_bytes(), &secret, 100).unwrap();
/// let mut q = String::from("user_id=usr_1&account_id=acct_1&livemode=false&install_signature=");
/// percent_encode_into(&mut q, &sig);
/// let opts = InstallVerifyOptions { secrets: &[secret], now: 100, tolerance: Tolerance::default(), state: StateCheck::Stateless };
/// let InstallCallback::Installed(i) = verify_install_callback(&q, &opts).unwrap() else { unreachable!() };
/// assert_eq!((i.user_id(), i.account_id(), i.state(), i.livemode()), ("usr_1", "acct_1", None, Some("false")));
/// assert_eq!((i.signature().timestamp(), i.signature().secret_index()), (100, 0));
/// assert_eq!(i.state_outcome(), &StateOutcome::Stateless);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedInstall {
    user_id: String,
    account_id: String,
    state: Option<String>,
    state_outcome: StateOutcome,
    livemode: Option<String>,
    signature: VerifiedSignature,
}

impl VerifiedInstall {
    /// The Stripe user who installed (`usr_…`).
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The account that installed (`acct_…`): use it in the `Stripe-Account` header.
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The `state` as received, if any.
    #[must_use]
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
    /// What the state check established (for signed tokens: the nonce, to refuse replays).
    #[must_use]
    pub fn state_outcome(&self) -> &StateOutcome {
        &self.state_outcome
    }
    /// `livemode` as given (Stripe adds `livemode=false` to test installs). Not signed.
    #[must_use]
    pub fn livemode(&self) -> Option<&str> {
        self.livemode.as_deref()
    }
    /// The verified `install_signature`: its timestamp and which secret matched.
    #[must_use]
    pub fn signature(&self) -> &VerifiedSignature {
        &self.signature
    }
}

impl fmt::Debug for VerifiedInstall {
    /// The received state is a CSRF value: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedInstall")
            .field("user_id", &self.user_id)
            .field("account_id", &self.account_id)
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("livemode", &self.livemode)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// The outcome of an install redirect.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{InstallVerifyOptions, verify_install_callback, InstallCallback}, state::StateCheck};
/// let opts = InstallVerifyOptions { secrets: &[SigningSecret::new("absec_x").unwrap()], now: 0,
///     tolerance: Tolerance::default(), state: StateCheck::Plain { expected: "st" } };
/// match verify_install_callback("error=access_denied", &opts) {
///     Ok(InstallCallback::Installed(install)) => println!("store {}", install.account_id()),
///     Ok(InstallCallback::Denied(denial)) => assert_eq!(denial.error(), "access_denied"),
///     Err(e) => println!("refuse: {}", e.code()),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstallCallback {
    /// Installed, signature and state verified.
    Installed(VerifiedInstall),
    /// The user cancelled (`error=access_denied`); nothing was installed.
    Denied(CallbackDenial),
}

/// Everything an install-callback check needs besides the query.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{InstallVerifyOptions, verify_install_callback}, state::StateCheck};
/// let secrets = [SigningSecret::new("absec_new").unwrap(), SigningSecret::new("absec_old").unwrap()];
/// let opts = InstallVerifyOptions { secrets: &secrets, now: 1_700_000_000, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st_from_session" } };
/// assert_eq!(verify_install_callback("user_id=usr_1", &opts).unwrap_err().code(), "missing_parameter");
/// ```
#[derive(Clone, Debug)]
pub struct InstallVerifyOptions<'a> {
    /// The app's signing secrets (`absec_…`); any may match (rotation).
    pub secrets: &'a [SigningSecret],
    /// Current Unix time in seconds.
    pub now: u64,
    /// How far the signature's timestamp may be from now.
    pub tolerance: Tolerance,
    /// How `state` must be checked.
    pub state: StateCheck<'a>,
}

const INSTALL_PARAMS: &[&str] =
    &["user_id", "account_id", "state", "install_signature", "livemode", "error", "error_description"];

/// Verifies the redirect after an install link from its raw query string.
///
/// The signed payload is `JSON.stringify({state, user_id, account_id})`, built byte for
/// byte; when `state` is absent both forms Stripe's samples use (key omitted, and
/// `"state":null`) are tried. The signature is checked first, then the time window, then
/// the state. A cancel (`error=…`) comes back as [`InstallCallback::Denied`], unsigned and
/// without state.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, InstallVerifyOptions, verify_install_callback, InstallCallback}, state::StateCheck, testing::{sign_header, percent_encode_into}};
/// let secret = SigningSecret::new("absec_test").unwrap();
/// let payload = install_payload(StateField::Value("st"), "usr_1", "acct_1");
/// let sig = sign_header(payload.as_bytes(), &secret, 1_700_000_000).unwrap();
/// let mut q = String::from("user_id=usr_1&account_id=acct_1&state=st&install_signature=");
/// percent_encode_into(&mut q, &sig);
/// let opts = InstallVerifyOptions {
///     secrets: &[secret], now: 1_700_000_005, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st" },
/// };
/// match verify_install_callback(&q, &opts).unwrap() {
///     InstallCallback::Installed(i) => assert_eq!(i.account_id(), "acct_1"),
///     InstallCallback::Denied(_) => unreachable!(),
/// }
/// // Reject twin: another account id under the same signature.
/// let forged = q.replace("acct_1", "acct_2");
/// assert_eq!(verify_install_callback(&forged, &opts).unwrap_err().code(), "signature_mismatch");
/// ```
///
/// # Errors
/// Query errors (`query_too_large`, `malformed_query`, `duplicate_parameter`,
/// `missing_parameter`), every signature error, every state error.
pub fn verify_install_callback(query: &str, opts: &InstallVerifyOptions<'_>) -> Result<InstallCallback> {
    let p = Params::parse(query, INSTALL_PARAMS)?;
    if let Some(denial) = CallbackDenial::from_params(&p) {
        return Ok(InstallCallback::Denied(denial));
    }
    let user_id = p.require_id("user_id", CALLBACK_ID)?;
    let account_id = p.require_id("account_id", ACCOUNT_ID)?;
    let signature = p.get("install_signature").ok_or(Error::MissingParameter { name: "install_signature" })?;
    let state = p.get("state");
    let verifier = Verifier::new(opts.secrets, opts.tolerance)?;
    let verified = match state {
        Some(s) => {
            let payload = install_payload(StateField::Value(s), user_id, account_id);
            verifier.verify_candidates(&[payload.as_bytes()], signature, Window::At(opts.now))?
        }
        None => {
            let omitted = install_payload(StateField::Omitted, user_id, account_id);
            let null = install_payload(StateField::Null, user_id, account_id);
            verifier.verify_candidates(&[omitted.as_bytes(), null.as_bytes()], signature, Window::At(opts.now))?
        }
    };
    let state_outcome = opts.state.run(state, Flow::InstallLink, opts.now)?;
    Ok(InstallCallback::Installed(VerifiedInstall {
        user_id: user_id.to_owned(),
        account_id: account_id.to_owned(),
        state: state.map(str::to_owned),
        state_outcome,
        livemode: p.get("livemode").map(|l| cap(l, 16)),
        signature: verified,
    }))
}

/// An OAuth redirect with a `code` whose `state` passed the check.
///
/// ```
/// use stripe_handshake::{oauth::{OAuthCallback, verify_oauth_callback}, state::{Flow, StateCheck, StateOutcome}};
/// let OAuthCallback::Authorized(a) = verify_oauth_callback("code=ac_1&scope=read_only&state=s",
///     Flow::ConnectOAuth, &StateCheck::Plain { expected: "s" }, 0).unwrap() else { unreachable!() };
/// assert_eq!((a.code(), a.scope(), a.state_outcome()), ("ac_1", Some("read_only"), &StateOutcome::Plain));
/// assert!(!format!("{a:?}").contains("ac_1"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizedCallback {
    code: String,
    scope: Option<String>,
    state_outcome: StateOutcome,
}

impl AuthorizedCallback {
    /// The one-time authorization code (`ac_…`, valid 5 minutes). Exchange it once.
    ///
    /// # Security
    /// A credential: never log it.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The granted `scope` (Connect), if sent.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
    /// What the state check established.
    #[must_use]
    pub fn state_outcome(&self) -> &StateOutcome {
        &self.state_outcome
    }
}

impl fmt::Debug for AuthorizedCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizedCallback")
            .field("code", &"[redacted]")
            .field("scope", &self.scope)
            .field("state_outcome", &self.state_outcome)
            .finish()
    }
}

/// The outcome of an OAuth redirect.
///
/// ```
/// use stripe_handshake::{OAuthErrorKind, oauth::{verify_oauth_callback, OAuthCallback}, state::{Flow, StateCheck}};
/// let cb = verify_oauth_callback("error=access_denied&state=s", Flow::AppsOAuth, &StateCheck::Plain { expected: "s" }, 0).unwrap();
/// assert!(matches!(cb, OAuthCallback::Denied(d) if d.kind() == OAuthErrorKind::AccessDenied));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthCallback {
    /// A code came back and the state checked out.
    Authorized(AuthorizedCallback),
    /// The user denied access (or Stripe reported another error).
    Denied(CallbackDenial),
}

const OAUTH_PARAMS: &[&str] = &["code", "scope", "state", "error", "error_description"];

/// Parses an OAuth redirect (Stripe Apps OAuth or Connect) and checks its `state`.
///
/// `flow` must be [`Flow::AppsOAuth`] or [`Flow::ConnectOAuth`]; signed state tokens must
/// have been issued for the same flow. A denial is returned without a state check: it
/// grants nothing.
///
/// ```
/// use stripe_handshake::{oauth::{verify_oauth_callback, OAuthCallback}, state::{Flow, StateCheck}};
/// let cb = verify_oauth_callback("code=ac_123&scope=read_write&state=xyz", Flow::ConnectOAuth,
///     &StateCheck::Plain { expected: "xyz" }, 0).unwrap();
/// let OAuthCallback::Authorized(a) = cb else { unreachable!() };
/// assert_eq!(a.code(), "ac_123");
/// // Reject twin: the state differs.
/// let err = verify_oauth_callback("code=ac_123&state=xyZ", Flow::ConnectOAuth,
///     &StateCheck::Plain { expected: "xyz" }, 0).unwrap_err();
/// assert_eq!(err.code(), "state_mismatch");
/// ```
///
/// # Errors
/// `invalid_argument` (flow), query errors, `missing_parameter` (`code`), every state error.
pub fn verify_oauth_callback(query: &str, flow: Flow, state: &StateCheck<'_>, now: u64) -> Result<OAuthCallback> {
    if flow == Flow::InstallLink {
        return Err(Error::InvalidArgument { what: "flow", reason: "use verify_install_callback for install links" });
    }
    let p = Params::parse(query, OAUTH_PARAMS)?;
    if let Some(denial) = CallbackDenial::from_params(&p) {
        return Ok(OAuthCallback::Denied(denial));
    }
    let code = p.require_id("code", CALLBACK_ID)?;
    let state_outcome = state.run(p.get("state"), flow, now)?;
    Ok(OAuthCallback::Authorized(AuthorizedCallback {
        code: code.to_owned(),
        scope: p.get("scope").map(|s| cap(s, 64)),
        state_outcome,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a+b%20c%2B").unwrap(), "a b c+");
        assert_eq!(form_decode("%C3%A9").unwrap(), "é");
        assert_eq!(form_decode("%c3%a9%2f%2F").unwrap(), "é//");
        assert!(form_decode("%").is_err());
        assert!(form_decode("%4").is_err());
        assert!(form_decode("%zz").is_err());
        assert!(form_decode("%FF").is_err());
    }

    #[test]
    fn duplicates_and_unknowns() {
        let p = Params::parse("?a=1&a=2&state=x&&z", &["state"]).unwrap();
        assert_eq!(p.get("state"), Some("x"));
        assert!(matches!(
            Params::parse("state=1&state=1", &["state"]),
            Err(Error::DuplicateParameter { name: "state" })
        ));
        // An encoded key is the same parameter.
        assert!(matches!(Params::parse("state=1&st%61te=2", &["state"]), Err(Error::DuplicateParameter { .. })));
        assert_eq!(Params::parse("state", &["state"]).unwrap().get("state"), Some(""));
        // An unrelated parameter with a bad key does not spoil the callback.
        assert_eq!(Params::parse("x%ZZ=1&state=s", &["state"]).unwrap().get("state"), Some("s"));
    }

    #[test]
    fn query_cap_is_exactly_16_kib() {
        let at_cap = format!("state=x&pad={}", "a".repeat(MAX_QUERY_LEN - 12));
        assert_eq!(at_cap.len(), 16 * 1024);
        assert!(Params::parse(&at_cap, &["state"]).is_ok());
        let over = format!("{at_cap}b");
        assert!(matches!(Params::parse(&over, &["state"]), Err(Error::QueryTooLarge { len: 16385, max: 16384 })));
    }

    #[test]
    fn authorized_callback_debug_hides_the_code() {
        let OAuthCallback::Authorized(a) = verify_oauth_callback(
            "code=ac_secret&state=s",
            Flow::ConnectOAuth,
            &StateCheck::Plain { expected: "s" },
            0,
        )
        .unwrap() else {
            panic!("expected a code")
        };
        let d = format!("{a:?}");
        assert!(d.starts_with("AuthorizedCallback") && d.contains("[redacted]") && !d.contains("ac_secret"), "{d}");
    }

    #[test]
    fn ids_are_capped_at_255_bytes() {
        let ok = format!("user_id={}", "u".repeat(MAX_ID_LEN));
        assert_eq!(Params::parse(&ok, &["user_id"]).unwrap().require_id("user_id", CALLBACK_ID).unwrap().len(), 255);
        let long = format!("user_id={}", "u".repeat(MAX_ID_LEN + 1));
        assert!(matches!(
            Params::parse(&long, &["user_id"]).unwrap().require_id("user_id", CALLBACK_ID),
            Err(Error::MalformedQuery { .. })
        ));
        assert!(matches!(
            Params::parse("user_id=", &["user_id"]).unwrap().require_id("user_id", CALLBACK_ID),
            Err(Error::MissingParameter { .. })
        ));
    }
}
