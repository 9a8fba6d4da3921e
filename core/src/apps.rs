//! Every way a Stripe Apps install reaches the platform, told apart by the app's configuration
//! (never by the query): install-link apps sign the redirect (`install_signature`), OAuth-type
//! apps (`stripe_api_access_type: oauth`) send a `code` with `user_id`, `account_id` and
//! `stripe_user_id`; either may arrive without a `state` (a Marketplace install). And the
//! other use of the app's secret: UI extension signatures (PROTOCOL §8, decisions in §9).

use core::fmt;

use crate::callback::{
    check_install_options, verify_install_callback, CallbackDenial, InstallCallback, InstallVerifyOptions, Marketplace,
    MarketplaceInstall, Params, VerifiedInstall,
};
use crate::error::{Error, Result};
use crate::ids::{ACCOUNT_ID, CALLBACK_ID};
use crate::json::{install_payload, StateField};
use crate::oauth::{HttpRequest, OAuthProvider, RequestOptions, SecretKey};
use crate::signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier, Window};
use crate::state::{Flow, StateCheck, StateOutcome};

/// How the app gets API access, from its manifest's `stripe_api_access_type`.
///
/// ```
/// use stripe_handshake::install::AppAccess;
/// assert_eq!(AppAccess::from_manifest_value(Some("oauth")).unwrap(), AppAccess::OAuth);
/// assert_eq!(AppAccess::from_manifest_value(None).unwrap(), AppAccess::InstallLink);
/// assert_eq!(AppAccess::from_manifest_value(Some("restricted_api_key")).unwrap_err().code(), "invalid_argument");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppAccess {
    /// Install links: the redirect carries `install_signature` (the default access type,
    /// `platform`).
    InstallLink,
    /// `stripe_api_access_type: oauth`: the redirect carries a `code` to exchange at
    /// `api.stripe.com/v1/oauth/token`, and no signature.
    OAuth,
}

impl AppAccess {
    /// Parses `"install_link"` or `"oauth"`.
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "install_link" => Ok(Self::InstallLink),
            "oauth" => Ok(Self::OAuth),
            _ => Err(Error::InvalidArgument { what: "access_type", reason: "use install_link or oauth" }),
        }
    }

    /// The access type a manifest's `stripe_api_access_type` names: absent or `platform` is
    /// an install-link app, `oauth` an OAuth app.
    ///
    /// # Errors
    /// `invalid_argument` for other values (such apps have no install redirect to verify).
    pub fn from_manifest_value(value: Option<&str>) -> Result<Self> {
        match value {
            None | Some("platform") => Ok(Self::InstallLink),
            Some("oauth") => Ok(Self::OAuth),
            Some(_) => Err(Error::InvalidArgument {
                what: "stripe_api_access_type",
                reason: "only platform (install links) and oauth apps redirect to you after an install",
            }),
        }
    }

    /// `"install_link"` or `"oauth"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InstallLink => "install_link",
            Self::OAuth => "oauth",
        }
    }
}

/// What a Stripe Apps callback check needs besides the query.
#[derive(Clone, Debug)]
pub struct AppCallbackOptions<'a> {
    /// The app's access type: decides which checks run.
    pub access: AppAccess,
    /// The app's signing secrets (`absec_…`): needed for install links, unused for OAuth.
    pub secrets: &'a [SigningSecret],
    /// Current Unix time in seconds.
    pub now: u64,
    /// The window for `install_signature`.
    pub tolerance: Tolerance,
    /// How a `state` must be checked (as for [`verify_install_callback`]).
    pub state: StateCheck<'a>,
    /// What to do with a callback that carries no state.
    pub marketplace: Marketplace,
}

/// An OAuth-type app's authorization: a code for this account, from this Stripe user.
#[derive(Clone, PartialEq, Eq)]
pub struct AppAuthorization {
    code: String,
    user_id: String,
    account_id: String,
    state_outcome: Option<StateOutcome>,
    code_expires_at: u64,
}

