//! Runs every case of the cross-language corpus in `tests/vectors/*.json` through the core.
//!
//! The schema is documented in `tests/vectors/README.md`. Each binding has a runner of its
//! own over the same files; this one is the reference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use serde_json::{json, Value};
use stripe_handshake::{
    account_links::{
        account_link_request, parse_account_link_response, retrieve_account_request, verify_account_link_callback,
        AccountLinkParams, AccountLinkReturn, AccountLinkState, AccountLinkType, CollectFields, FutureRequirements,
    },
    dangerous,
    diagnose::{
        callback_passes, diagnose_callback, diagnose_redirect_uri, diagnose_signature, CallbackDiagnosisOptions,
    },
    hmac_sha256,
    install::{
        install_link, install_payload, verify_app_callback, verify_install_callback, verify_ui_extension_signature,
        AppAccess, AppCallback, AppCallbackOptions, InstallCallback, InstallLinkParams, InstallVerifyOptions,
        Marketplace, StateField,
    },
    oauth::{
        apps_oauth_link, code_exchange_request, connect_oauth_link, deauthorize_request, parse_deauthorize_response,
        parse_token_response, refresh_request, verify_oauth_callback, AppsOAuthLinkParams, AppsTokenExpiry,
        CallbackDenial, ConnectAccountType, ConnectLinkParams, HttpRequest, OAuthCallback, OAuthProvider,
        RequestOptions, Scope, StripeLanding, StripeUserField,
    },
    one_time::{self, postgres_statements, OneTimeEntry, Placeholders},
    redirect::AppManifest,
    state::{
        check_plain_state, issue_state_token, plain_state_from_entropy, verify_state_token, Flow, LinkMode, StateCheck,
        StateKey, StateKeys, StateOutcome, StateTokenParams,
    },
    testing::sign_header,
    verify_hmac_sha256,
    webhook::{
        fetch_event_request, fetch_related_object_request, verify, verify_event_notification, verify_webhook,
        ApiRequest, ApiRequestOptions,
    },
    Error, Mode, RedirectAllowList, RedirectMode, Result, SecretKey, SigningSecret, Tolerance, VerifiedSignature,
};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} is not a string in {v}"))
}
fn opt_s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}
fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} is not a u64 in {v}"))
}
fn hexb(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(s(v, k)).unwrap()
}

fn payload(v: &Value) -> Vec<u8> {
    match opt_s(v, "payload") {
        Some(p) => p.as_bytes().to_vec(),
        None => hexb(v, "payload_hex"),
    }
}

fn secrets(v: &Value) -> Result<Vec<SigningSecret>> {
    v["secrets"].as_array().unwrap().iter().map(|x| SigningSecret::new(x.as_str().unwrap())).collect()
}

fn tolerance(v: &Value) -> Result<Tolerance> {
    Tolerance::from_secs(u(v, "tolerance"))
}

fn redirect_mode(v: &Value) -> RedirectMode {
    match s(v, "mode") {
        "live" => RedirectMode::Live,
        "test" => RedirectMode::Test,
        m => panic!("mode {m}"),
    }
}

fn allow_list(v: &Value) -> Result<RedirectAllowList> {
    let entries: Vec<&str> = v["allow_list"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    RedirectAllowList::new(&entries, redirect_mode(v))
}

fn state_keys(v: &Value) -> Result<StateKeys> {
    let keys = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| StateKey::new(s(k, "id"), &hexb(k, "key_hex")))
        .collect::<Result<Vec<_>>>()?;
    StateKeys::new(keys)
}

fn verified_sig(v: &VerifiedSignature) -> Value {
    json!({"timestamp": v.timestamp(), "secret_index": v.secret_index()})
}

