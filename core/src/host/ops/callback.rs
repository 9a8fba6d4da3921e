//! The redirects back from Stripe, and the install payload they are signed over.

use super::signature::{secrets, tolerance};
use super::state::{flow, state_keys};
use super::{Call, OneTime, Op, Param};
use crate::apps::{AppAccess, AppAuthorization, AppCallback, AppCallbackOptions};
use crate::callback::{
    CallbackDenial, InstallCallback, InstallVerifyOptions, Marketplace, MarketplaceInstall, OAuthCallback,
    VerifiedInstall,
};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{bad, name, Name, Options};
use crate::json::StateField;
use crate::redirect::{AppManifest, RedirectAllowList, RedirectMode};
use crate::state::{StateCheck, StateKeys, StateOutcome};

pub(crate) const INSTALLED: Kind = Kind {
    tag: Some("installed"),
    name: "Installed",
    fields: &[
        field!(outcome: Tag),
        field!(user_id, userId: Str),
        field!(account_id, accountId: Str),
        field!(state: Str, credential, nullable),
        field!(livemode: Str, nullable),
        field!(timestamp: Int),
        field!(secret_index, secretIndex: Int),
        field!(state_outcome, stateOutcome: Str),
        field!(state_nonce, stateNonce: Str, nullable),
        field!(state_data, stateData: Str, nullable),
        field!(state_mode, stateMode: Str, nullable),
        field!(state_expires_at, stateExpiresAt: Int, nullable),
    ],
};

pub(crate) const MARKETPLACE_INSTALL: Kind = Kind {
    tag: Some("marketplace_install"),
    name: "MarketplaceInstall",
    fields: &[
        field!(outcome: Tag),
        field!(user_id, userId: Str),
        field!(account_id, accountId: Str),
        field!(livemode: Str, nullable),
        field!(signed_form, signedForm: Str),
        field!(timestamp: Int),
        field!(secret_index, secretIndex: Int),
    ],
};

pub(crate) const APP_AUTHORIZED: Kind = Kind {
    tag: Some("authorized"),
    name: "AppAuthorized",
    fields: &[
        field!(outcome: Tag),
        field!(code: Str, credential),
        field!(user_id, userId: Str),
        field!(account_id, accountId: Str),
        field!(provider: Str),
        field!(state_outcome, stateOutcome: Str),
        field!(state_nonce, stateNonce: Str, nullable),
        field!(state_data, stateData: Str, nullable),
        field!(state_mode, stateMode: Str, nullable),
        field!(state_expires_at, stateExpiresAt: Int, nullable),
    ],
};

pub(crate) const MARKETPLACE_AUTHORIZED: Kind = Kind {
    tag: Some("marketplace_authorized"),
    name: "MarketplaceAuthorized",
    fields: &[
        field!(outcome: Tag),
        field!(code: Str, credential),
        field!(user_id, userId: Str),
        field!(account_id, accountId: Str),
        field!(provider: Str),
        field!(code_id, codeId: Str),
        field!(code_expires_at, codeExpiresAt: Int),
    ],
};

pub(crate) const UI_EXTENSION_CALLER: Kind = Kind {
    tag: None,
    name: "UiExtensionCaller",
    fields: &[
        field!(user_id, userId: Str),
        field!(account_id, accountId: Str),
        field!(timestamp: Int),
        field!(secret_index, secretIndex: Int),
    ],
};

pub(crate) const AUTHORIZED: Kind = Kind {
    tag: Some("authorized"),
    name: "Authorized",
    fields: &[
        field!(outcome: Tag),
        field!(code: Str, credential),
        field!(scope: Str, nullable),
        field!(provider: Str),
        field!(state_outcome, stateOutcome: Str),
        field!(state_nonce, stateNonce: Str, nullable),
        field!(state_data, stateData: Str, nullable),
        field!(state_mode, stateMode: Str, nullable),
        field!(state_expires_at, stateExpiresAt: Int, nullable),
    ],
};

