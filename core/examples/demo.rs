//! A walk through the three flows with no network: this program plays both your platform
//! and Stripe (signing with the same rules Stripe uses), so every step is real code.
//!
//! Run: `cargo run -p stripe-handshake --example demo`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use stripe_handshake::{
    install::{
        install_link, install_payload, verify_install_callback, InstallCallback, InstallLinkParams,
        InstallVerifyOptions, StateField,
    },
    oauth::{
        code_exchange_request, connect_oauth_link, parse_token_response, verify_oauth_callback, ConnectAccountType,
        ConnectLinkParams, OAuthCallback, OAuthProvider, RequestOptions, Scope, StripeUserField,
    },
    state::{
        issue_state_token_random, random_bytes, random_state, Flow, StateCheck, StateKey, StateKeys, StateTokenParams,
    },
    testing::{percent_encode_into, sign_header},
    webhook::verify_webhook,
    RedirectAllowList, RedirectMode, Result, SecretKey, SigningSecret, Tolerance,
};

fn main() -> Result<()> {
    let now = 1_700_000_000;
    let redirects = RedirectAllowList::new(&["https://platform.example/stripe/callback"], RedirectMode::Live)?;
    let state_keys = StateKeys::new(vec![StateKey::new("2026-11", &random_bytes()?)?])?;
    let session = b"cookie-session-4f2a";

    println!("== 1. Stripe Apps install link ==");
    let state = issue_state_token_random(
        &state_keys,
        &StateTokenParams {
            flow: Flow::InstallLink,
            session_id: session,
            ttl_secs: None,
            data: Some("/welcome"),
            mode: None,
        },
        now,
    )?;
    let link = install_link(
        &InstallLinkParams { link_id: "demo_link", state: Some(&state), ..Default::default() },
        &redirects,
    )?;
    println!("send the user to:\n  {link}");

    // Stripe's side: sign JSON.stringify({state, user_id, account_id}) with the app secret.
    let app_secret = SigningSecret::new("absec_demo_secret")?;
    let payload = install_payload(StateField::Value(&state), "usr_demo", "acct_demo");
    let signature = sign_header(payload.as_bytes(), &app_secret, now + 20)?;
    let mut query = format!("user_id=usr_demo&account_id=acct_demo&state={state}&install_signature=");
    percent_encode_into(&mut query, &signature);
    println!("Stripe redirects back with:\n  ?{query}");

    let opts = InstallVerifyOptions {
        secrets: std::slice::from_ref(&app_secret),
        now: now + 21,
        tolerance: Tolerance::default(),
        state: StateCheck::Signed { keys: &state_keys, session_id: session },
        marketplace: stripe_handshake::install::Marketplace::Refuse,
    };
    match verify_install_callback(&query, &opts)? {
        InstallCallback::Installed(i) => {
            println!("verified install: account {} by user {}", i.account_id(), i.user_id())
        }
        InstallCallback::Marketplace(m) => println!("installed from the Marketplace: account {}", m.account_id()),
        InstallCallback::Denied(d) => println!("user cancelled: {}", d.error()),
    }
    let forged = query.replace("acct_demo", "acct_attacker");
    println!("forged account id -> {}", verify_install_callback(&forged, &opts).unwrap_err().code());
    let other_browser =
        InstallVerifyOptions { state: StateCheck::Signed { keys: &state_keys, session_id: b"other" }, ..opts.clone() };
    println!("callback in another browser -> {}", verify_install_callback(&query, &other_browser).unwrap_err().code());

    println!("\n== 2. Connect OAuth (Standard) ==");
    let state = random_state()?;
    let mut p = ConnectLinkParams::new("ca_demo123", ConnectAccountType::Standard { scope: Scope::ReadWrite });
    p.state = Some(&state);
    p.stripe_user = vec![(StripeUserField::Email, "owner@shop.example")];
    println!("send the user to:\n  {}", connect_oauth_link(&p, &redirects)?);
    let callback = format!("code=ac_demo42&scope=read_write&state={state}");
    let OAuthCallback::Authorized(auth) =
        verify_oauth_callback(&callback, Flow::ConnectOAuth, &StateCheck::Plain { expected: &state }, now)?
    else {
        return Ok(());
    };
    let key = SecretKey::parse("sk_test_demo")?;
    let req = code_exchange_request(OAuthProvider::Connect, &key, auth.code(), &RequestOptions::default())?;
    println!("POST {} with body {}", req.url, req.body);
    let tokens = parse_token_response(
        200,
        br#"{"access_token":"sk_test_acc","refresh_token":"rt_demo","token_type":"bearer","stripe_user_id":"acct_connected","livemode":false,"scope":"read_write"}"#,
    )?;
    println!("connected {} ({:?})", tokens.stripe_user_id(), tokens);
    let err = parse_token_response(
        400,
        br#"{"error":"invalid_grant","error_description":"This authorization code has already been used."}"#,
    )
    .unwrap_err();
    println!("a reused code -> {} ({err})", err.code());

    println!("\n== 3. Webhook: account.application.deauthorized ==");
    let whsec = SigningSecret::new("whsec_demo")?;
    let body = br#"{"id":"evt_demo","object":"event","type":"account.application.deauthorized","account":"acct_connected","livemode":false,"created":1700000000,"data":{"object":{"id":"ca_demo123","object":"application"}}}"#;
    let header = sign_header(body, &whsec, now)?;
    let event = verify_webhook(body, &header, std::slice::from_ref(&whsec), now + 3, Tolerance::default())?;
    let d = event.deauthorization()?;
    println!("{} disconnected from {}: delete its tokens", d.account_id(), d.application_id());
    println!(
        "the same delivery 10 minutes later -> {}",
        verify_webhook(body, &header, &[whsec], now + 600, Tolerance::default()).unwrap_err()
    );
    Ok(())
}