impl AppAuthorization {
    /// The one-time code. A credential: never log it; exchange it once, with
    /// [`Self::exchange_request`].
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
    /// The Stripe user who installed (`usr_…`).
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The account that installed (`acct_…`; `stripe_user_id` says the same).
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The code's one-time id ([`crate::one_time::code_id`]): a Marketplace authorization has no
    /// state to consume, so keep this (namespace [`crate::one_time::CODE`]) until
    /// [`Self::code_expires_at`] and refuse the callback when it is already there: a reload must
    /// never exchange the code twice.
    #[must_use]
    pub fn code_id(&self) -> String {
        crate::one_time::code_id(&self.code)
    }
    /// When Stripe stops accepting the code ([`crate::one_time::CODE_LIFETIME_SECS`] after the
    /// callback was checked).
    #[must_use]
    pub fn code_expires_at(&self) -> u64 {
        self.code_expires_at
    }
    /// What the state check established; `None` for a Marketplace install.
    #[must_use]
    pub fn state_outcome(&self) -> Option<&StateOutcome> {
        self.state_outcome.as_ref()
    }
    /// Always [`OAuthProvider::Apps`]: the code is exchanged at `api.stripe.com`.
    #[must_use]
    pub fn provider(&self) -> OAuthProvider {
        OAuthProvider::Apps
    }
    /// The code exchange at the Stripe Apps token endpoint.
    ///
    /// # Errors
    /// As [`crate::oauth::code_exchange_request`].
    pub fn exchange_request(&self, key: &SecretKey, opts: &RequestOptions<'_>) -> Result<HttpRequest> {
        crate::oauth::code_exchange_request(OAuthProvider::Apps, key, &self.code, opts)
    }
}

impl fmt::Debug for AppAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuthorization")
            .field("code", &"[redacted]")
            .field("user_id", &self.user_id)
            .field("account_id", &self.account_id)
            .field("state_outcome", &self.state_outcome)
            .finish()
    }
}

/// The outcome of a Stripe Apps callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppCallback {
    /// An install-link app was installed from your link: signature and state verified.
    Installed(VerifiedInstall),
    /// An install-link app was installed without a state (the Marketplace), accepted.
    MarketplaceInstall(MarketplaceInstall),
    /// An OAuth app was authorized from your link: state verified; exchange the code.
    Authorized(AppAuthorization),
    /// An OAuth app was authorized without a state (the Marketplace), accepted.
    MarketplaceAuthorized(AppAuthorization),
    /// The user cancelled.
    Denied(CallbackDenial),
}

const OAUTH_APP_PARAMS: &[&str] =
    &["code", "user_id", "account_id", "stripe_user_id", "state", "error", "error_description"];

/// Verifies any Stripe Apps callback by the app's access type (from its manifest, never from
/// the query): install-link apps by [`verify_install_callback`]; OAuth apps by their `code`,
/// `user_id`, `account_id` (and `stripe_user_id`, which must name the same account) and the
/// state. A callback without a state is refused unless `marketplace` accepts it, and then
/// comes back as a `Marketplace…` case.
///
/// ```
/// use stripe_handshake::{Tolerance, install::{verify_app_callback, AppAccess, AppCallback, AppCallbackOptions, Marketplace}, state::StateCheck};
/// let opts = AppCallbackOptions { access: AppAccess::OAuth, secrets: &[], now: 0, tolerance: Tolerance::default(),
///     state: StateCheck::Plain { expected: "st" }, marketplace: Marketplace::Refuse };
/// let q = "code=ac_1&user_id=usr_1&account_id=acct_1&stripe_user_id=acct_1&state=st";
/// let AppCallback::Authorized(a) = verify_app_callback(q, &opts).unwrap() else { unreachable!() };
/// assert_eq!((a.code(), a.user_id(), a.account_id()), ("ac_1", "usr_1", "acct_1"));
/// // Reject twins: no state (a code someone else started), and another account in stripe_user_id.
/// assert_eq!(verify_app_callback("code=ac_1&user_id=usr_1&account_id=acct_1", &opts).unwrap_err().code(), "state_missing");
/// assert_eq!(verify_app_callback(&q.replace("stripe_user_id=acct_1", "stripe_user_id=acct_2"), &opts).unwrap_err().code(), "malformed_query");
/// ```
///
/// # Errors
/// As [`verify_install_callback`] for install links; for OAuth apps, query errors,
/// `missing_parameter` (`code`, `user_id`, `account_id`), `malformed_query`, every state error.
pub fn verify_app_callback(query: &str, opts: &AppCallbackOptions<'_>) -> Result<AppCallback> {
    match opts.access {
        AppAccess::InstallLink => {
            let install = InstallVerifyOptions {
                secrets: opts.secrets,
                now: opts.now,
                tolerance: opts.tolerance,
                state: opts.state.clone(),
                marketplace: opts.marketplace,
            };
            Ok(match verify_install_callback(query, &install)? {
                InstallCallback::Installed(i) => AppCallback::Installed(i),
                InstallCallback::Marketplace(m) => AppCallback::MarketplaceInstall(m),
                InstallCallback::Denied(d) => AppCallback::Denied(d),
            })
        }
        AppAccess::OAuth => verify_oauth_app_callback(query, opts),
    }
}