pub(crate) const DENIED: Kind = Kind {
    tag: Some("denied"),
    name: "Denied",
    fields: &[field!(outcome: Tag), field!(error: Str), field!(kind: Str), field!(description: Str, nullable)],
};

fn denied(d: &CallbackDenial) -> Out {
    Out::Record(
        &DENIED,
        vec![Out::str("denied"), Out::str(d.error()), Out::str(d.kind().as_str()), Out::opt_str(d.description())],
    )
}

fn state_fields(o: &StateOutcome) -> [Out; 5] {
    match o.signed() {
        Some(v) => [
            Out::str(o.name()),
            Out::Str(v.nonce()),
            Out::opt_str(v.data()),
            Out::opt_str(v.mode().map(crate::state::LinkMode::as_str)),
            Out::Int(v.expires_at()),
        ],
        None => [Out::str(o.name()), Out::Null, Out::Null, Out::Null, Out::Null],
    }
}

pub(crate) const STORE: Name = name!(store);
pub(crate) const REPLAY: Name = name!(replay);
pub(crate) const STATE_NONCE: Name = name!(state_nonce, stateNonce);
pub(crate) const STATE_EXPIRES_AT: Name = name!(state_expires_at, stateExpiresAt);
/// A state token's nonce, in the results of the callback checks.
pub(crate) const STATE_ENTRY: OneTime =
    OneTime { namespace: crate::one_time::STATE, id: STATE_NONCE, expires_at: STATE_EXPIRES_AT };
/// A Marketplace authorization's code (by its id, never the code), in `verify_app_callback`.
const CODE_ENTRY: OneTime = OneTime {
    namespace: crate::one_time::CODE,
    id: name!(code_id, codeId),
    expires_at: name!(code_expires_at, codeExpiresAt),
};

/// The one-time rule of every operation that checks signed state tokens (`tokens`): the
/// caller passes a one-time store to the package's function, which takes it out of the options,
/// calls [`crate::host::call_consuming`] and consumes the nonce before it returns the result, or
/// says `replay: 'unchecked'` (it consumes `stateNonce` itself). Neither is refused, so a reload
/// of the callback page cannot act twice by default. A `store` that reaches the core was passed
/// around the package's function: refused, since nothing would consume it.
pub(crate) fn one_time_mode(c: &Call<'_, '_>, o: &Options<'_, '_>, tokens: bool) -> Result<()> {
    one_time_mode_for(c, o, Needs { tokens, codes: false })
}

/// What a check may return that must be one-time: a state token's nonce, a Marketplace
/// authorization's code.
#[derive(Clone, Copy)]
pub(crate) struct Needs {
    tokens: bool,
    codes: bool,
}

/// [`one_time_mode`] for a check that may also return a Marketplace authorization's code.
fn one_time_mode_for(c: &Call<'_, '_>, o: &Options<'_, '_>, needs: Needs) -> Result<()> {
    let Needs { tokens, codes } = needs;
    let s = c.r.spelling;
    let unchecked = match c.r.opt_str(o.get(&REPLAY), &REPLAY)? {
        None => false,
        Some("unchecked") => true,
        Some(_) => {
            return Err(bad(&REPLAY, s, "its one value is 'unchecked' (you consume the state's nonce yourself)"))
        }
    };
    if !o.get(&STORE).is_absent() {
        return Err(bad(
            &STORE,
            s,
            "pass a one-time store (an object with consume(namespace, id, expiresAt): MemoryStore, RedisStore, \
             PostgresStore) to the package's function, which consumes the nonce",
        ));
    }
    match (tokens, c.consuming, unchecked) {
        (_, true, true) => Err(bad(&STORE, s, "give a store or replay 'unchecked', not both")),
        (false, false, false) if codes => Err(bad(
            &STORE,
            s,
            "a Marketplace authorization has no state, so its code is what a reload would send twice: pass a store \
             (MemoryStore, RedisStore, PostgresStore) and the code's id is consumed for you, or replay 'unchecked' if \
             you keep codeId yourself",
        )),
        (true, false, false) => Err(bad(
            &STORE,
            s,
            "state tokens are one-time: pass a store (MemoryStore, RedisStore, PostgresStore) and the nonce is \
             consumed for you, or replay 'unchecked' if you consume stateNonce yourself",
        )),
        (false, true, _) if !codes => Err(bad(
            &STORE,
            s,
            "a store makes state tokens one-time, and this check has no stateKeys: a plain state is one-time when \
             you delete it from the session",
        )),
        _ => Ok(()),
    }
}

