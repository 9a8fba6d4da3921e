//! Redirect allow-lists, the app manifest, and the three authorize links.

use super::{Call, Op, Param, Place};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name, Reader, Spelling, Value};
use crate::links::{
    AppsOAuthLinkParams, ConnectAccountType, ConnectLinkParams, InstallLinkParams, StripeLanding, StripeUserField,
};
use crate::redirect::{AppManifest, RedirectAllowList, RedirectMode};

pub(crate) const REDIRECT_INFO_KIND: Kind = Kind {
    tag: None,
    name: "RedirectAllowListInfo",
    fields: &[field!(default_uri, defaultUri: Str), field!(entries: StrList), field!(test_mode, testMode: Bool)],
};

pub(crate) const APP_MANIFEST: Kind = Kind {
    tag: None,
    name: "AppManifest",
    fields: &[
        field!(id: Str),
        field!(stripe_api_access_type, stripeApiAccessType: Str, nullable),
        field!(distribution_type, distributionType: Str, nullable),
        field!(redirect_uris, redirectUris: StrList),
    ],
};

const TEST_MODE: Name = name!(test_mode, testMode);
const ENTRIES: Name = name!(entries);

/// `new RedirectAllowList(entries, { testMode })`.
pub const ALLOW_LIST_PARAMS: &[Param] = &[Param::arg(ENTRIES), Param::options(name!(options), &[TEST_MODE])];

fn mode(r: &Reader, v: &Value<'_>) -> Result<RedirectMode> {
    Ok(if r.opt_bool(v, &TEST_MODE)?.unwrap_or(false) { RedirectMode::Test } else { RedirectMode::Live })
}

pub(crate) fn allow_list(args: &[Value<'_>], spelling: Spelling) -> Result<RedirectAllowList> {
    let r = Reader { spelling };
    if args.len() > ALLOW_LIST_PARAMS.len() {
        return Err(Error::InvalidArgument { what: "RedirectAllowList", reason: "too many arguments" });
    }
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Absent);
    let entries = match arg(0) {
        Value::List(_) => r.strings(arg(0), &ENTRIES)?,
        _ => {
            return Err(Error::InvalidArgument {
                what: ENTRIES.spelled(spelling),
                reason: "it must be a list of redirect URI strings",
            })
        }
    };
    let o = r.options(arg(1), &name!(options), &[TEST_MODE])?;
    RedirectAllowList::new(&entries, mode(&r, o.get(&TEST_MODE))?)
}

pub(crate) const REDIRECT_CHECK: Op = Op::new(
    name!(redirect_check, redirectCheck),
    "Returns `uri` if it is byte-equal to an entry of the allow-list.",
    &[Param::allow_list(), Param::arg(name!(uri))],
    &[],
    |c| Ok(Out::str(c.allow_list(0)?.check(c.str(1)?)?)),
)
.at(Place::AllowListMethod(name!(check)));

pub(crate) const DIAGNOSE_REDIRECT_URI: Op = Op::new(
    name!(diagnose_redirect_uri, diagnoseRedirectUri),
    "After a refusal only: why `uri` is not an allow-list entry: not canonical, no entry with its host, or the \
     nearest entry (by number) and each difference (scheme, host case, port, trailing slash, path, query).",
    &[Param::arg(name!(uri)), Param::allow_list()],
    &[&super::signature::DIAGNOSIS],
    |c| {
        let findings = crate::diagnose::diagnose_redirect_uri(c.str(0)?, c.allow_list(1)?);
        Ok(super::signature::diagnosis(findings.first().is_some_and(|f| f.code() == "redirect_allowed"), &findings))
    },
);

pub(crate) const REDIRECT_INFO: Op = Op::new(
    name!(redirect_info, redirectInfo),
    "The allow-list's default (first) entry, its entries, and whether loopback http is allowed.",
    &[Param::allow_list()],
    &[&REDIRECT_INFO_KIND],
    |c| {
        let l = c.allow_list(0)?;
        Ok(Out::Record(
            &REDIRECT_INFO_KIND,
            vec![
                Out::str(l.default_uri()),
                Out::List(l.entries().iter().map(|e| Out::str(e.as_str())).collect()),
                Out::Bool(l.mode() == RedirectMode::Test),
            ],
        ))
    },
)
.at(Place::AllowListInfo);

pub(crate) const PARSE_MANIFEST: Op = Op::new(
    name!(parse_manifest, parseManifest),
    "Parses a `stripe-app.json` manifest and checks its redirect URIs.",
    &[Param::arg(name!(json)), Param::options(name!(options), &[TEST_MODE])],
    &[&APP_MANIFEST],
    |c| {
        let o = c.options(1)?;
        let m = AppManifest::parse(c.str(0)?, mode(&c.r, o.get(&TEST_MODE))?)?;
        Ok(Out::Record(
            &APP_MANIFEST,
            vec![
                Out::str(m.id()),
                Out::opt_str(m.stripe_api_access_type()),
                Out::opt_str(m.distribution_type()),
                Out::List(m.redirect_uris().entries().iter().map(|e| Out::str(e.as_str())).collect()),
            ],
        ))
    },
);

const REDIRECT_URI: Name = name!(redirect_uri, redirectUri);
const STATE: Name = name!(state);
const BASE_URL: Name = name!(base_url, baseUrl);
const CLIENT_ID: Name = name!(client_id, clientId);

