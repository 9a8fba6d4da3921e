//! Property tests: round trips, every single-bit change rejected, no panic and no code-less
//! error on arbitrary input, overflow-free time edges. `PROPTEST_CASES` sets the case count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use proptest::prelude::*;
use stripe_handshake::{
    install::{install_payload, verify_install_callback, InstallVerifyOptions, StateField},
    oauth::{parse_deauthorize_response, parse_token_response, verify_oauth_callback},
    redirect::AppManifest,
    state::{issue_state_token, verify_state_token, Flow, StateCheck, StateKey, StateKeys, StateTokenParams},
    testing::sign_header,
    webhook::{verify, verify_webhook},
    Error, RedirectAllowList, RedirectMode, Result, SecretKey, SigningSecret, Tolerance,
};

fn secret() -> SigningSecret {
    SigningSecret::new("whsec_prop_secret").unwrap()
}

fn coded<T>(r: Result<T>) -> Result<T> {
    if let Err(e) = &r {
        assert!(Error::ALL_CODES.contains(&e.code()), "unknown code {}", e.code());
        assert!(!e.to_string().is_empty());
    }
    r
}

proptest! {
    #[test]
    fn sign_verify_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..512), t in 0u64..=u64::MAX / 2, delta in 0u64..=300) {
        let h = sign_header(&payload, &secret(), t).unwrap();
        let v = verify(&payload, &h, &[secret()], t + delta, Tolerance::default()).unwrap();
        prop_assert_eq!(v.timestamp(), t);
        prop_assert!(verify(&payload, &h, &[secret()], t.saturating_sub(delta), Tolerance::default()).is_ok());
    }

    #[test]
    fn any_payload_bit_flip_is_rejected(payload in proptest::collection::vec(any::<u8>(), 1..256), bit in any::<usize>()) {
        let h = sign_header(&payload, &secret(), 1000).unwrap();
        let mut p = payload.clone();
        let i = bit % (p.len() * 8);
        p[i / 8] ^= 1 << (i % 8);
        prop_assert_eq!(verify(&p, &h, &[secret()], 1000, Tolerance::default()).unwrap_err(), Error::SignatureMismatch);
    }

    #[test]
    fn any_header_change_is_rejected(payload in proptest::collection::vec(any::<u8>(), 0..64), pos in any::<usize>(), ch in any::<char>()) {
        let h = sign_header(&payload, &secret(), 1_700_000_000).unwrap();
        let mut chars: Vec<char> = h.chars().collect();
        let i = pos % chars.len();
        prop_assume!(chars[i] != ch);
        chars[i] = ch;
        let changed: String = chars.into_iter().collect();
        prop_assert!(coded(verify(&payload, &changed, &[secret()], 1_700_000_000, Tolerance::default())).is_err());
    }

    #[test]
    fn another_secret_is_rejected(payload in proptest::collection::vec(any::<u8>(), 0..64), other in "whsec_[a-zA-Z0-9]{1,40}") {
        prop_assume!(other != "whsec_prop_secret");
        let h = sign_header(&payload, &secret(), 5).unwrap();
        let o = SigningSecret::new(&other).unwrap();
        prop_assert_eq!(verify(&payload, &h, &[o], 5, Tolerance::default()).unwrap_err(), Error::SignatureMismatch);
    }

    #[test]
    fn tolerance_edges_without_overflow(t in any::<u64>(), tol in 1u32..=u32::MAX, now in any::<u64>()) {
        let h = sign_header(b"x", &secret(), t).unwrap();
        let tolerance = Tolerance::from_secs(u64::from(tol)).unwrap();
        let r = verify(b"x", &h, &[secret()], now, tolerance);
        let within = now.abs_diff(t) <= u64::from(tol);
        prop_assert_eq!(r.is_ok(), within);
        if !within {
            let expected = if now > t { "timestamp_too_old" } else { "timestamp_in_future" };
            prop_assert_eq!(r.unwrap_err().code(), expected);
        }
        // The exact edges.
        if let Some(edge) = t.checked_add(u64::from(tol)) {
            prop_assert!(verify(b"x", &h, &[secret()], edge, tolerance).is_ok());
            if let Some(past) = edge.checked_add(1) {
                prop_assert_eq!(verify(b"x", &h, &[secret()], past, tolerance).unwrap_err().code(), "timestamp_too_old");
            }
        }
    }

    #[test]
    fn parsers_never_panic_and_always_give_a_code(s in ".{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..300), now in any::<u64>()) {
        let _ = coded(verify(&bytes, &s, &[secret()], now, Tolerance::default()));
        let _ = coded(verify_webhook(&bytes, &s, &[secret()], now, Tolerance::default()));
        let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
        let opts = InstallVerifyOptions { secrets: &[secret()], now, tolerance: Tolerance::default(), state: StateCheck::Signed { keys: &keys, session_id: b"s" }, marketplace: stripe_handshake::install::Marketplace::Accept };
        let _ = coded(verify_install_callback(&s, &opts));
        let _ = coded(verify_oauth_callback(&s, Flow::ConnectOAuth, &StateCheck::Plain { expected: "x" }, now));
        let _ = coded(verify_state_token(&keys, Some(&s), b"s", Flow::InstallLink, now));
        let _ = coded(parse_token_response(200, &bytes));
        let _ = coded(parse_token_response(400, s.as_bytes()));
        let _ = coded(parse_deauthorize_response(200, &bytes, "acct_1"));
        let _ = coded(AppManifest::parse(&s, RedirectMode::Live));
        let _ = coded(SecretKey::parse(&s));
        let list = RedirectAllowList::new(&["https://example.com/callback"], RedirectMode::Live).unwrap();
        if list.check(&s).is_ok() {
            prop_assert_eq!(s.as_str(), "https://example.com/callback");
        }
    }

    #[test]
    fn state_tokens_round_trip_and_reject_every_byte_change(session in proptest::collection::vec(any::<u8>(), 1..64), data in "[ -~]{0,64}", nonce in any::<[u8; 32]>(), pos in any::<usize>(), xor in 1u8..=255) {
        let keys = StateKeys::new(vec![StateKey::new("k1", &[9; 32]).unwrap()]).unwrap();
        let p = StateTokenParams { flow: Flow::ConnectOAuth, session_id: &session, ttl_secs: None, data: Some(&data) , mode: None };
        let token = issue_state_token(&keys, &p, 1000, &nonce).unwrap();
        let v = verify_state_token(&keys, Some(&token), &session, Flow::ConnectOAuth, 1000).unwrap();
        prop_assert_eq!(v.data(), if data.is_empty() { None } else { Some(data.as_str()) });
        use base64::Engine as _;
        let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).unwrap();
        let i = pos % raw.len();
        raw[i] ^= xor;
        let changed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        prop_assert!(coded(verify_state_token(&keys, Some(&changed), &session, Flow::ConnectOAuth, 1000)).is_err());
    }

    #[test]
    fn install_payload_is_json_in_stripe_key_order(state in ".{0,40}", user in ".{0,20}", account in ".{0,20}") {
        let p = install_payload(StateField::Value(&state), &user, &account);
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&p).unwrap();
        prop_assert_eq!(v.keys().map(String::as_str).collect::<Vec<_>>(), vec!["state", "user_id", "account_id"]);
        prop_assert_eq!(v["state"].as_str().unwrap(), state.as_str());
        prop_assert_eq!(v["user_id"].as_str().unwrap(), user.as_str());
        prop_assert_eq!(v["account_id"].as_str().unwrap(), account.as_str());
        prop_assert!(!p.contains(": ") || state.contains(": ") || user.contains(": ") || account.contains(": "));
    }
}