const QUERY: Name = name!(query);
const EXPECTED_STATE: Name = name!(expected_state, expectedState);
const STATE_KEYS: Name = name!(state_keys, stateKeys);
const SESSION_ID: Name = name!(session_id, sessionId);
const ALLOW_STATELESS: Name = name!(allow_stateless, allowStateless);
const MARKETPLACE: Name = name!(marketplace);
const SECRETS: Name = name!(secrets);
const TOLERANCE: Name = name!(tolerance);
const NOW: Name = name!(now);
const ACCESS_TYPE: Name = name!(access_type, accessType);

/// The state check of the Stripe Apps callbacks: exactly one of an expected state or state
/// keys with a session id, or neither (you start no installs: then `marketplace` must accept
/// the callbacks without state).
fn app_state_check<'o>(c: &Call<'_, '_>, o: &Options<'o, '_>, keys: &'o Option<StateKeys>) -> Result<StateCheck<'o>> {
    let expected = c.r.opt_str(o.get(&EXPECTED_STATE), &EXPECTED_STATE)?;
    let session = c.r.opt_data(o.get(&SESSION_ID), &SESSION_ID)?;
    if expected.is_none() && keys.is_none() && session.is_none() {
        return Ok(StateCheck::Stateless);
    }
    StateCheck::from_options(expected, keys.as_ref(), session, false)
}

fn marketplace(c: &Call<'_, '_>, o: &Options<'_, '_>) -> Result<Marketplace> {
    c.r.opt_str(o.get(&MARKETPLACE), &MARKETPLACE)?.map_or(Ok(Marketplace::Refuse), Marketplace::parse)
}

fn installed(i: &VerifiedInstall) -> Out {
    let [outcome, nonce, data, mode, expires] = state_fields(i.state_outcome());
    Out::Record(
        &INSTALLED,
        vec![
            Out::str("installed"),
            Out::str(i.user_id()),
            Out::str(i.account_id()),
            Out::opt_str(i.state()),
            Out::opt_str(i.livemode()),
            Out::Int(i.signature().timestamp()),
            Out::index(i.signature().secret_index()),
            outcome,
            nonce,
            data,
            mode,
            expires,
        ],
    )
}

fn marketplace_install(m: &MarketplaceInstall) -> Out {
    Out::Record(
        &MARKETPLACE_INSTALL,
        vec![
            Out::str("marketplace_install"),
            Out::str(m.user_id()),
            Out::str(m.account_id()),
            Out::opt_str(m.livemode()),
            Out::str(m.form().as_str()),
            Out::Int(m.signature().timestamp()),
            Out::index(m.signature().secret_index()),
        ],
    )
}

fn app_authorized(a: &AppAuthorization) -> Out {
    let provider = Out::str(a.provider().as_str());
    match a.state_outcome() {
        Some(o) => {
            let [outcome, nonce, data, mode, expires] = state_fields(o);
            Out::Record(
                &APP_AUTHORIZED,
                vec![
                    Out::str("authorized"),
                    Out::str(a.code()),
                    Out::str(a.user_id()),
                    Out::str(a.account_id()),
                    provider,
                    outcome,
                    nonce,
                    data,
                    mode,
                    expires,
                ],
            )
        }
        None => Out::Record(
            &MARKETPLACE_AUTHORIZED,
            vec![
                Out::str("marketplace_authorized"),
                Out::str(a.code()),
                Out::str(a.user_id()),
                Out::str(a.account_id()),
                provider,
                Out::Str(a.code_id()),
                Out::Int(a.code_expires_at()),
            ],
        ),
    }
}