pub(crate) const INSTALL_LINK: Op = Op::new(
    name!(install_link, installLink),
    "Builds a Stripe Apps install link. `redirectUri` defaults to the allow-list's first entry.",
    &[Param::options(name!(params), &[name!(link_id, linkId), REDIRECT_URI, STATE, BASE_URL]), Param::allow_list()],
    &[],
    |c| {
        let o = c.options(0)?;
        let p = InstallLinkParams {
            link_id: c.r.str(o.get(&name!(link_id, linkId)), &name!(link_id, linkId))?,
            redirect_uri: c.r.opt_str(o.get(&REDIRECT_URI), &REDIRECT_URI)?,
            state: c.r.opt_str(o.get(&STATE), &STATE)?,
            base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?,
        };
        crate::links::install_link(&p, c.allow_list(1)?).map(Out::Str)
    },
);

pub(crate) const APPS_OAUTH_LINK: Op = Op::new(
    name!(apps_oauth_link, appsOAuthLink),
    "Builds a Stripe Apps OAuth authorize link (`testLinkId`: the chnlink_… of a test or sandbox link; \
     `mode` 'live', 'test' or 'sandbox' checks it is there exactly when it must be).",
    &[
        Param::options(
            name!(params),
            &[CLIENT_ID, REDIRECT_URI, STATE, name!(test_link_id, testLinkId), BASE_URL, name!(mode)],
        ),
        Param::allow_list(),
    ],
    &[],
    |c| {
        let o = c.options(0)?;
        let p = AppsOAuthLinkParams {
            client_id: c.r.str(o.get(&CLIENT_ID), &CLIENT_ID)?,
            redirect_uri: c.r.opt_str(o.get(&REDIRECT_URI), &REDIRECT_URI)?,
            state: c.r.opt_str(o.get(&STATE), &STATE)?,
            test_link_id: c.r.opt_str(o.get(&name!(test_link_id, testLinkId)), &name!(test_link_id, testLinkId))?,
            base_url: c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?,
            mode: c.link_mode(o.get(&name!(mode)), &name!(mode))?,
        };
        crate::links::apps_oauth_link(&p, c.allow_list(1)?).map(Out::Str)
    },
);

const STRIPE_USER: Name = name!(stripe_user, stripeUser);
const CAPABILITIES: Name = name!(suggested_capabilities, suggestedCapabilities);

/// `stripe_user` prefill: an object, or a list of `[key, value]` pairs (what `json.loads` gives).
fn stripe_user<'v>(c: &Call<'_, '_>, v: &'v Value<'_>) -> Result<Vec<(StripeUserField, &'v str)>> {
    let shape = || Error::InvalidArgument {
        what: STRIPE_USER.spelled(c.r.spelling),
        reason: "it must be an object of strings or a list of [key, value] string pairs",
    };
    let pair = |k: &str, v: &'v Value<'_>| Ok((StripeUserField::parse(k)?, c.r.str(v, &STRIPE_USER)?));
    match v {
        Value::Absent => Ok(Vec::new()),
        Value::Map(entries) => entries.iter().map(|(k, v)| pair(k, v)).collect(),
        Value::List(_) => {
            c.r.opt_list(v, &STRIPE_USER)?
                .unwrap_or(&[])
                .iter()
                .map(|kv| match kv {
                    Value::List(p) => match p.as_slice() {
                        [k, v] => pair(c.r.str(k, &STRIPE_USER)?, v),
                        _ => Err(shape()),
                    },
                    _ => Err(shape()),
                })
                .collect()
        }
        _ => Err(shape()),
    }
}

pub(crate) const CONNECT_OAUTH_LINK: Op = Op::new(
    name!(connect_oauth_link, connectOAuthLink),
    "Builds a Connect OAuth authorize link (Standard: `scope` required; Express: `suggestedCapabilities`).",
    &[
        Param::options(
            name!(params),
            &[
                CLIENT_ID,
                name!(account_type, accountType),
                name!(scope),
                REDIRECT_URI,
                STATE,
                name!(stripe_landing, stripeLanding),
                name!(always_prompt, alwaysPrompt),
                CAPABILITIES,
                STRIPE_USER,
                BASE_URL,
            ],
        ),
        Param::allow_list(),
    ],
    &[],
    |c| {
        let o = c.options(0)?;
        let kind = c.r.str(o.get(&name!(account_type, accountType)), &name!(account_type, accountType))?;
        let scope = c.r.opt_str(o.get(&name!(scope)), &name!(scope))?;
        let mut p =
            ConnectLinkParams::new(c.r.str(o.get(&CLIENT_ID), &CLIENT_ID)?, ConnectAccountType::parse(kind, scope)?);
        p.redirect_uri = c.r.opt_str(o.get(&REDIRECT_URI), &REDIRECT_URI)?;
        p.state = c.r.opt_str(o.get(&STATE), &STATE)?;
        p.stripe_landing =
            c.r.opt_str(o.get(&name!(stripe_landing, stripeLanding)), &name!(stripe_landing, stripeLanding))?
                .map(StripeLanding::parse)
                .transpose()?;
        p.always_prompt =
            c.r.opt_bool(o.get(&name!(always_prompt, alwaysPrompt)), &name!(always_prompt, alwaysPrompt))?;
        p.suggested_capabilities = match o.get(&CAPABILITIES) {
            Value::Absent => Vec::new(),
            v @ Value::List(_) => c.r.strings(v, &CAPABILITIES)?,
            _ => {
                return Err(Error::InvalidArgument {
                    what: CAPABILITIES.spelled(c.r.spelling),
                    reason: "it must be a list of strings",
                })
            }
        };
        p.stripe_user = stripe_user(c, o.get(&STRIPE_USER))?;
        p.base_url = c.r.opt_str(o.get(&BASE_URL), &BASE_URL)?;
        crate::links::connect_oauth_link(&p, c.allow_list(1)?).map(Out::Str)
    },
);
