#![no_main]
//! The state-token decoder on arbitrary strings: nothing but a token we issued may verify.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{
    state::{issue_state_token, verify_state_token, Flow, StateKey, StateKeys, StateTokenParams},
    Error,
};

fuzz_target!(|token: &str| {
    let keys = StateKeys::new(vec![StateKey::new("k1", &[7; 32]).unwrap()]).unwrap();
    match verify_state_token(&keys, Some(token), b"session", Flow::ConnectOAuth, 1_700_000_000) {
        Ok(v) => {
            // A forgery would need the key: only a token issued with it can get here.
            let reissued = issue_state_token(
                &keys,
                &StateTokenParams { flow: v.flow(), session_id: b"session", ttl_secs: None, data: v.data() , mode: None },
                v.issued_at(),
                &[0; 32],
            );
            assert!(reissued.is_ok());
        }
        Err(e) => assert!(Error::ALL_CODES.contains(&e.code())),
    }
});
