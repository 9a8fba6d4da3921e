//! OAuth requests and responses (sans-I/O): build what to send, parse what came back.

use super::{Call, Op, Param};
use crate::error::{Error, Result};
use crate::host::out::{field, literal_field, optional_header, Field, Kind, Out};
use crate::host::value::{name, Name};
use crate::oauth::{
    AppsTokenExpiry, HttpRequest, Mode, OAuthProvider, RequestOptions, SecretKey, DEFAULT_REFRESH_MARGIN_SECS,
};

/// The headers of every request, in the order they are sent; `Authorization` carries the
/// secret key.
pub(crate) const HTTP_HEADERS: Kind = Kind {
    tag: None,
    name: "HttpHeaders",
    fields: &[literal_field("Authorization", true), literal_field("Content-Type", false)],
};

/// A request for the host's HTTP client. The body carries the code or the refresh token.
pub(crate) const HTTP_REQUEST: Kind = Kind {
    tag: None,
    name: "HttpRequest",
    fields: &[
        field!(method: Str),
        field!(url: Str),
        Field { nested: Some(&HTTP_HEADERS), ..field!(headers: Record) },
        field!(body: Str, credential),
    ],
};

/// The headers of an API `GET` (fetching an event or its related object): `Authorization`
/// carries the secret key; the other two are left out when they do not apply.
pub(crate) const API_HEADERS: Kind = Kind {
    tag: None,
    name: "ApiHeaders",
    fields: &[
        literal_field("Authorization", true),
        optional_header("Stripe-Context"),
        optional_header("Stripe-Version"),
    ],
};

/// An API `GET` for the host's HTTP client.
pub(crate) const API_REQUEST: Kind = Kind {
    tag: None,
    name: "ApiRequest",
    fields: &[field!(method: Str), field!(url: Str), Field { nested: Some(&API_HEADERS), ..field!(headers: Record) }],
};

/// The API request as a record; its headers in [`API_HEADERS`] order, absent ones `Null`.
pub(crate) fn api_request(r: crate::webhook::ApiRequest) -> Result<Out> {
    let mut headers = vec![Out::Null; API_HEADERS.fields.len()];
    for (k, v) in r.headers {
        let i = API_HEADERS
            .fields
            .iter()
            .position(|f| f.name.snake == k)
            .ok_or(Error::Internal { what: "request header" })?;
        if let Some(slot) = headers.get_mut(i) {
            *slot = Out::Str(v);
        }
    }
    if headers.first() == Some(&Out::Null) {
        return Err(Error::Internal { what: "request without Authorization" });
    }
    Ok(Out::Record(&API_REQUEST, vec![Out::str(r.method), Out::Str(r.url), Out::Record(&API_HEADERS, headers)]))
}

pub(crate) const SECRET_KEY_INFO: Kind = Kind { tag: None, name: "SecretKeyInfo", fields: &[field!(mode: Str)] };

pub(crate) const TOKEN_RESPONSE: Kind = Kind {
    tag: None,
    name: "TokenResponse",
    fields: &[
        field!(access_token, accessToken: Str, credential),
        field!(refresh_token, refreshToken: Str, credential, nullable),
        field!(scope: Str, nullable),
        field!(livemode: Bool, nullable),
        field!(token_type, tokenType: Str),
        field!(stripe_user_id, stripeUserId: Str),
        field!(stripe_publishable_key, stripePublishableKey: Str, nullable),
    ],
};

pub(crate) const TOKEN_EXPIRY: Kind = Kind {
    tag: None,
    name: "TokenExpiry",
    fields: &[
        field!(access_expires_at, accessExpiresAt: Int),
        field!(refresh_expires_at, refreshExpiresAt: Int),
        field!(needs_refresh, needsRefresh: Bool),
        field!(refresh_expired, refreshExpired: Bool),
    ],
};

