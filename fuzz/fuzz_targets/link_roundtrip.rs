#![no_main]
//! Links round-trip: a WHATWG parser reads back exactly the state and prefill we put in.
use libfuzzer_sys::fuzz_target;
use stripe_handshake::{
    oauth::{connect_oauth_link, ConnectAccountType, ConnectLinkParams, Scope, StripeUserField},
    RedirectAllowList, RedirectMode,
};

fuzz_target!(|data: (&str, &str)| {
    let (state, email) = data;
    let list = RedirectAllowList::new(&["https://platform.example/callback"], RedirectMode::Live).unwrap();
    let mut p = ConnectLinkParams::new("ca_fuzz", ConnectAccountType::Standard { scope: Scope::ReadWrite });
    p.state = Some(state);
    p.stripe_user = vec![(StripeUserField::Email, email)];
    let Ok(link) = connect_oauth_link(&p, &list) else { return };
    let url = url::Url::parse(&link).unwrap();
    assert_eq!(url.as_str(), link, "the link is not in canonical form");
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(pairs.iter().find(|(k, _)| k == "state").map(|(_, v)| v.as_str()), Some(state));
    assert_eq!(pairs.iter().find(|(k, _)| k == "stripe_user[email]").map(|(_, v)| v.as_str()), Some(email));
    assert_eq!(pairs.iter().filter(|(k, _)| k == "state").count(), 1, "a value leaked into a parameter");
});