/// The keys the state check reads, kept alive while the check borrows them.
fn state_check<'o>(c: &Call<'_, '_>, o: &Options<'o, '_>, keys: &'o Option<StateKeys>) -> Result<StateCheck<'o>> {
    StateCheck::from_options(
        c.r.opt_str(o.get(&EXPECTED_STATE), &EXPECTED_STATE)?,
        keys.as_ref(),
        c.r.opt_data(o.get(&SESSION_ID), &SESSION_ID)?,
        c.r.opt_bool(o.get(&ALLOW_STATELESS), &ALLOW_STATELESS)?.unwrap_or(false),
    )
}

/// The raw query string; absent is an empty query (the callback's `missing_parameter`).
fn query<'c>(c: &Call<'c, '_>) -> Result<&'c str> {
    Ok(c.r
        .opt_str(c.arg(0), &QUERY)
        .map_err(|e| match e {
            Error::InvalidArgument { what, .. } => Error::InvalidArgument {
                what,
                reason: "it must be the raw query string (url.search without the ?, or request.query_string)",
            },
            e => e,
        })?
        .unwrap_or(""))
}

pub(crate) const INSTALL_PAYLOAD: Op = Op::new(
    name!(install_payload, installPayload),
    "The exact bytes Stripe signs for an install: `JSON.stringify({state, user_id, account_id})`. \
     Without `state` the key is omitted; `nullState: true` (only without `state`) gives `\"state\":null`.",
    &[Param::options(
        name!(options),
        &[name!(state), name!(user_id, userId), name!(account_id, accountId), name!(null_state, nullState)],
    )],
    &[],
    |c| {
        let o = c.options(0)?;
        let state = c.r.opt_str(o.get(&name!(state)), &name!(state))?;
        let user = c.r.str(o.get(&name!(user_id, userId)), &name!(user_id, userId))?;
        let account = c.r.str(o.get(&name!(account_id, accountId)), &name!(account_id, accountId))?;
        let null_state = c.r.opt_bool(o.get(&name!(null_state, nullState)), &name!(null_state, nullState))?;
        let field = match (state, null_state.unwrap_or(false)) {
            (Some(_), true) => {
                return Err(Error::InvalidArgument {
                    what: name!(null_state, nullState).spelled(c.r.spelling),
                    reason: "it only applies when no state is given: pass one or the other",
                })
            }
            (Some(s), false) => StateField::Value(s),
            (None, true) => StateField::Null,
            (None, false) => StateField::Omitted,
        };
        Ok(Out::Str(crate::json::install_payload(field, user, account)))
    },
);

pub(crate) const VERIFY_INSTALL_CALLBACK: Op = Op::new(
    name!(verify_install_callback, verifyInstallCallback),
    "Verifies the redirect after an install link from its raw query string: install_signature, the \
     time window, then state (an expectedState, or stateKeys with sessionId). An install without a \
     state is refused unless marketplace is 'accept' (then it comes back as outcome \
     'marketplace_install'); 'accept_ui_extension_form' also accepts the payload UI extensions sign.",
    &[
        Param::arg(QUERY),
        Param::options(
            name!(options),
            &[SECRETS, NOW, TOLERANCE, EXPECTED_STATE, STATE_KEYS, SESSION_ID, MARKETPLACE, STORE, REPLAY],
        ),
    ],
    &[&INSTALLED, &MARKETPLACE_INSTALL, &DENIED],
    |c| {
        let o = c.options(1)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        one_time_mode(c, &o, keys.is_some())?;
        let secrets = secrets(&c.r, o.get(&SECRETS))?;
        let opts = InstallVerifyOptions {
            secrets: &secrets,
            now: c.now(o.get(&NOW))?,
            tolerance: tolerance(&c.r, o.get(&TOLERANCE))?,
            state: app_state_check(c, &o, &keys)?,
            marketplace: marketplace(c, &o)?,
        };
        Ok(match crate::callback::verify_install_callback(query(c)?, &opts)? {
            InstallCallback::Denied(d) => denied(&d),
            InstallCallback::Installed(i) => installed(&i),
            InstallCallback::Marketplace(m) => marketplace_install(&m),
        })
    },
)
.one_time(&[STATE_ENTRY]);

