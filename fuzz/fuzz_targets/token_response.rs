#![no_main]
//! Token and deauthorize response parsers on arbitrary status codes and bodies.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{
    install::{MAX_ERROR_DESCRIPTION_LEN, MAX_ERROR_LEN},
    oauth::{parse_deauthorize_response, parse_token_response},
    Error,
};

fuzz_target!(|data: &[u8]| {
    let status = u16::from_le_bytes([data.first().copied().unwrap_or(0), data.get(1).copied().unwrap_or(0)]) % 600;
    let body = data.get(2..).unwrap_or(&[]);
    if let Err(e) = parse_token_response(status, body) {
        assert!(Error::ALL_CODES.contains(&e.code()));
        if let Some((_, error, description)) = e.oauth_details() {
            assert!(error.len() <= MAX_ERROR_LEN && description.map_or(0, str::len) <= MAX_ERROR_DESCRIPTION_LEN);
        }
    }
    let _ = parse_deauthorize_response(status, body, "acct_1");
});
