//! Account Links (sans-I/O): the request with a signed state in its URLs, the answer, the
//! return, and the account retrieval that must follow a return.

use super::callback::{one_time_mode, REPLAY, STATE_ENTRY, STORE};
use super::oauth::{api_request, request, status, API_REQUEST, HTTP_REQUEST};
use super::state::{entropy, state_keys};
use super::{Call, Op, Param};
use crate::account_links::{
    AccountLinkParams, AccountLinkReturn, AccountLinkState, AccountLinkType, CollectFields, FutureRequirements,
};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name};
use crate::oauth::{RequestOptions, SecretKey};
use crate::state::LinkMode;

pub(crate) const ACCOUNT_LINK: Kind = Kind {
    tag: None,
    name: "AccountLink",
    // The URL is a single-use bearer link to the account's onboarding: never printed.
    fields: &[field!(url: Str, credential), field!(created: Int), field!(expires_at, expiresAt: Int)],
};

pub(crate) const ACCOUNT_LINK_CALLBACK: Kind = Kind {
    tag: None,
    name: "AccountLinkCallback",
    fields: &[
        field!(kind: Str),
        field!(account_id, accountId: Str),
        field!(next_step, nextStep: Str),
        field!(state_nonce, stateNonce: Str),
        field!(state_expires_at, stateExpiresAt: Int),
        field!(state_mode, stateMode: Str, nullable),
    ],
};

const SECRET_KEY: Name = name!(secret_key, secretKey);
const ACCOUNT: Name = name!(account);
const TYPE: Name = name!(type);
const RETURN_URL: Name = name!(return_url, returnUrl);
const REFRESH_URL: Name = name!(refresh_url, refreshUrl);
const FIELDS: Name = name!(collection_fields, collectionFields);
const FUTURE: Name = name!(future_requirements, futureRequirements);
const STATE_KEYS: Name = name!(state_keys, stateKeys);
const SESSION_ID: Name = name!(session_id, sessionId);
const MODE: Name = name!(mode);
const NOW: Name = name!(now);
const NONCE: Name = name!(nonce);
const EXPECTED_MODE: Name = name!(expected_mode, expectedMode);
const BASE_URL: Name = name!(base_url, baseUrl);
const API_VERSION: Name = name!(api_version, apiVersion);
const KIND: Name = name!(kind);

fn required_keys<'o>(c: &Call<'_, '_>, o: &crate::host::Options<'o, '_>) -> Result<crate::state::StateKeys> {
    state_keys(c, o.get(&STATE_KEYS), &STATE_KEYS)?.ok_or_else(|| Error::InvalidArgument {
        what: STATE_KEYS.spelled(c.r.spelling),
        reason: "it is required: Account Link returns carry no signature, so the state is their only check",
    })
}

pub(crate) const ACCOUNT_LINK_REQUEST: Op = Op::new(
    name!(account_link_request, accountLinkRequest),
    "Builds `POST /v1/account_links`; returnUrl and refreshUrl (allow-list entries) each get a signed state \
     for this session and account (flow account_link, 24 h). Send it, then parseAccountLinkResponse.",
    &[
        Param::options(
            name!(params),
            &[
                SECRET_KEY,
                ACCOUNT,
                TYPE,
                RETURN_URL,
                REFRESH_URL,
                FIELDS,
                FUTURE,
                STATE_KEYS,
                SESSION_ID,
                MODE,
                NOW,
                NONCE,
                EXPECTED_MODE,
                BASE_URL,
            ],
        ),
        Param::allow_list(),
    ],
    &[&HTTP_REQUEST],
    |c| {
        let o = c.options(0)?;
        let key = SecretKey::parse(c.r.str(o.get(&SECRET_KEY), &SECRET_KEY)?)?;
        let keys = required_keys(c, &o)?;
        let nonce = match entropy(c, o.get(&NONCE), &NONCE)? {
            Some(n) => n,
            None => c.env.random()?,
        };
        let p = AccountLinkParams {
            account: c.r.str(o.get(&ACCOUNT), &ACCOUNT)?,
            link_type: c
                .r
                .opt_str(o.get(&TYPE), &TYPE)?
                .map_or(Ok(AccountLinkType::Onboarding), AccountLinkType::parse)?,
            return_url: c.r.str(o.get(&RETURN_URL), &RETURN_URL)?,
            refresh_url: c.r.str(o.get(&REFRESH_URL), &REFRESH_URL)?,
            collect: c.r.opt_str(o.get(&FIELDS), &FIELDS)?.map(CollectFields::parse).transpose()?,
            future_requirements: c.r.opt_str(o.get(&FUTURE), &FUTURE)?.map(FutureRequirements::parse).transpose()?,
        };
        let state = AccountLinkState {
            keys: &keys,
            session_id: c.r.data(o.get(&SESSION_ID), &SESSION_ID)?,
            now: c.now(o.get(&NOW))?,
            nonce: &nonce,
            mode: c.link_mode(o.get(&MODE), &MODE)?,
        };
        let opts = RequestOptions {
            expected_mode: c.link_mode(o.get(&EXPECTED_MODE), &EXPECTED_MODE)?.map(LinkMode::key_mode),
            base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?,
        };
        request(crate::account_links::account_link_request(&key, &p, &state, c.allow_list(1)?, &opts)?)
    },
);