fn state_outcome_fields(out: &mut serde_json::Map<String, Value>, o: &StateOutcome) {
    match o {
        StateOutcome::Plain => {
            out.insert("state_outcome".into(), json!("plain"));
        }
        StateOutcome::Stateless => {
            out.insert("state_outcome".into(), json!("stateless"));
        }
        StateOutcome::Signed(v) => {
            out.insert("state_outcome".into(), json!("signed"));
            out.insert("state_nonce".into(), json!(v.nonce()));
            out.insert("state_data".into(), json!(v.data()));
            out.insert("state_mode".into(), json!(v.mode().map(LinkMode::as_str)));
        }
    }
}

fn denial(d: &CallbackDenial) -> Value {
    json!({"outcome": "denied", "error": d.error(), "kind": d.kind().as_str(), "description": d.description()})
}

fn request(r: &HttpRequest) -> Value {
    json!({"method": r.method, "url": r.url, "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(), "body": r.body})
}

fn api_request(r: &ApiRequest) -> Value {
    json!({"method": r.method, "url": r.url, "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>()})
}

fn request_options(v: &Value) -> Result<(Option<Mode>, Option<&str>)> {
    // A state token's mode: live, test or sandbox (whose keys are test keys).
    let mode = opt_s(v, "expected_mode").map(|m| LinkMode::parse(m).map(LinkMode::key_mode)).transpose()?;
    Ok((mode, opt_s(v, "base_url")))
}

fn provider(v: &Value) -> Result<OAuthProvider> {
    OAuthProvider::parse(s(v, "provider"))
}

fn run(op: &str, i: &Value) -> Result<Value> {
    Ok(match op {
        "hmac_sha256" => {
            let mac = hmac_sha256(&hexb(i, "key_hex"), &[&hexb(i, "msg_hex")])?;
            let n = usize::try_from(u(i, "truncate_bits") / 8).unwrap();
            json!({"mac_hex": hex::encode(&mac[..n])})
        }
        "verify_hmac_sha256" => {
            verify_hmac_sha256(&hexb(i, "key_hex"), &[&hexb(i, "msg_hex")], &hexb(i, "tag_hex"))?;
            json!({})
        }
        "verify_signature" => {
            verified_sig(&verify(&payload(i), s(i, "header"), &secrets(i)?, u(i, "now"), tolerance(i)?)?)
        }
        "verify_ignoring_tolerance" => {
            verified_sig(&dangerous::verify_ignoring_tolerance(&payload(i), s(i, "header"), &secrets(i)?)?)
        }
        "sign_header" => {
            let secret = SigningSecret::new(s(i, "secret"))?;
            json!({"header": sign_header(s(i, "payload").as_bytes(), &secret, u(i, "t"))?})
        }
        "install_payload" => {
            let form = match s(i, "state_form") {
                "value" => StateField::Value(s(i, "state")),
                "omitted" => StateField::Omitted,
                "null" => StateField::Null,
                f => panic!("state_form {f}"),
            };
            json!({"payload_hex": hex::encode(install_payload(form, s(i, "user_id"), s(i, "account_id")))})
        }
        "check_redirect" => json!({"uri": allow_list(i)?.check(s(i, "requested"))?}),
        "redirect_allow_list" => {
            let entries: Vec<&str> = i["entries"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            json!({"default_uri": RedirectAllowList::new(&entries, redirect_mode(i))?.default_uri()})
        }
        "parse_manifest" => {
            let m = AppManifest::parse(s(i, "json"), redirect_mode(i))?;
            json!({"id": m.id(), "stripe_api_access_type": m.stripe_api_access_type(),
                   "distribution_type": m.distribution_type(), "redirect_uris": m.redirect_uris().entries(),
                   "default_uri": m.redirect_uris().default_uri()})
        }
        "install_link" => {
            let p = InstallLinkParams {
                link_id: s(i, "link_id"),
                redirect_uri: opt_s(i, "redirect_uri"),
                state: opt_s(i, "state"),
                base_url: opt_s(i, "base_url"),
            };
            json!({"url": install_link(&p, &allow_list(i)?)?})
        }
        "apps_oauth_link" => {
            let p = AppsOAuthLinkParams {
                client_id: s(i, "client_id"),
                redirect_uri: opt_s(i, "redirect_uri"),
                state: opt_s(i, "state"),
                test_link_id: opt_s(i, "test_link_id"),
                base_url: opt_s(i, "base_url"),
                mode: opt_s(i, "link_mode").map(LinkMode::parse).transpose()?,
            };
            json!({"url": apps_oauth_link(&p, &allow_list(i)?)?})
        }
        "connect_oauth_link" => {
            let account_type = ConnectAccountType::parse(s(i, "account_type"), opt_s(i, "scope"))?;
            let mut p = ConnectLinkParams::new(s(i, "client_id"), account_type);
            p.redirect_uri = opt_s(i, "redirect_uri");
            p.state = opt_s(i, "state");
            p.base_url = opt_s(i, "base_url");
            p.stripe_landing = opt_s(i, "stripe_landing").map(StripeLanding::parse).transpose()?;
            p.always_prompt = i.get("always_prompt").and_then(Value::as_bool);
            if let Some(caps) = i.get("suggested_capabilities").and_then(Value::as_array) {
                p.suggested_capabilities = caps.iter().map(|c| c.as_str().unwrap()).collect();
            }
            if let Some(pre) = i.get("stripe_user").and_then(Value::as_array) {
                p.stripe_user = pre
                    .iter()
                    .map(|kv| Ok((StripeUserField::parse(kv[0].as_str().unwrap())?, kv[1].as_str().unwrap())))
                    .collect::<Result<Vec<_>>>()?;
            }
            json!({"url": connect_oauth_link(&p, &allow_list(i)?)?})
        }
        "issue_state_token" => {
            let keys = state_keys(i)?;
            let session = hexb(i, "session_id_hex");
            let p = StateTokenParams {
                flow: Flow::parse(s(i, "flow"))?,
                session_id: &session,
                ttl_secs: i["ttl_secs"].as_u64().map(|t| u32::try_from(t).unwrap()),
                data: opt_s(i, "data"),
                mode: opt_s(i, "link_mode").map(LinkMode::parse).transpose()?,
            };
            let nonce: [u8; 32] = hexb(i, "nonce_hex").try_into().unwrap();
            json!({"token": issue_state_token(&keys, &p, u(i, "now"), &nonce)?})
        }
        "verify_state_token" => {
            let keys = state_keys(i)?;
            let v = verify_state_token(
                &keys,
                opt_s(i, "token"),
                &hexb(i, "session_id_hex"),
                Flow::parse(s(i, "flow"))?,
                u(i, "now"),
            )?;
            json!({"version": v.version(), "key_id": v.key_id(), "issued_at": v.issued_at(), "expires_at": v.expires_at(),
                   "flow": v.flow().as_str(), "nonce": v.nonce(), "data": v.data(),
                   "mode": v.mode().map(LinkMode::as_str)})
        }
        "check_plain_state" => {
            check_plain_state(s(i, "expected"), opt_s(i, "received"))?;
            json!({})
        }
        "plain_state_from_entropy" => {
            let e: [u8; 32] = hexb(i, "entropy_hex").try_into().unwrap();
            json!({"state": plain_state_from_entropy(&e)})
        }
        "install_callback" | "oauth_callback" | "app_callback" => {
            let c = &i["state_check"];
            let keys;
            let session;
            let check = match s(c, "mode") {
                "plain" => StateCheck::Plain { expected: s(c, "expected") },
                "signed" => {
                    keys = state_keys(c)?;
                    session = hexb(c, "session_id_hex");
                    StateCheck::Signed { keys: &keys, session_id: &session }
                }
                "stateless" | "none" => StateCheck::Stateless,
                m => panic!("state mode {m}"),
            };
            let marketplace = opt_s(i, "marketplace").map_or(Ok(Marketplace::Refuse), Marketplace::parse)?;
            if op == "oauth_callback" {
                return Ok(
                    match verify_oauth_callback(s(i, "query"), Flow::parse(s(i, "flow"))?, &check, u(i, "now"))? {
                        OAuthCallback::Denied(d) => denial(&d),
                        OAuthCallback::Authorized(a) => {
                            let mut m = serde_json::Map::new();
                            m.insert("outcome".into(), json!("authorized"));
                            m.insert("code".into(), json!(a.code()));
                            m.insert("scope".into(), json!(a.scope()));
                            m.insert("provider".into(), json!(a.provider().as_str()));
                            state_outcome_fields(&mut m, a.state_outcome());
                            Value::Object(m)
                        }
                    },
                );
            }
            let secrets = if i.get("secrets").is_some_and(|v| !v.is_null()) { secrets(i)? } else { Vec::new() };
            let result = if op == "install_callback" {
                let opts = InstallVerifyOptions {
                    secrets: &secrets,
                    now: u(i, "now"),
                    tolerance: tolerance(i)?,
                    state: check,
                    marketplace,
                };
                match verify_install_callback(s(i, "query"), &opts)? {
                    InstallCallback::Denied(d) => AppCallback::Denied(d),
                    InstallCallback::Installed(v) => AppCallback::Installed(v),
                    InstallCallback::Marketplace(m) => AppCallback::MarketplaceInstall(m),
                }
            } else {
                let opts = AppCallbackOptions {
                    access: AppAccess::parse(s(i, "access_type"))?,
                    secrets: &secrets,
                    now: u(i, "now"),
                    tolerance: tolerance(i)?,
                    state: check,
                    marketplace,
                };
                verify_app_callback(s(i, "query"), &opts)?
            };
            let mut m = serde_json::Map::new();
            match result {
                AppCallback::Denied(d) => return Ok(denial(&d)),
                AppCallback::Installed(v) => {
                    m.insert("outcome".into(), json!("installed"));
                    m.insert("user_id".into(), json!(v.user_id()));
                    m.insert("account_id".into(), json!(v.account_id()));
                    m.insert("state".into(), json!(v.state()));
                    m.insert("livemode".into(), json!(v.livemode()));
                    m.insert("timestamp".into(), json!(v.signature().timestamp()));
                    m.insert("secret_index".into(), json!(v.signature().secret_index()));
                    state_outcome_fields(&mut m, v.state_outcome());
                }
                AppCallback::MarketplaceInstall(v) => {
                    m.insert("outcome".into(), json!("marketplace_install"));
                    m.insert("user_id".into(), json!(v.user_id()));
                    m.insert("account_id".into(), json!(v.account_id()));
                    m.insert("livemode".into(), json!(v.livemode()));
                    m.insert("signed_form".into(), json!(v.form().as_str()));
                    m.insert("timestamp".into(), json!(v.signature().timestamp()));
                    m.insert("secret_index".into(), json!(v.signature().secret_index()));
                }
                AppCallback::Authorized(a) | AppCallback::MarketplaceAuthorized(a) => {
                    let tag = if a.state_outcome().is_some() { "authorized" } else { "marketplace_authorized" };
                    m.insert("outcome".into(), json!(tag));
                    m.insert("code".into(), json!(a.code()));
                    m.insert("user_id".into(), json!(a.user_id()));
                    m.insert("account_id".into(), json!(a.account_id()));
                    m.insert("provider".into(), json!(a.provider().as_str()));
                    if let Some(o) = a.state_outcome() {
                        state_outcome_fields(&mut m, o);
                    } else {
                        m.insert("code_id".into(), json!(a.code_id()));
                        m.insert("code_expires_at".into(), json!(a.code_expires_at()));
                    }
                }
            }
            Value::Object(m)
        }
        "ui_extension_signature" => {
            let c = verify_ui_extension_signature(
                s(i, "header"),
                s(i, "user_id"),
                s(i, "account_id"),
                &secrets(i)?,
                u(i, "now"),
                tolerance(i)?,
            )?;
            json!({"user_id": c.user_id(), "account_id": c.account_id(), "timestamp": c.signature().timestamp(),
                   "secret_index": c.signature().secret_index()})
        }
        "verify_webhook" => {
            let e = verify_webhook(&payload(i), s(i, "header"), &secrets(i)?, u(i, "now"), tolerance(i)?)?;
            json!({"id": e.id(), "type": e.event_type(), "account": e.account(), "livemode": e.livemode(),
                   "created": e.created(), "api_version": e.api_version(), "data_object": e.data_object_json(),
                   "timestamp": e.signature().timestamp()})
        }
        "deauthorization" => {
            let e = verify_webhook(&payload(i), s(i, "header"), &secrets(i)?, u(i, "now"), tolerance(i)?)?;
            let d = e.deauthorization()?;
            json!({"account_id": d.account_id(), "application_id": d.application_id(),
                   "application_name": d.application_name(), "livemode": d.livemode()})
        }
        "verify_event_notification" => {
            let n = verify_event_notification(&payload(i), s(i, "header"), &secrets(i)?, u(i, "now"), tolerance(i)?)?;
            let related = n.related_object().map(|o| json!({"id": o.id(), "type": o.object_type(), "url": o.url()}));
            json!({"id": n.id(), "type": n.event_type(), "created": n.created(), "created_rfc3339": n.created_rfc3339(),
                   "livemode": n.livemode(), "context": n.context(), "related_object": related,
                   "snapshot_event": n.snapshot_event(), "raw": serde_json::from_str::<Value>(n.json()).unwrap(),
                   "timestamp": n.signature().timestamp(), "secret_index": n.signature().secret_index()})
        }
        "diagnose_signature" => {
            let secrets: Vec<&str> = i["secrets"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let findings = diagnose_signature(&payload(i), s(i, "header"), &secrets, u(i, "now"), tolerance(i)?);
            // No finding shows a secret or the header's MACs.
            let macs: Vec<&str> = s(i, "header").split(',').filter_map(|e| e.trim().strip_prefix("v1=")).collect();
            for f in &findings {
                for x in secrets.iter().map(|x| x.trim()).chain(macs.iter().copied()) {
                    assert!(
                        x.len() < 8 || (!f.message().contains(x) && !f.action().contains(x)),
                        "a finding shows a secret"
                    );
                }
            }
            json!({"verified": findings.iter().any(|f| f.code() == "verified"),
                   "codes": findings.iter().map(|f| f.code()).collect::<Vec<_>>()})
        }
        "one_time_entry" => {
            let e = OneTimeEntry::new(s(i, "namespace"), s(i, "id"), u(i, "expires_at"), u(i, "now"))?;
            json!({"namespace": e.namespace(), "id": e.id(), "expires_at": e.expires_at(),
                   "key": e.key(opt_s(i, "prefix").unwrap_or(one_time::DEFAULT_PREFIX))?, "ttl_secs": e.ttl_secs()})
        }
        "postgres_statements" => {
            let p = postgres_statements(
                opt_s(i, "table").unwrap_or(one_time::DEFAULT_TABLE),
                Placeholders::parse(s(i, "placeholders"))?,
            )?;
            json!({"create": p.create, "consume": p.consume, "prune": p.prune, "release": p.release,
                   "extend": p.extend})
        }
        "webhook_reply" => {
            let r = stripe_handshake::reply::reply(s(i, "outcome"))?;
            json!({"status": r.status, "body": r.body})
        }
        "one_time_outcome" => json!({"first_time": one_time::outcome(i["answer"].as_bool(), s(i, "namespace"))?}),
        "diagnose_redirect_uri" => {
            let findings = diagnose_redirect_uri(s(i, "requested"), &allow_list(i)?);
            json!({"verified": findings.first().is_some_and(|f| f.code() == "redirect_allowed"),
                   "codes": findings.iter().map(|f| f.code()).collect::<Vec<_>>()})
        }
        "diagnose_callback" => {
            let secrets: Vec<&str> = i["secrets"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let keys = if i["keys"].is_null() { None } else { Some(state_keys(i)?) };
            let session = i["session_id_hex"].as_str().map(|h| hex::decode(h).unwrap());
            let manifest = match i["manifest"].as_str() {
                Some(m) => Some(AppManifest::parse(m, RedirectMode::Test)?),
                None => None,
            };
            let list = match i["redirect_uris"].as_array() {
                Some(l) => Some(RedirectAllowList::new(
                    &l.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
                    RedirectMode::Test,
                )?),
                None => None,
            };
            let access = match &manifest {
                Some(m) => Some(AppAccess::from_manifest_value(m.stripe_api_access_type())?),
                None => None,
            };
            let o = CallbackDiagnosisOptions {
                secrets: &secrets,
                state_keys: keys.as_ref(),
                session_id: session.as_deref(),
                now: u(i, "now"),
                tolerance: tolerance(i)?,
                access,
                redirect_uris: manifest.as_ref().map(AppManifest::redirect_uris).or(list.as_ref()),
            };
            let findings = diagnose_callback(s(i, "query"), &o);
            json!({"verified": callback_passes(&findings), "codes": findings.iter().map(|f| f.code()).collect::<Vec<_>>()})
        }
        "account_link_request" => {
            let keys = state_keys(i)?;
            let session = hexb(i, "session_id_hex");
            let nonce: [u8; 32] = match hexb(i, "nonce_hex").try_into() {
                Ok(n) => n,
                Err(_) => return Err(Error::InvalidArgument { what: "nonce", reason: "32 bytes" }),
            };
            let entries: Vec<&str> = i["allow_list"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let list = RedirectAllowList::new(&entries, RedirectMode::Live)?;
            let key = SecretKey::parse(s(i, "secret_key"))?;
            let p = AccountLinkParams {
                account: s(i, "account"),
                link_type: opt_s(i, "type").map_or(Ok(AccountLinkType::Onboarding), AccountLinkType::parse)?,
                return_url: s(i, "return_url"),
                refresh_url: s(i, "refresh_url"),
                collect: opt_s(i, "collection_fields").map(CollectFields::parse).transpose()?,
                future_requirements: opt_s(i, "future_requirements").map(FutureRequirements::parse).transpose()?,
            };
            let st = AccountLinkState {
                keys: &keys,
                session_id: &session,
                now: u(i, "now"),
                nonce: &nonce,
                mode: opt_s(i, "link_mode").map(LinkMode::parse).transpose()?,
            };
            let (expected_mode, base_url) = request_options(i)?;
            request(&account_link_request(&key, &p, &st, &list, &RequestOptions { expected_mode, base_url })?)
        }
        "parse_account_link_response" => {
            let l = parse_account_link_response(u16::try_from(u(i, "status")).unwrap(), s(i, "body").as_bytes())?;
            json!({"url": l.url(), "created": l.created(), "expires_at": l.expires_at()})
        }
        "account_link_callback" => {
            let keys = state_keys(i)?;
            let cb = verify_account_link_callback(
                s(i, "query"),
                AccountLinkReturn::parse(s(i, "kind"))?,
                &keys,
                &hexb(i, "session_id_hex"),
                u(i, "now"),
            )?;
            let next = if cb.kind() == AccountLinkReturn::Returned { "retrieve_account" } else { "create_new_link" };
            json!({"kind": cb.kind().as_str(), "account_id": cb.account_id(), "next_step": next,
                   "state_nonce": cb.state().nonce(), "state_expires_at": cb.state().expires_at(),
                   "state_mode": cb.state().mode().map(LinkMode::as_str)})
        }
        "retrieve_account_request" => {
            let key = SecretKey::parse(s(i, "secret_key"))?;
            let mode =
                opt_s(i, "expected_mode").map(LinkMode::parse).transpose()?.map_or(key.mode(), LinkMode::key_mode);
            let opts = ApiRequestOptions { api_version: opt_s(i, "api_version"), base_url: opt_s(i, "base_url") };
            api_request(&retrieve_account_request(&key, s(i, "account"), mode, &opts)?)
        }
        "fetch_event_request" | "fetch_related_object_request" => {
            let key = SecretKey::parse(s(i, "secret_key"))?;
            let mode = if i["livemode"].as_bool().unwrap() { Mode::Live } else { Mode::Test };
            let opts = ApiRequestOptions { api_version: opt_s(i, "api_version"), base_url: opt_s(i, "base_url") };
            let r = if op == "fetch_event_request" {
                fetch_event_request(&key, s(i, "event_id"), opt_s(i, "context"), mode, &opts)?
            } else {
                fetch_related_object_request(&key, s(i, "url"), opt_s(i, "context"), mode, &opts)?
            };
            api_request(&r)
        }
        "code_exchange_request" | "refresh_request" | "deauthorize_request" => {
            let key = SecretKey::parse(s(i, "secret_key"))?;
            let (expected_mode, base_url) = request_options(i)?;
            let opts = RequestOptions { expected_mode, base_url };
            let r = match op {
                "code_exchange_request" => code_exchange_request(provider(i)?, &key, s(i, "code"), &opts)?,
                "refresh_request" => {
                    let scope = opt_s(i, "scope").map(Scope::parse).transpose()?;
                    refresh_request(provider(i)?, &key, s(i, "refresh_token"), scope, &opts)?
                }
                _ => deauthorize_request(&key, s(i, "client_id"), s(i, "stripe_user_id"), &opts)?,
            };
            request(&r)
        }
        "parse_secret_key" => json!({"mode": SecretKey::parse(s(i, "key"))?.mode().as_str()}),
        "parse_token_response" => {
            let t = parse_token_response(u16::try_from(u(i, "status")).unwrap(), s(i, "body").as_bytes())?;
            json!({"access_token": t.access_token(), "refresh_token": t.refresh_token(), "scope": t.scope(),
                   "livemode": t.livemode(), "token_type": t.token_type(), "stripe_user_id": t.stripe_user_id(),
                   "stripe_publishable_key": t.stripe_publishable_key()})
        }
        "parse_deauthorize_response" => {
            parse_deauthorize_response(
                u16::try_from(u(i, "status")).unwrap(),
                s(i, "body").as_bytes(),
                s(i, "expected_stripe_user_id"),
            )?;
            json!({})
        }
        "apps_token_expiry" => {
            let e = AppsTokenExpiry::from_issued_at(u(i, "issued_at"));
            json!({"access_expires_at": e.access_expires_at(), "refresh_expires_at": e.refresh_expires_at(),
                   "needs_refresh": e.needs_refresh(u(i, "now"), u(i, "margin_secs")),
                   "refresh_expired": e.refresh_expired(u(i, "now"))})
        }
        other => panic!("unknown op {other}"),
    })
}

fn error_detail(e: &Error) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(index) = e.config_index() {
        m.insert("index".into(), json!(index));
    }
    if let Some((kind, error, description)) = e.oauth_details() {
        m.insert("oauth_error".into(), json!(error));
        m.insert("oauth_kind".into(), json!(kind.as_str()));
        m.insert("description".into(), json!(description));
    }
    Value::Object(m)
}

#[test]
fn corpus() {
    let mut files: Vec<_> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // host.json holds host-level cases (JS and Python values): run by the bindings.
        .filter(|p| !p.ends_with("error_codes.json") && !p.ends_with("host.json"))
        .collect();
    files.sort();
    let (mut passed, mut failures) = (0usize, Vec::new());
    for f in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(doc["schema"], "stripe-handshake/vectors/v1");
        for c in doc["cases"].as_array().unwrap() {
            let id = format!("{}:{}", doc["suite"].as_str().unwrap(), c["id"].as_str().unwrap());
            let got = run(c["op"].as_str().unwrap(), &c["input"]);
            let outcome = match (&got, c.get("ok"), c.get("error")) {
                (Ok(v), Some(want), None) if v == want => Ok(()),
                (Err(e), None, Some(code)) if e.code() == code => {
                    // Every message is non-empty and names no secret from the input.
                    let msg = e.to_string();
                    assert!(!msg.is_empty());
                    if let Some(sec) = c["input"].get("secrets").and_then(Value::as_array) {
                        for x in sec {
                            let x = x.as_str().unwrap();
                            assert!(x.len() < 8 || !msg.contains(x), "{id}: message leaks a secret");
                        }
                    }
                    match c.get("detail") {
                        Some(Value::Object(want)) => {
                            let have = error_detail(e);
                            if want.iter().all(|(k, v)| have.get(k) == Some(v)) {
                                Ok(())
                            } else {
                                Err(format!("detail {have} != {}", Value::Object(want.clone())))
                            }
                        }
                        _ => Ok(()),
                    }
                }
                (Ok(v), _, _) => Err(format!("got ok {v}")),
                (Err(e), _, _) => Err(format!("got error {} ({e})", e.code())),
            };
            match outcome {
                Ok(()) => passed += 1,
                Err(why) => failures.push(format!(
                    "{id}: {why}; expected {}",
                    c.get("ok").map_or_else(|| c["error"].to_string(), ToString::to_string)
                )),
            }
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    eprintln!("vectors: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{} vector failures", failures.len());
    assert!(passed >= 450, "corpus shrank to {passed} cases");
}

#[test]
fn error_codes_are_pinned() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("error_codes.json")).unwrap()).unwrap();
    let pinned: Vec<&str> = doc["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(pinned, Error::ALL_CODES, "tests/vectors/error_codes.json and Error::ALL_CODES differ");
}

/// Every finding code the core can return has an input in the corpus that produces it, so it
/// runs in all four runtimes; and the corpus names no code the core does not list.
#[test]
fn every_finding_code_is_in_the_corpus() {
    use stripe_handshake::diagnose::{CALLBACK_FINDINGS, REDIRECT_FINDINGS, SIGNATURE_FINDINGS};
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("diagnose.json")).unwrap()).unwrap();
    for (op, listed) in [
        ("diagnose_signature", SIGNATURE_FINDINGS),
        ("diagnose_callback", CALLBACK_FINDINGS),
        ("diagnose_redirect_uri", REDIRECT_FINDINGS),
    ] {
        let mut seen: Vec<&str> = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["op"] == op)
            .filter_map(|c| c["ok"]["codes"].as_array())
            .flatten()
            .map(|c| c.as_str().unwrap())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        // A callback diagnosis with an allow-list returns redirect findings too (each is in the
        // corpus through diagnose_redirect_uri).
        let (own, redirect): (Vec<&str>, Vec<&str>) = seen.iter().partition(|c| listed.contains(c));
        let mut expected = listed.to_vec();
        expected.sort_unstable();
        assert_eq!(own, expected, "{op}");
        assert!(op == "diagnose_callback" || redirect.is_empty(), "{op}: {redirect:?}");
        assert!(redirect.iter().all(|c| REDIRECT_FINDINGS.contains(c)), "{op}: {redirect:?}");
    }
}

/// Every result of an operation that checks state tokens either carries the id and expiry
/// fields of one of its one-time entries (a token's nonce, a Marketplace authorization's code),
/// which the bindings consume, or is a case with nothing to consume (a denial, a Marketplace
/// install): a new result kind without them would skip the store silently.
#[test]
fn one_time_operations_name_their_fields_in_every_result_that_checks_a_token() {
    use stripe_handshake::host::OPS;
    let nothing_to_consume = ["denied", "marketplace_install"];
    let mut seen = 0;
    for op in OPS {
        if op.one_time.is_empty() {
            continue;
        }
        seen += 1;
        for kind in op.returns {
            let has = |n: &str| kind.fields.iter().any(|f| f.name.snake == n);
            let untouched = kind.tag.is_some_and(|t| nothing_to_consume.contains(&t));
            let entries = op.one_time.iter().filter(|e| has(e.id.snake) && has(e.expires_at.snake)).count();
            assert!(
                untouched || entries == 1,
                "{} returns {} with {entries} one-time entries, not one",
                op.name.snake,
                kind.name
            );
        }
    }
    assert_eq!(seen, 5, "the operations that check state tokens");
}
