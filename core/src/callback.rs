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
use crate::oauth::{HttpRequest, OAuthProvider, RequestOptions, SecretKey};
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

    pub(crate) fn require_id(&self, name: &'static str, kind: IdKind) -> Result<&str> {
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
///     tolerance: Tolerance::default(), state: StateCheck::Plain { expected: "st" }, marketplace: Default::default() };
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
    pub(crate) fn from_params(p: &Params) -> Option<Self> {
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
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, InstallVerifyOptions, InstallCallback, Marketplace, verify_install_callback}, state::{StateCheck, StateOutcome}, testing::{sign_header, percent_encode_into}};
/// let secret = SigningSecret::new("absec_x").unwrap();
/// let sig = sign_header(install_payload(StateField::Value("st"), "usr_1", "acct_1").as_bytes(), &secret, 100).unwrap();
/// let mut q = String::from("user_id=usr_1&account_id=acct_1&state=st&livemode=false&install_signature=");
/// percent_encode_into(&mut q, &sig);
/// let opts = InstallVerifyOptions { secrets: &[secret], now: 100, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st" }, marketplace: Marketplace::Refuse };
/// let InstallCallback::Installed(i) = verify_install_callback(&q, &opts).unwrap() else { unreachable!() };
/// assert_eq!((i.user_id(), i.account_id(), i.state(), i.livemode()), ("usr_1", "acct_1", Some("st"), Some("false")));
/// assert_eq!((i.signature().timestamp(), i.signature().secret_index()), (100, 0));
/// assert_eq!(i.state_outcome(), &StateOutcome::Plain);
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
///     tolerance: Tolerance::default(), state: StateCheck::Plain { expected: "st" }, marketplace: Default::default() };
/// match verify_install_callback("error=access_denied", &opts) {
///     Ok(InstallCallback::Installed(install)) => println!("store {}", install.account_id()),
///     Ok(InstallCallback::Marketplace(install)) => println!("installed from the Marketplace: {}", install.account_id()),
///     Ok(InstallCallback::Denied(denial)) => assert_eq!(denial.error(), "access_denied"),
///     Err(e) => println!("refuse: {}", e.code()),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstallCallback {
    /// Installed, signature and state verified.
    Installed(VerifiedInstall),
    /// Installed without a state (started from the Stripe App Marketplace, not from your
    /// link), accepted because the options say so ([`Marketplace`]). The signature proves
    /// Stripe saw the install; nothing proves this browser started it.
    Marketplace(MarketplaceInstall),
    /// The user cancelled (`error=access_denied`); nothing was installed.
    Denied(CallbackDenial),
}

/// What to do with an install (or an OAuth-type app's authorization) that arrives without a
/// `state`: the user installed from the Stripe App Marketplace and never visited you first,
/// or someone replays such a redirect at your users.
///
/// ```
/// use stripe_handshake::install::Marketplace;
/// assert_eq!(Marketplace::parse("accept").unwrap(), Marketplace::Accept);
/// assert_eq!(Marketplace::default(), Marketplace::Refuse);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Marketplace {
    /// Refuse it with `state_missing` (the default).
    #[default]
    Refuse,
    /// Accept it as [`InstallCallback::Marketplace`], when signed over `"state":null` or
    /// `"state":""`.
    Accept,
    /// Also accept a signature over `{"user_id":…,"account_id":…}` with no `state` key. Those
    /// are the exact bytes your app's UI extensions sign with the same secret
    /// (`fetchStripeSignature`), so any Dashboard user of that account who can open your app
    /// can produce one at any time.
    AcceptUiExtensionForm,
}

impl Marketplace {
    /// Parses `"refuse"`, `"accept"` or `"accept_ui_extension_form"`.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "refuse" => Ok(Self::Refuse),
            "accept" => Ok(Self::Accept),
            "accept_ui_extension_form" => Ok(Self::AcceptUiExtensionForm),
            _ => Err(Error::InvalidArgument {
                what: "marketplace",
                reason: "use refuse, accept or accept_ui_extension_form",
            }),
        }
    }
}

/// How a stateless install was signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatelessForm {
    /// `{"state":null,…}` (what Stripe's Ruby sample signs without a state).
    Null,
    /// `{"state":"",…}` (an empty `state=` in the redirect).
    Empty,
    /// `{"user_id":…,"account_id":…}`: the UI extension form.
    Omitted,
}

impl StatelessForm {
    /// `"null"`, `"empty"` or `"omitted"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Empty => "empty",
            Self::Omitted => "omitted",
        }
    }
}