pub(crate) const PARSE_ACCOUNT_LINK_RESPONSE: Op = Op::new(
    name!(parse_account_link_response, parseAccountLinkResponse),
    "Reads the answer to accountLinkRequest (status and raw body): the link's url and expiresAt.",
    &[Param::arg(name!(status)), Param::arg(name!(body))],
    &[&ACCOUNT_LINK],
    |c| {
        let l = crate::account_links::parse_account_link_response(status(c)?, c.r.body(c.arg(1), &name!(body))?)?;
        Ok(Out::Record(&ACCOUNT_LINK, vec![Out::str(l.url()), Out::Int(l.created()), Out::Int(l.expires_at())]))
    },
);

pub(crate) const VERIFY_ACCOUNT_LINK_CALLBACK: Op = Op::new(
    name!(verify_account_link_callback, verifyAccountLinkCallback),
    "Checks a return to an Account Link's returnUrl or refreshUrl (kind 'return' or 'refresh'): its state must \
     be an account_link token of this session. The account comes from the token. A return proves nothing \
     about onboarding: nextStep says to retrieve the account (or, on refresh, to make a new link).",
    &[Param::arg(name!(query)), Param::options(name!(options), &[KIND, STATE_KEYS, SESSION_ID, NOW, STORE, REPLAY])],
    &[&ACCOUNT_LINK_CALLBACK],
    |c| {
        let o = c.options(1)?;
        one_time_mode(c, &o, true)?;
        let kind = AccountLinkReturn::parse(c.r.str(o.get(&KIND), &KIND)?)?;
        let keys = required_keys(c, &o)?;
        let query = c.r.opt_str(c.arg(0), &name!(query))?.unwrap_or("");
        let session = c.r.data(o.get(&SESSION_ID), &SESSION_ID)?;
        let cb = crate::account_links::verify_account_link_callback(query, kind, &keys, session, c.now(o.get(&NOW))?)?;
        let next = match cb.kind() {
            AccountLinkReturn::Returned => "retrieve_account",
            AccountLinkReturn::Refresh => "create_new_link",
        };
        Ok(Out::Record(
            &ACCOUNT_LINK_CALLBACK,
            vec![
                Out::str(cb.kind().as_str()),
                Out::str(cb.account_id()),
                Out::str(next),
                Out::Str(cb.state().nonce()),
                Out::Int(cb.state().expires_at()),
                Out::opt_str(cb.state().mode().map(LinkMode::as_str)),
            ],
        ))
    },
)
.one_time(&[STATE_ENTRY]);

pub(crate) const RETRIEVE_ACCOUNT_REQUEST: Op = Op::new(
    name!(retrieve_account_request, retrieveAccountRequest),
    "Builds `GET /v1/accounts/{id}`: after a return, read details_submitted, charges_enabled and requirements \
     instead of trusting the return. `expectedMode` (e.g. the state's mode) is checked against the key.",
    &[Param::options(name!(params), &[SECRET_KEY, ACCOUNT, EXPECTED_MODE, API_VERSION, BASE_URL])],
    &[&API_REQUEST],
    |c| {
        let o = c.options(0)?;
        let key = SecretKey::parse(c.r.str(o.get(&SECRET_KEY), &SECRET_KEY)?)?;
        let mode = c.link_mode(o.get(&EXPECTED_MODE), &EXPECTED_MODE)?.map_or(key.mode(), LinkMode::key_mode);
        let opts = crate::webhook::ApiRequestOptions {
            api_version: c.r.opt_str(o.get(&API_VERSION), &API_VERSION)?,
            base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?,
        };
        api_request(crate::account_links::retrieve_account_request(
            &key,
            c.r.str(o.get(&ACCOUNT), &ACCOUNT)?,
            mode,
            &opts,
        )?)
    },
);
