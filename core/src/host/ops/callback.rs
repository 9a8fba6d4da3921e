//! The redirects back from Stripe, and the install payload they are signed over.

use super::signature::{secrets, tolerance};
use super::state::{flow, state_keys};
use super::{Call, Op, Param};
use crate::callback::{CallbackDenial, InstallCallback, InstallVerifyOptions, OAuthCallback};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name, Options};
use crate::json::StateField;
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
    ],
};

pub(crate) const AUTHORIZED: Kind = Kind {
    tag: Some("authorized"),
    name: "Authorized",
    fields: &[
        field!(outcome: Tag),
        field!(code: Str, credential),
        field!(scope: Str, nullable),
        field!(state_outcome, stateOutcome: Str),
        field!(state_nonce, stateNonce: Str, nullable),
        field!(state_data, stateData: Str, nullable),
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

fn state_fields(o: &StateOutcome) -> [Out; 3] {
    match o.signed() {
        Some(v) => [Out::str(o.name()), Out::Str(v.nonce()), Out::opt_str(v.data())],
        None => [Out::str(o.name()), Out::Null, Out::Null],
    }
}

const QUERY: Name = name!(query);
const EXPECTED_STATE: Name = name!(expected_state, expectedState);
const STATE_KEYS: Name = name!(state_keys, stateKeys);
const SESSION_ID: Name = name!(session_id, sessionId);
const ALLOW_STATELESS: Name = name!(allow_stateless, allowStateless);

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
     time window, then state. Say how to check state: exactly one of expectedState, stateKeys with \
     sessionId, or allowStateless: true.",
    &[
        Param::arg(QUERY),
        Param::options(
            name!(options),
            &[name!(secrets), name!(now), name!(tolerance), EXPECTED_STATE, STATE_KEYS, SESSION_ID, ALLOW_STATELESS],
        ),
    ],
    &[&INSTALLED, &DENIED],
    |c| {
        let o = c.options(1)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        let state = state_check(c, &o, &keys)?;
        let secrets = secrets(&c.r, o.get(&name!(secrets)))?;
        let opts = InstallVerifyOptions {
            secrets: &secrets,
            now: c.now(o.get(&name!(now)))?,
            tolerance: tolerance(&c.r, o.get(&name!(tolerance)))?,
            state,
        };
        Ok(match crate::callback::verify_install_callback(query(c)?, &opts)? {
            InstallCallback::Denied(d) => denied(&d),
            InstallCallback::Installed(i) => {
                let [outcome, nonce, data] = state_fields(i.state_outcome());
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
                    ],
                )
            }
        })
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
            &[name!(flow), name!(now), EXPECTED_STATE, STATE_KEYS, SESSION_ID, ALLOW_STATELESS],
        ),
    ],
    &[&AUTHORIZED, &DENIED],
    |c| {
        let o = c.options(1)?;
        let keys = state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?;
        let state = state_check(c, &o, &keys)?;
        let flow = flow(c, o.get(&name!(flow)))?;
        Ok(match crate::callback::verify_oauth_callback(query(c)?, flow, &state, c.now(o.get(&name!(now)))?)? {
            OAuthCallback::Denied(d) => denied(&d),
            OAuthCallback::Authorized(a) => {
                let [outcome, nonce, data] = state_fields(a.state_outcome());
                Out::Record(
                    &AUTHORIZED,
                    vec![Out::str("authorized"), Out::str(a.code()), Out::opt_str(a.scope()), outcome, nonce, data],
                )
            }
        })
    },
);