/// An install without a state, accepted as [`Marketplace`] allows.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, InstallVerifyOptions, InstallCallback, Marketplace, StatelessForm, verify_install_callback}, state::StateCheck, testing::{sign_header, percent_encode_into}};
/// let secret = SigningSecret::new("absec_x").unwrap();
/// let sig = sign_header(install_payload(StateField::Null, "usr_1", "acct_1").as_bytes(), &secret, 100).unwrap();
/// let mut q = String::from("user_id=usr_1&account_id=acct_1&install_signature=");
/// percent_encode_into(&mut q, &sig);
/// let mut opts = InstallVerifyOptions { secrets: &[secret], now: 100, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st_from_session" }, marketplace: Marketplace::Accept };
/// let InstallCallback::Marketplace(m) = verify_install_callback(&q, &opts).unwrap() else { unreachable!() };
/// assert_eq!((m.user_id(), m.account_id(), m.form()), ("usr_1", "acct_1", StatelessForm::Null));
/// // Reject twin: the default refuses it.
/// opts.marketplace = Marketplace::Refuse;
/// assert_eq!(verify_install_callback(&q, &opts).unwrap_err().code(), "state_missing");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketplaceInstall {
    user_id: String,
    account_id: String,
    livemode: Option<String>,
    form: StatelessForm,
    signature: VerifiedSignature,
}

impl MarketplaceInstall {
    /// The Stripe user who installed (`usr_…`).
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The account that installed (`acct_…`).
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// `livemode` as given. Not signed.
    #[must_use]
    pub fn livemode(&self) -> Option<&str> {
        self.livemode.as_deref()
    }
    /// Which payload the signature covers.
    #[must_use]
    pub fn form(&self) -> StatelessForm {
        self.form
    }
    /// The verified `install_signature`.
    #[must_use]
    pub fn signature(&self) -> &VerifiedSignature {
        &self.signature
    }
}

/// Everything an install-callback check needs besides the query.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{InstallVerifyOptions, verify_install_callback}, state::StateCheck};
/// let secrets = [SigningSecret::new("absec_new").unwrap(), SigningSecret::new("absec_old").unwrap()];
/// let opts = InstallVerifyOptions { secrets: &secrets, now: 1_700_000_000, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st_from_session" }, marketplace: Default::default() };
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
    /// How a `state` must be checked. [`StateCheck::Stateless`] means you start no installs
    /// yourself: every callback with a state is `unexpected_state`, and `marketplace` must
    /// accept the others.
    pub state: StateCheck<'a>,
    /// What to do with an install that carries no state.
    pub marketplace: Marketplace,
}

const INSTALL_PARAMS: &[&str] =
    &["user_id", "account_id", "state", "install_signature", "livemode", "error", "error_description"];

/// Verifies the redirect after an install link from its raw query string.
///
/// The signed payload is `JSON.stringify({state, user_id, account_id})`, built byte for
/// byte. The signature is checked first, then the time window, then the state. A callback
/// without a state (no `state`, or an empty `state=`) is an install you did not start: it is
/// refused with `state_missing` unless `marketplace` accepts it, and then comes back as
/// [`InstallCallback::Marketplace`], never as a state-checked install. A cancel (`error=…`)
/// comes back as [`InstallCallback::Denied`], unsigned and without state.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, InstallVerifyOptions, Marketplace, verify_install_callback, InstallCallback}, state::StateCheck, testing::{sign_header, percent_encode_into}};
/// let secret = SigningSecret::new("absec_test").unwrap();
/// let payload = install_payload(StateField::Value("st"), "usr_1", "acct_1");
/// let sig = sign_header(payload.as_bytes(), &secret, 1_700_000_000).unwrap();
/// let mut q = String::from("user_id=usr_1&account_id=acct_1&state=st&install_signature=");
/// percent_encode_into(&mut q, &sig);
/// let opts = InstallVerifyOptions {
///     secrets: &[secret], now: 1_700_000_005, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st" }, marketplace: Marketplace::Refuse,
/// };
/// match verify_install_callback(&q, &opts).unwrap() {
///     InstallCallback::Installed(i) => assert_eq!(i.account_id(), "acct_1"),
///     _ => unreachable!(),
/// }
/// // Reject twin: another account id under the same signature.
/// let forged = q.replace("acct_1", "acct_2");
/// assert_eq!(verify_install_callback(&forged, &opts).unwrap_err().code(), "signature_mismatch");
/// ```
///
/// # Errors
/// Query errors (`query_too_large`, `malformed_query`, `duplicate_parameter`,
/// `missing_parameter`), every signature error, every state error,
/// `ui_extension_form_refused`; `invalid_argument` for [`StateCheck::Stateless`] with
/// [`Marketplace::Refuse`] (nothing could pass).
pub fn verify_install_callback(query: &str, opts: &InstallVerifyOptions<'_>) -> Result<InstallCallback> {
    check_install_options(&opts.state, opts.marketplace)?;
    let p = Params::parse(query, INSTALL_PARAMS)?;
    if let Some(denial) = CallbackDenial::from_params(&p) {
        return Ok(InstallCallback::Denied(denial));
    }
    let user_id = p.require_id("user_id", CALLBACK_ID)?;
    let account_id = p.require_id("account_id", ACCOUNT_ID)?;
    let signature = p.get("install_signature").ok_or(Error::MissingParameter { name: "install_signature" })?;
    let verifier = Verifier::new(opts.secrets, opts.tolerance)?;
    let window = Window::At(opts.now);
    let livemode = p.get("livemode").map(|l| cap(l, 16));
    match p.get("state") {
        Some(state) if !state.is_empty() => {
            let payload = install_payload(StateField::Value(state), user_id, account_id);
            let verified = verifier.verify_candidates(&[payload.as_bytes()], signature, window)?;
            let state_outcome = opts.state.run(Some(state), Flow::InstallLink, opts.now)?;
            Ok(InstallCallback::Installed(VerifiedInstall {
                user_id: user_id.to_owned(),
                account_id: account_id.to_owned(),
                state: Some(state.to_owned()),
                state_outcome,
                livemode,
                signature: verified,
            }))
        }
        empty => {
            // MAC first: which stateless form was signed, if any.
            let try_form = |field: StateField<'_>| {
                let payload = install_payload(field, user_id, account_id);
                verifier.verify_candidates(&[payload.as_bytes()], signature, window)
            };
            let (verified, form) = if empty.is_some() {
                (try_form(StateField::Value(""))?, StatelessForm::Empty)
            } else {
                match try_form(StateField::Null) {
                    Ok(v) => (v, StatelessForm::Null),
                    Err(Error::SignatureMismatch) => (try_form(StateField::Omitted)?, StatelessForm::Omitted),
                    Err(e) => return Err(e),
                }
            };
            match (opts.marketplace, form) {
                (Marketplace::Refuse, _) => Err(Error::StateMissing),
                (Marketplace::Accept, StatelessForm::Omitted) => Err(Error::UiExtensionFormRefused),
                _ => Ok(InstallCallback::Marketplace(MarketplaceInstall {
                    user_id: user_id.to_owned(),
                    account_id: account_id.to_owned(),
                    livemode,
                    form,
                    signature: verified,
                })),
            }
        }
    }
}

