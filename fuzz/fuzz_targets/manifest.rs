#![no_main]
//! The stripe-app.json parser on arbitrary text: every accepted entry is canonical.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{redirect::AppManifest, Error, RedirectMode};

fuzz_target!(|json: &str| {
    match AppManifest::parse(json, RedirectMode::Test) {
        Ok(m) => {
            for e in m.redirect_uris().entries() {
                assert_eq!(url::Url::parse(e).unwrap().as_str(), e);
            }
        }
        Err(e) => assert!(Error::ALL_CODES.contains(&e.code())),
    }
});