pub(crate) const VERIFY_APP_CALLBACK: Op = Op::new(
    name!(verify_app_callback, verifyAppCallback),
    "Verifies any Stripe Apps callback by the app's accessType ('install_link' or 'oauth', from its \
     manifest): install links by install_signature and state; OAuth apps by code, user_id, account_id \
     and state. Without a state it is refused unless marketplace accepts it.",
    &[
        Param::arg(QUERY),
        Param::options(
            name!(options),
            &[ACCESS_TYPE, SECRETS, NOW, TOLERANCE, EXPECTED_STATE, STATE_KEYS, SESSION_ID, MARKETPLACE, STORE, REPLAY],
        ),
    ],
    &[&INSTALLED, &MARKETPLACE_INSTALL, &APP_AUTHORIZED, &MARKETPLACE_AUTHORIZED, &DENIED],
    |c| {
        let o = c.options(1)?;
        let access = AppAccess::parse(c.r.str(o.get(&ACCESS_TYPE), &ACCESS_TYPE)?)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        let market = marketplace(c, &o)?;
        // An OAuth app's Marketplace authorization has no state: its code is what is one-time.
        let codes = access == AppAccess::OAuth && market != Marketplace::Refuse;
        one_time_mode_for(c, &o, Needs { tokens: keys.is_some(), codes })?;
        // OAuth apps sign nothing: their secrets are not needed.
        let secrets = match (access, o.get(&SECRETS)) {
            (AppAccess::OAuth, crate::host::Value::Absent) => Vec::new(),
            (_, v) => secrets(&c.r, v)?,
        };
        let opts = AppCallbackOptions {
            access,
            secrets: &secrets,
            now: c.now(o.get(&NOW))?,
            tolerance: tolerance(&c.r, o.get(&TOLERANCE))?,
            state: app_state_check(c, &o, &keys)?,
            marketplace: market,
        };
        Ok(match crate::apps::verify_app_callback(query(c)?, &opts)? {
            AppCallback::Denied(d) => denied(&d),
            AppCallback::Installed(i) => installed(&i),
            AppCallback::MarketplaceInstall(m) => marketplace_install(&m),
            AppCallback::Authorized(a) | AppCallback::MarketplaceAuthorized(a) => app_authorized(&a),
        })
    },
)
.one_time(&[STATE_ENTRY, CODE_ENTRY]);

const MANIFEST: Name = name!(manifest);
const REDIRECT_URIS: Name = name!(redirect_uris, redirectUris);

pub(crate) const DIAGNOSE_CALLBACK: Op = Op::new(
    name!(diagnose_callback, diagnoseCallback),
    "After a failure only: which flow a callback URL (or query) belongs to, what is missing, the state verdict \
     in words (with stateKeys and sessionId), and whether its install_signature holds (with the app's secrets). \
     With `manifest` (the stripe-app.json text) or `redirectUris` (a platform's allow-list), also whether the URL \
     it arrived at is allowed and whether it is this app's kind of callback. `verified` is whether it would pass.",
    &[
        Param::arg(QUERY),
        Param::options(name!(options), &[SECRETS, STATE_KEYS, SESSION_ID, NOW, TOLERANCE, MANIFEST, REDIRECT_URIS]),
    ],
    &[&super::signature::DIAGNOSIS],
    |c| {
        let o = c.options(1)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        let secrets = match o.get(&SECRETS) {
            crate::host::Value::Absent => Vec::new(),
            v => c.r.strings(v, &SECRETS)?,
        };
        // A diagnosis reads the allow-list leniently (loopback http allowed): it explains, it
        // does not accept.
        let manifest = match c.r.opt_str(o.get(&MANIFEST), &MANIFEST)? {
            Some(json) => Some(AppManifest::parse(json, RedirectMode::Test)?),
            None => None,
        };
        let listed = match o.get(&REDIRECT_URIS) {
            crate::host::Value::Absent => None,
            v => {
                if manifest.is_some() {
                    return Err(bad(&REDIRECT_URIS, c.r.spelling, "give a manifest or redirect URIs, not both"));
                }
                Some(RedirectAllowList::new(&c.r.strings(v, &REDIRECT_URIS)?, RedirectMode::Test)?)
            }
        };
        let access = match &manifest {
            Some(m) => Some(AppAccess::from_manifest_value(m.stripe_api_access_type())?),
            None => None,
        };
        let opts = crate::diagnose::CallbackDiagnosisOptions {
            secrets: &secrets,
            state_keys: keys.as_ref(),
            session_id: c.r.opt_data(o.get(&SESSION_ID), &SESSION_ID)?,
            now: c.now(o.get(&NOW))?,
            tolerance: tolerance(&c.r, o.get(&TOLERANCE))?,
            access,
            redirect_uris: manifest.as_ref().map(AppManifest::redirect_uris).or(listed.as_ref()),
        };
        let findings = crate::diagnose::diagnose_callback(query(c)?, &opts);
        Ok(super::signature::diagnosis(crate::diagnose::callback_passes(&findings), &findings))
    },
);