#[test]
fn resource_caps_refuse_before_parsing() {
    let big_header = format!("t=1,{}", vec!["v1=".to_owned() + &"0".repeat(64); 10_000].join(","));
    assert_eq!(verify(b"x", &big_header, &[secret()], 1, Tolerance::default()).unwrap_err().code(), "header_too_large");
    let query = format!("user_id=usr_1&x={}", "a".repeat(1 << 20));
    let opts = InstallVerifyOptions {
        secrets: &[secret()],
        now: 1,
        tolerance: Tolerance::default(),
        state: StateCheck::Stateless,
        marketplace: stripe_handshake::install::Marketplace::Accept,
    };
    assert_eq!(verify_install_callback(&query, &opts).unwrap_err().code(), "query_too_large");
    assert_eq!(parse_token_response(200, &vec![b'{'; 1 << 20]).unwrap_err().code(), "response_too_large");
    let keys = StateKeys::new(vec![StateKey::new("k1", &[1; 32]).unwrap()]).unwrap();
    assert_eq!(
        verify_state_token(&keys, Some(&"A".repeat(1 << 20)), b"s", Flow::InstallLink, 1).unwrap_err().code(),
        "state_too_large"
    );
    // Each is refused by its length cap before any parsing (speed is for the benchmarks).
}

/// RFC 3986 percent-encoding, one byte at a time: the reference the run-copying encoder must
/// match for every string.
fn percent_encode_reference(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

proptest! {
    #[test]
    fn percent_encoding_matches_the_bytewise_reference(s in any::<String>(), prefix in "[a-z%]{0,3}") {
        let mut out = prefix.clone();
        stripe_handshake::testing::percent_encode_into(&mut out, &s);
        prop_assert_eq!(&out, &format!("{prefix}{}", percent_encode_reference(&s)));
        // And the url crate (a peer) decodes it back to the string.
        let decoded: String = url::form_urlencoded::parse(format!("k={}", &out[prefix.len()..]).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        prop_assert_eq!(decoded, s);
    }
}
