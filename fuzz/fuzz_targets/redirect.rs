#![no_main]
//! Redirect checks: accepted if and only if byte-equal to a (canonical) allow-list entry.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{RedirectAllowList, RedirectMode};

fuzz_target!(|data: (&str, &str)| {
    let (entry, requested) = data;
    match RedirectAllowList::new(&[entry], RedirectMode::Test) {
        Ok(list) => {
            assert_eq!(url::Url::parse(entry).unwrap().as_str(), entry);
            assert_eq!(list.check(requested).is_ok(), requested == entry);
        }
        Err(e) => assert_eq!(e.code(), "invalid_redirect_config"),
    }
});
