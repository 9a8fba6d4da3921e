#![no_main]
//! Stripe-Signature parsing and verification on arbitrary headers and payloads.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{testing::sign_header, webhook::verify, Error, SigningSecret, Tolerance};

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (header, payload) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else { return };
    let secret = SigningSecret::new("whsec_fuzz").unwrap();
    match verify(payload, header, &[secret.clone()], 1_700_000_000, Tolerance::default()) {
        // Only a header really signed with the secret may pass.
        Ok(v) => assert_eq!(
            verify(
                payload,
                &sign_header(payload, &secret, v.timestamp()).unwrap(),
                &[secret],
                1_700_000_000,
                Tolerance::default()
            ),
            Ok(v)
        ),
        Err(e) => assert!(Error::ALL_CODES.contains(&e.code())),
    }
});