/// The request as a record; its headers in [`HTTP_HEADERS`] order, exactly those.
pub(crate) fn request(r: HttpRequest) -> Result<Out> {
    let mut headers = Vec::with_capacity(HTTP_HEADERS.fields.len());
    if r.headers.len() != HTTP_HEADERS.fields.len() {
        return Err(Error::Internal { what: "request headers" });
    }
    for (f, (k, v)) in HTTP_HEADERS.fields.iter().zip(r.headers) {
        if f.name.snake != k {
            return Err(Error::Internal { what: "request header order" });
        }
        headers.push(Out::Str(v));
    }
    Ok(Out::Record(
        &HTTP_REQUEST,
        vec![Out::str(r.method), Out::Str(r.url), Out::Record(&HTTP_HEADERS, headers), Out::Str(r.body)],
    ))
}

const PROVIDER: Name = name!(provider);
const SECRET_KEY: Name = name!(secret_key, secretKey);
const EXPECTED_MODE: Name = name!(expected_mode, expectedMode);
const BASE_URL: Name = name!(base_url, baseUrl);

fn prepared<'o>(c: &Call<'o, '_>, o: &crate::host::Options<'o, '_>) -> Result<(SecretKey, RequestOptions<'o>)> {
    // 'live', 'test', or 'sandbox' (whose keys are sk_test_): what a state token's mode says.
    let expected_mode = c.link_mode(o.get(&EXPECTED_MODE), &EXPECTED_MODE)?.map(crate::state::LinkMode::key_mode);
    let key = SecretKey::parse(c.r.str(o.get(&SECRET_KEY), &SECRET_KEY)?)?;
    Ok((key, RequestOptions { expected_mode, base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)? }))
}

fn provider(c: &Call<'_, '_>, o: &crate::host::Options<'_, '_>) -> Result<OAuthProvider> {
    OAuthProvider::parse(c.r.str(o.get(&PROVIDER), &PROVIDER)?)
}

const AUTHORIZATION: Name = name!(authorization);
const CODE: Name = name!(code);

pub(crate) const CODE_EXCHANGE_REQUEST: Op = Op::new(
    name!(code_exchange_request, codeExchangeRequest),
    "Builds the code-exchange request. Send it once: never retry a code exchange. Pass `authorization` (the \
     authorized result of a callback check: its code, the token endpoint it belongs to, and its state's mode) \
     rather than `provider` and `code`.",
    &[Param::options(name!(params), &[AUTHORIZATION, PROVIDER, SECRET_KEY, CODE, EXPECTED_MODE, BASE_URL])],
    &[&HTTP_REQUEST],
    |c| {
        let o = c.options(0)?;
        let (key, mut opts) = prepared(c, &o)?;
        let (provider, code) = match o.get(&AUTHORIZATION) {
            crate::host::Value::Absent => (provider(c, &o)?, c.r.str(o.get(&CODE), &CODE)?),
            v => {
                // The code remembers where it came from: an Apps code never goes to Connect.
                if !matches!(o.get(&PROVIDER), crate::host::Value::Absent)
                    || !matches!(o.get(&CODE), crate::host::Value::Absent)
                {
                    return Err(Error::InvalidArgument {
                        what: AUTHORIZATION.spelled(c.r.spelling),
                        reason: "it carries the code and its provider: do not pass provider or code with it",
                    });
                }
                let a = c.r.record(v, &AUTHORIZATION)?;
                let outcome = c.r.str(a.get(&name!(outcome)), &AUTHORIZATION)?;
                if outcome != "authorized" && outcome != "marketplace_authorized" {
                    return Err(Error::InvalidArgument {
                        what: AUTHORIZATION.spelled(c.r.spelling),
                        reason: "it must be an authorized callback result (outcome authorized)",
                    });
                }
                let provider = OAuthProvider::parse(c.r.str(a.get(&PROVIDER), &AUTHORIZATION)?)?;
                if opts.expected_mode.is_none() {
                    let state_mode = c.link_mode(a.get(&name!(state_mode, stateMode)), &AUTHORIZATION)?;
                    opts.expected_mode = state_mode.map(crate::state::LinkMode::key_mode);
                }
                (provider, c.r.str(a.get(&CODE), &AUTHORIZATION)?)
            }
        };
        request(crate::oauth::code_exchange_request(provider, &key, code, &opts)?)
    },
);