/// `StateCheck::Stateless` with `Marketplace::Refuse` lets nothing through: a configuration
/// mistake, said at once.
pub(crate) fn check_install_options(state: &StateCheck<'_>, marketplace: Marketplace) -> Result<()> {
    if matches!(state, StateCheck::Stateless) && marketplace == Marketplace::Refuse {
        return Err(Error::InvalidArgument {
            what: "state check",
            reason: "installs without a state are refused unless marketplace accepts them: pass an expected state, \
                     state keys with a session id, or marketplace: accept",
        });
    }
    Ok(())
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
    provider: OAuthProvider,
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
    /// Which token endpoint the code belongs to: the flow's. An Apps code sent to Connect's
    /// endpoint fails ("Authorization code provided does not belong to you").
    #[must_use]
    pub fn provider(&self) -> OAuthProvider {
        self.provider
    }
    /// The code exchange at this code's own token endpoint; see
    /// [`crate::oauth::code_exchange_request`].
    ///
    /// ```
    /// use stripe_handshake::{SecretKey, oauth::{verify_oauth_callback, OAuthCallback, RequestOptions}, state::{Flow, StateCheck}};
    /// let OAuthCallback::Authorized(a) = verify_oauth_callback("code=ac_1&state=s", Flow::AppsOAuth,
    ///     &StateCheck::Plain { expected: "s" }, 0).unwrap() else { unreachable!() };
    /// let r = a.exchange_request(&SecretKey::parse("sk_test_1").unwrap(), &RequestOptions::default()).unwrap();
    /// assert_eq!(r.url, "https://api.stripe.com/v1/oauth/token");
    /// ```
    ///
    /// # Errors
    /// As [`crate::oauth::code_exchange_request`].
    pub fn exchange_request(&self, key: &SecretKey, opts: &RequestOptions<'_>) -> Result<HttpRequest> {
        crate::oauth::code_exchange_request(self.provider, key, &self.code, opts)
    }
}

impl fmt::Debug for AuthorizedCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizedCallback")
            .field("code", &"[redacted]")
            .field("scope", &self.scope)
            .field("state_outcome", &self.state_outcome)
            .field("provider", &self.provider)
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
    match flow {
        Flow::AppsOAuth | Flow::ConnectOAuth => {}
        Flow::InstallLink => {
            return Err(Error::InvalidArgument {
                what: "flow",
                reason: "use verify_install_callback for install links",
            })
        }
        Flow::AccountLink => {
            return Err(Error::InvalidArgument {
                what: "flow",
                reason: "use verify_account_link_callback for Account Link returns",
            })
        }
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
        provider: if flow == Flow::AppsOAuth { OAuthProvider::Apps } else { OAuthProvider::Connect },
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
