#![no_main]
//! The OAuth-callback parser on arbitrary query strings.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{
    install::MAX_ERROR_LEN,
    oauth::{verify_oauth_callback, OAuthCallback},
    state::{Flow, StateCheck},
    Error,
};

fuzz_target!(|query: &str| {
    match verify_oauth_callback(query, Flow::ConnectOAuth, &StateCheck::Plain { expected: "st" }, 0) {
        Ok(OAuthCallback::Authorized(a)) => assert!(!a.code().is_empty()),
        Ok(OAuthCallback::Denied(d)) => assert!(d.error().len() <= MAX_ERROR_LEN),
        Err(e) => assert!(Error::ALL_CODES.contains(&e.code())),
    }
});