pub(crate) const REFRESH_REQUEST: Op = Op::new(
    name!(refresh_request, refreshRequest),
    "Builds a refresh request (Stripe Apps refresh tokens roll: store the new one).",
    &[Param::options(
        name!(params),
        &[PROVIDER, SECRET_KEY, name!(refresh_token, refreshToken), name!(scope), EXPECTED_MODE, BASE_URL],
    )],
    &[&HTTP_REQUEST],
    |c| {
        let o = c.options(0)?;
        let (key, opts) = prepared(c, &o)?;
        let token = c.r.str(o.get(&name!(refresh_token, refreshToken)), &name!(refresh_token, refreshToken))?;
        let scope = c.r.opt_str(o.get(&name!(scope)), &name!(scope))?.map(crate::links::Scope::parse).transpose()?;
        request(crate::oauth::refresh_request(provider(c, &o)?, &key, token, scope, &opts)?)
    },
);

pub(crate) const DEAUTHORIZE_REQUEST: Op = Op::new(
    name!(deauthorize_request, deauthorizeRequest),
    "Builds a Connect deauthorize request.",
    &[Param::options(
        name!(params),
        &[SECRET_KEY, name!(client_id, clientId), name!(stripe_user_id, stripeUserId), EXPECTED_MODE, BASE_URL],
    )],
    &[&HTTP_REQUEST],
    |c| {
        let o = c.options(0)?;
        let (key, opts) = prepared(c, &o)?;
        let client = c.r.str(o.get(&name!(client_id, clientId)), &name!(client_id, clientId))?;
        let user = c.r.str(o.get(&name!(stripe_user_id, stripeUserId)), &name!(stripe_user_id, stripeUserId))?;
        request(crate::oauth::deauthorize_request(&key, client, user, &opts)?)
    },
);

const LIVEMODE: Name = name!(livemode);
const CONTEXT: Name = name!(context);
const API_VERSION: Name = name!(api_version, apiVersion);

/// `{ secretKey, livemode, context, apiVersion, baseUrl }` of the notification fetches.
fn api_options<'o>(
    c: &Call<'o, '_>,
    o: &crate::host::Options<'o, '_>,
) -> Result<(SecretKey, Mode, Option<&'o str>, crate::webhook::ApiRequestOptions<'o>)> {
    let key = SecretKey::parse(c.r.str(o.get(&SECRET_KEY), &SECRET_KEY)?)?;
    let mode = if c.r.bool(o.get(&LIVEMODE), &LIVEMODE)? { Mode::Live } else { Mode::Test };
    let context = c.r.opt_str(o.get(&CONTEXT), &CONTEXT)?;
    let opts = crate::webhook::ApiRequestOptions {
        api_version: c.r.opt_str(o.get(&API_VERSION), &API_VERSION)?,
        base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?,
    };
    Ok((key, mode, context, opts))
}

pub(crate) const FETCH_EVENT_REQUEST: Op = Op::new(
    name!(fetch_event_request, fetchEventRequest),
    "Builds `GET /v2/core/events/{id}` for an event notification: pass its `id`, `livemode` and `context`.",
    &[Param::options(name!(params), &[SECRET_KEY, name!(event_id, eventId), LIVEMODE, CONTEXT, API_VERSION, BASE_URL])],
    &[&API_REQUEST],
    |c| {
        let o = c.options(0)?;
        let (key, mode, context, opts) = api_options(c, &o)?;
        let id = c.r.str(o.get(&name!(event_id, eventId)), &name!(event_id, eventId))?;
        api_request(crate::webhook::fetch_event_request(&key, id, context, mode, &opts)?)
    },
);

