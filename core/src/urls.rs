//! One URL policy for every URL this library builds or accepts.
//!
//! Plain `http` is allowed only to a loopback host: `localhost`, `127.0.0.1` or `[::1]`.
//! Redirect URIs may use it only in test mode (PROTOCOL §2); base URL overrides (a local
//! emulator) may use it always, since nothing but this machine can answer them. Everything
//! else is `https`, without userinfo.

use url::{Host, Url};

use crate::error::{Error, Result};

/// Whether `url` names one of the loopback hosts plain `http` may use.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.octets() == [127, 0, 0, 1],
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether `url` has a `user@` or `user:password@` part.
pub(crate) fn has_userinfo(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// Checks a base URL override (links and OAuth endpoints) and returns it without a
/// trailing slash; `None` gives `default`.
///
/// The override is where links point the browser and where request builders send the
/// secret key: `https`, or plain `http` to a loopback emulator; no userinfo, no query, no
/// fragment.
pub(crate) fn base_url(base: Option<&str>, default: &str) -> Result<String> {
    let Some(base) = base else {
        return Ok(default.to_owned());
    };
    let bad = |reason| Error::InvalidArgument { what: "base_url", reason };
    let url = Url::parse(base).map_err(|_| bad("it is not an absolute URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(bad(
                "plain http is allowed only for a loopback emulator (localhost, 127.0.0.1, [::1]); use https",
            ))
        }
        _ => return Err(bad("its scheme must be https (or http for a loopback emulator)")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must have no query and no fragment"));
    }
    if has_userinfo(&url) {
        return Err(bad("it must have no userinfo"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_policy_for_base_urls() {
        assert_eq!(base_url(None, "https://d.example").unwrap(), "https://d.example");
        for ok in ["https://x.example/", "http://127.0.0.1:12111/", "http://localhost:1", "http://[::1]:2"] {
            assert!(base_url(Some(ok), "").is_ok(), "{ok}");
        }
        for bad in [
            "http://proxy.internal",
            "http://127.0.0.2:1",
            "http://10.0.0.1",
            "ftp://x/",
            "https://u:p@x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
            "x.example",
        ] {
            assert_eq!(base_url(Some(bad), "").unwrap_err().code(), "invalid_argument", "{bad}");
        }
    }
}