pub(crate) const VERIFY_UI_EXTENSION_SIGNATURE: Op = Op::new(
    name!(verify_ui_extension_signature, verifyUiExtensionSignature),
    "Verifies the signature a UI extension sends (fetchStripeSignature): over \
     JSON.stringify({user_id, account_id}) with the app's absec_ secret.",
    &[
        Param::arg(name!(header)),
        Param::options(
            name!(options),
            &[name!(user_id, userId), name!(account_id, accountId), SECRETS, NOW, TOLERANCE],
        ),
    ],
    &[&UI_EXTENSION_CALLER],
    |c| {
        let o = c.options(1)?;
        let header = c.r.header(c.arg(0), &name!(header))?;
        let user = c.r.str(o.get(&name!(user_id, userId)), &name!(user_id, userId))?;
        let account = c.r.str(o.get(&name!(account_id, accountId)), &name!(account_id, accountId))?;
        let secrets = secrets(&c.r, o.get(&SECRETS))?;
        let t = tolerance(&c.r, o.get(&TOLERANCE))?;
        let v = crate::apps::verify_ui_extension_signature(&header, user, account, &secrets, c.now(o.get(&NOW))?, t)?;
        Ok(Out::Record(
            &UI_EXTENSION_CALLER,
            vec![
                Out::str(v.user_id()),
                Out::str(v.account_id()),
                Out::Int(v.signature().timestamp()),
                Out::index(v.signature().secret_index()),
            ],
        ))
    },
);

pub(crate) const VERIFY_OAUTH_CALLBACK: Op = Op::new(
    name!(verify_oauth_callback, verifyOAuthCallback),
    "Parses an OAuth redirect (Stripe Apps or Connect) from its raw query string and checks its state. \
     Say how to check state as for installs.",
    &[
        Param::arg(QUERY),
        Param::options(
            name!(options),
            &[name!(flow), name!(now), EXPECTED_STATE, STATE_KEYS, SESSION_ID, ALLOW_STATELESS, STORE, REPLAY],
        ),
    ],
    &[&AUTHORIZED, &DENIED],
    |c| {
        let o = c.options(1)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        one_time_mode(c, &o, keys.is_some())?;
        let state = state_check(c, &o, &keys)?;
        let flow = flow(c, o.get(&name!(flow)))?;
        Ok(match crate::callback::verify_oauth_callback(query(c)?, flow, &state, c.now(o.get(&name!(now)))?)? {
            OAuthCallback::Denied(d) => denied(&d),
            OAuthCallback::Authorized(a) => {
                let [outcome, nonce, data, mode, expires] = state_fields(a.state_outcome());
                Out::Record(
                    &AUTHORIZED,
                    vec![
                        Out::str("authorized"),
                        Out::str(a.code()),
                        Out::opt_str(a.scope()),
                        Out::str(a.provider().as_str()),
                        outcome,
                        nonce,
                        data,
                        mode,
                        expires,
                    ],
                )
            }
        })
    },
)
.one_time(&[STATE_ENTRY]);
