#![no_main]
//! The install-callback query parser and verifier on arbitrary query strings.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{
    install::{verify_install_callback, InstallVerifyOptions},
    state::StateCheck,
    Error, SigningSecret, Tolerance,
};

fuzz_target!(|query: &str| {
    let secret = SigningSecret::new("absec_fuzz").unwrap();
    for state in [StateCheck::Stateless, StateCheck::Plain { expected: "st" }] {
        let opts = InstallVerifyOptions {
            secrets: std::slice::from_ref(&secret),
            now: 1_700_000_000,
            tolerance: Tolerance::default(),
            state,
            marketplace: stripe_handshake::install::Marketplace::Accept,
        };
        if let Err(e) = verify_install_callback(query, &opts) {
            assert!(Error::ALL_CODES.contains(&e.code()));
        }
    }
});