fn verify_oauth_app_callback(query: &str, opts: &AppCallbackOptions<'_>) -> Result<AppCallback> {
    check_install_options(&opts.state, opts.marketplace)?;
    let p = Params::parse(query, OAUTH_APP_PARAMS)?;
    if let Some(denial) = CallbackDenial::from_params(&p) {
        return Ok(AppCallback::Denied(denial));
    }
    let code = p.require_id("code", CALLBACK_ID)?;
    let user_id = p.require_id("user_id", CALLBACK_ID)?;
    let account_id = p.require_id("account_id", ACCOUNT_ID)?;
    if let Some(stripe_user_id) = p.get("stripe_user_id") {
        if stripe_user_id != account_id {
            return Err(Error::MalformedQuery { reason: "stripe_user_id and account_id name different accounts" });
        }
    }
    let authorization = |state_outcome| AppAuthorization {
        code: code.to_owned(),
        user_id: user_id.to_owned(),
        account_id: account_id.to_owned(),
        state_outcome,
        code_expires_at: opts.now.saturating_add(crate::one_time::CODE_LIFETIME_SECS),
    };
    match p.get("state") {
        Some(state) if !state.is_empty() => {
            let outcome = opts.state.run(Some(state), Flow::AppsOAuth, opts.now)?;
            Ok(AppCallback::Authorized(authorization(Some(outcome))))
        }
        _ => match opts.marketplace {
            Marketplace::Refuse => Err(Error::StateMissing),
            Marketplace::Accept | Marketplace::AcceptUiExtensionForm => {
                Ok(AppCallback::MarketplaceAuthorized(authorization(None)))
            }
        },
    }
}

/// A request from one of your app's UI extensions whose signature verified: this Stripe user
/// of this account made it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, install::{install_payload, StateField, verify_ui_extension_signature}, testing::sign_header};
/// let s = SigningSecret::new("absec_x").unwrap();
/// let header = sign_header(install_payload(StateField::Omitted, "usr_1", "acct_1").as_bytes(), &s, 50).unwrap();
/// let c = verify_ui_extension_signature(&header, "usr_1", "acct_1", &[s.clone()], 60, Tolerance::default()).unwrap();
/// assert_eq!((c.user_id(), c.account_id(), c.signature().timestamp()), ("usr_1", "acct_1", 50));
/// // Reject twins: another account under the same signature; an install redirect's signature.
/// assert_eq!(verify_ui_extension_signature(&header, "usr_1", "acct_2", &[s.clone()], 60, Tolerance::default()).unwrap_err().code(), "signature_mismatch");
/// let install = sign_header(install_payload(StateField::Value("st"), "usr_1", "acct_1").as_bytes(), &s, 50).unwrap();
/// assert_eq!(verify_ui_extension_signature(&install, "usr_1", "acct_1", &[s], 60, Tolerance::default()).unwrap_err().code(), "signature_mismatch");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiExtensionCaller {
    user_id: String,
    account_id: String,
    signature: VerifiedSignature,
}

impl UiExtensionCaller {
    /// The Stripe user (`usr_…`).
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The account (`acct_…`) whose Dashboard the extension runs in.
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The verified signature.
    #[must_use]
    pub fn signature(&self) -> &VerifiedSignature {
        &self.signature
    }
}

/// Verifies the signature a UI extension sends with `fetchStripeSignature()`: a
/// `Stripe-Signature`-style header over `JSON.stringify({user_id, account_id})` with the app's
/// `absec_…` secret. The same secret signs install redirects, so this is the one function
/// that accepts that payload (installs without a state refuse it by default).
///
/// # Errors
/// Every signature error; `invalid_argument` when `user_id` or `account_id` is not an id.
pub fn verify_ui_extension_signature(
    header: &str,
    user_id: &str,
    account_id: &str,
    secrets: &[SigningSecret],
    now: u64,
    tolerance: Tolerance,
) -> Result<UiExtensionCaller> {
    CALLBACK_ID.check_as(user_id, "user_id")?;
    ACCOUNT_ID.check_as(account_id, "account_id")?;
    let payload = install_payload(StateField::Omitted, user_id, account_id);
    let signature =
        Verifier::new(secrets, tolerance)?.verify_candidates(&[payload.as_bytes()], header, Window::At(now))?;
    Ok(UiExtensionCaller { user_id: user_id.to_owned(), account_id: account_id.to_owned(), signature })
}