pub(crate) const FETCH_RELATED_OBJECT_REQUEST: Op = Op::new(
    name!(fetch_related_object_request, fetchRelatedObjectRequest),
    "Builds the `GET` of an event notification's `related_object.url`: pass it with the notification's `livemode` and `context`.",
    &[Param::options(name!(params), &[SECRET_KEY, name!(url), LIVEMODE, CONTEXT, API_VERSION, BASE_URL])],
    &[&API_REQUEST],
    |c| {
        let o = c.options(0)?;
        let (key, mode, context, opts) = api_options(c, &o)?;
        let url = c.r.str(o.get(&name!(url)), &name!(url))?;
        api_request(crate::webhook::fetch_related_object_request(&key, url, context, mode, &opts)?)
    },
);

pub(crate) const PARSE_SECRET_KEY: Op = Op::new(
    name!(parse_secret_key, parseSecretKey),
    "Checks that `key` is a secret key (sk_live_… / sk_test_…) and reads its mode.",
    &[Param::arg(name!(key))],
    &[&SECRET_KEY_INFO],
    |c| Ok(Out::Record(&SECRET_KEY_INFO, vec![Out::str(SecretKey::parse(c.str(0)?)?.mode().as_str())])),
);

const STATUS: Name = name!(status);
const BODY: Name = name!(body);

pub(crate) fn status(c: &Call<'_, '_>) -> Result<u16> {
    let s = c.r.uint(c.arg(0), &STATUS, u64::from(u16::MAX))?;
    u16::try_from(s).map_err(|_| Error::Internal { what: "status" })
}

pub(crate) const PARSE_TOKEN_RESPONSE: Op = Op::new(
    name!(parse_token_response, parseTokenResponse),
    "Parses the token endpoint's answer (status and raw body). The tokens are credentials.",
    &[Param::arg(STATUS), Param::arg(BODY)],
    &[&TOKEN_RESPONSE],
    |c| {
        let t = crate::oauth::parse_token_response(status(c)?, c.r.body(c.arg(1), &BODY)?)?;
        Ok(Out::Record(
            &TOKEN_RESPONSE,
            vec![
                Out::str(t.access_token()),
                Out::opt_str(t.refresh_token()),
                Out::opt_str(t.scope()),
                t.livemode().map_or(Out::Null, Out::Bool),
                Out::str(t.token_type()),
                Out::str(t.stripe_user_id()),
                Out::opt_str(t.stripe_publishable_key()),
            ],
        ))
    },
);

pub(crate) const PARSE_DEAUTHORIZE_RESPONSE: Op = Op::new(
    name!(parse_deauthorize_response, parseDeauthorizeResponse),
    "Parses the deauthorize answer; it must echo `expectedStripeUserId`. Returns nothing.",
    &[Param::arg(STATUS), Param::arg(BODY), Param::arg(name!(expected_stripe_user_id, expectedStripeUserId))],
    &[],
    |c| crate::oauth::parse_deauthorize_response(status(c)?, c.r.body(c.arg(1), &BODY)?, c.str(2)?).map(|()| Out::Unit),
);

pub(crate) const APPS_TOKEN_EXPIRY: Op = Op::new(
    name!(apps_token_expiry, appsTokenExpiry),
    "When a Stripe Apps token pair received at `issuedAt` expires, and whether to refresh now \
     (`marginSecs` defaults to 300, `now` to the clock).",
    &[
        Param::arg(name!(issued_at, issuedAt)),
        Param::options(name!(options), &[name!(now), name!(margin_secs, marginSecs)]),
    ],
    &[&TOKEN_EXPIRY],
    |c| {
        let o = c.options(1)?;
        let e = AppsTokenExpiry::from_issued_at(c.r.uint(c.arg(0), &c.name(0), u64::MAX)?);
        let now = c.now(o.get(&name!(now)))?;
        let margin =
            c.r.opt_uint(o.get(&name!(margin_secs, marginSecs)), &name!(margin_secs, marginSecs), u64::MAX)?
                .unwrap_or(DEFAULT_REFRESH_MARGIN_SECS);
        Ok(Out::Record(
            &TOKEN_EXPIRY,
            vec![
                Out::Int(e.access_expires_at()),
                Out::Int(e.refresh_expires_at()),
                Out::Bool(e.needs_refresh(now, margin)),
                Out::Bool(e.refresh_expired(now)),
            ],
        ))
    },
);
