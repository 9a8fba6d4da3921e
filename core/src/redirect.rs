//! `redirect_uri` allow-lists (PROTOCOL §2).
//!
//! A URI is accepted only if it is already in canonical WHATWG form
//! (`Url::parse(s).as_str() == s`), absolute, `https` (plain `http` only for `localhost`,
//! `127.0.0.1` or `[::1]`, and only in test mode), has no userinfo and no fragment, names a
//! domain (an IP address only for loopback), and is byte-equal to an allow-list entry.
//! No prefix, wildcard or case-folded matching. The first entry is the default.

use serde::Deserialize;
use url::{Host, Url};

use crate::error::{Error, Result};
use crate::urls::{has_userinfo, is_loopback};

/// Largest accepted `redirect_uri`, in bytes.
pub const MAX_REDIRECT_URI_LEN: usize = 2048;
/// Largest accepted allow-list.
pub const MAX_ALLOWED_REDIRECT_URIS: usize = 100;
/// Largest accepted `stripe-app.json`, in bytes.
pub const MAX_MANIFEST_LEN: usize = 256 * 1024;

/// Whether plain-`http` loopback redirect URIs are acceptable.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode};
/// assert!(RedirectAllowList::new(&["http://localhost:3000/cb"], RedirectMode::Test).is_ok());
/// assert!(RedirectAllowList::new(&["http://localhost:3000/cb"], RedirectMode::Live).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RedirectMode {
    /// Only `https` URIs. Defaults to this.
    #[default]
    Live,
    /// `https` URIs, and `http` to `localhost`, `127.0.0.1` or `[::1]` (local development).
    Test,
}

/// Checks the shape rules (1–5 of the module docs) and returns the reason on failure.
pub(crate) fn shape_error(input: &str, mode: RedirectMode) -> Option<&'static str> {
    if input.len() > MAX_REDIRECT_URI_LEN {
        return Some("it is longer than 2048 bytes");
    }
    // A canonical URL is ASCII (the host in punycode, the rest percent-encoded). Checked before
    // parsing, so the verdict on non-ASCII input never depends on the IDNA back end `url` is
    // built with (the packages ship idna_adapter 1.0, which refuses non-ASCII hosts instead of
    // mapping them, and does not validate `xn--` labels: docs/protocol.md §9).
    if !input.is_ascii() {
        return Some(
            "it has non-ASCII characters (a canonical URL spells its host in punycode and percent-encodes the rest)",
        );
    }
    let Ok(url) = Url::parse(input) else {
        return Some("it is not an absolute URL");
    };
    if url.as_str() != input {
        return Some("it is not in canonical form (it would be rewritten by a browser)");
    }
    if has_userinfo(&url) {
        return Some("it has userinfo (user@ or user:password@)");
    }
    if url.fragment().is_some() {
        return Some("it has a #fragment");
    }
    if url.host().is_none() {
        return Some("it has no host");
    }
    let loopback = is_loopback(&url);
    let is_ip = matches!(url.host(), Some(Host::Ipv4(_) | Host::Ipv6(_)));
    if is_ip && !loopback {
        return Some("its host is an IP address (only loopback addresses are allowed)");
    }
    match url.scheme() {
        "https" => None,
        "http" if loopback && mode == RedirectMode::Test => None,
        "http" if loopback => Some("plain http is allowed only for loopback hosts in test mode"),
        "http" => Some("it uses plain http; use https"),
        _ => Some("its scheme is not https"),
    }
}

/// An allow-list of redirect URIs, checked when it is built.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode};
/// let list = RedirectAllowList::new(&["https://example.com/callback"], RedirectMode::Live).unwrap();
/// assert_eq!(list.check("https://example.com/callback").unwrap(), "https://example.com/callback");
/// // Reject twins: a case change, a trailing slash, a different path.
/// assert!(list.check("https://EXAMPLE.com/callback").is_err());
/// assert!(list.check("https://example.com/callback/").is_err());
/// assert_eq!(list.default_uri(), "https://example.com/callback");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectAllowList {
    entries: Vec<String>,
    mode: RedirectMode,
}

impl RedirectAllowList {
    /// Builds the list; every entry must meet the rules. The first entry is the default.
    ///
    /// # Errors
    /// [`Error::InvalidRedirectConfig`] naming the first bad entry, or when the list is
    /// empty or longer than 100 entries.
    pub fn new<S: AsRef<str>>(entries: &[S], mode: RedirectMode) -> Result<Self> {
        if entries.is_empty() {
            return Err(Error::InvalidRedirectConfig { index: 0, reason: "the list is empty" });
        }
        if entries.len() > MAX_ALLOWED_REDIRECT_URIS {
            return Err(Error::InvalidRedirectConfig {
                index: MAX_ALLOWED_REDIRECT_URIS,
                reason: "the list has more than 100 entries",
            });
        }
        let mut out = Vec::with_capacity(entries.len());
        for (index, e) in entries.iter().enumerate() {
            if let Some(reason) = shape_error(e.as_ref(), mode) {
                return Err(Error::InvalidRedirectConfig { index, reason });
            }
            out.push(e.as_ref().to_owned());
        }
        Ok(Self { entries: out, mode })
    }

    /// Returns the entry equal to `requested`, byte for byte.
    ///
    /// # Errors
    /// [`Error::RedirectUriNotAllowed`] saying why.
    pub fn check(&self, requested: &str) -> Result<&str> {
        if let Some(reason) = shape_error(requested, self.mode) {
            return Err(Error::RedirectUriNotAllowed { reason });
        }
        self.entries
            .iter()
            .find(|e| e.as_str() == requested)
            .map(String::as_str)
            .ok_or(Error::RedirectUriNotAllowed { reason: "it is not in the allow-list" })
    }

    /// `requested` if given and allowed, else the default (first) entry.
    ///
    /// # Errors
    /// As [`check`](Self::check) when `requested` is given.
    ///
    /// ```
    /// # use stripe_handshake::{RedirectAllowList, RedirectMode};
    /// let list = RedirectAllowList::new(&["https://a.example/cb", "https://b.example/cb"], RedirectMode::Live).unwrap();
    /// assert_eq!(list.resolve(None).unwrap(), "https://a.example/cb");
    /// assert_eq!(list.resolve(Some("https://b.example/cb")).unwrap(), "https://b.example/cb");
    /// ```
    pub fn resolve(&self, requested: Option<&str>) -> Result<&str> {
        match requested {
            Some(r) => self.check(r),
            None => Ok(self.default_uri()),
        }
    }

    /// The default (first) entry.
    #[must_use]
    pub fn default_uri(&self) -> &str {
        self.entries.first().map_or("", String::as_str)
    }

    /// Every entry, in order.
    #[must_use]
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// The mode the list was built in.
    #[must_use]
    pub fn mode(&self) -> RedirectMode {
        self.mode
    }
}

#[derive(Deserialize)]
struct RawManifest {
    id: Option<String>,
    stripe_api_access_type: Option<String>,
    distribution_type: Option<String>,
    allowed_redirect_uris: Option<Vec<String>>,
}

/// The fields of a `stripe-app.json` manifest this library uses.
///
/// ```
/// use stripe_handshake::{RedirectMode, redirect::AppManifest};
/// let m = AppManifest::parse(r#"{"id":"com.example.app","version":"1.0.0",
///   "stripe_api_access_type":"oauth","distribution_type":"public",
///   "allowed_redirect_uris":["https://example.com/callback"]}"#, RedirectMode::Live).unwrap();
/// assert_eq!(m.id(), "com.example.app");
/// assert_eq!(m.redirect_uris().default_uri(), "https://example.com/callback");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppManifest {
    id: String,
    stripe_api_access_type: Option<String>,
    distribution_type: Option<String>,
    redirect_uris: RedirectAllowList,
}

impl AppManifest {
    /// Parses the manifest JSON and builds its redirect allow-list.
    ///
    /// # Errors
    /// [`Error::InvalidManifest`] for bad JSON, a missing `id` or missing
    /// `allowed_redirect_uris`; [`Error::InvalidRedirectConfig`] for a bad entry.
    pub fn parse(json: &str, mode: RedirectMode) -> Result<Self> {
        if json.len() > MAX_MANIFEST_LEN {
            return Err(Error::InvalidManifest { reason: "it is larger than 256 KiB".into() });
        }
        let raw: RawManifest = serde_json::from_str(json)
            .map_err(|e| Error::InvalidManifest { reason: format!("not valid JSON ({e})") })?;
        let id =
            raw.id.filter(|s| !s.is_empty()).ok_or_else(|| Error::InvalidManifest { reason: "it has no id".into() })?;
        let uris = raw.allowed_redirect_uris.ok_or_else(|| Error::InvalidManifest {
            reason: "it has no allowed_redirect_uris; add them and upload a new version".into(),
        })?;
        let redirect_uris = RedirectAllowList::new(&uris, mode)?;
        Ok(Self {
            id,
            stripe_api_access_type: raw.stripe_api_access_type,
            distribution_type: raw.distribution_type,
            redirect_uris,
        })
    }

    /// The app id (`com.example.app`).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `stripe_api_access_type` (`"oauth"` for OAuth apps), if present.
    #[must_use]
    pub fn stripe_api_access_type(&self) -> Option<&str> {
        self.stripe_api_access_type.as_deref()
    }

    /// `distribution_type` (`"public"` or `"private"`), if present.
    #[must_use]
    pub fn distribution_type(&self) -> Option<&str> {
        self.distribution_type.as_deref()
    }

    /// The redirect allow-list; its first entry is the default.
    #[must_use]
    pub fn redirect_uris(&self) -> &RedirectAllowList {
        &self.redirect_uris
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let live = RedirectMode::Live;
        let test = RedirectMode::Test;
        assert_eq!(shape_error("https://example.com/cb", live), None);
        assert!(shape_error("http://example.com/cb", test).is_some());
        assert!(shape_error("http://localhost:3000/cb", live).is_some());
        assert_eq!(shape_error("http://localhost:3000/cb", test), None);
        assert_eq!(shape_error("http://127.0.0.1:3000/cb", test), None);
        assert_eq!(shape_error("http://[::1]:3000/cb", test), None);
        assert!(shape_error("http://127.0.0.2/cb", test).is_some());
        assert!(shape_error("https://10.0.0.1/cb", live).is_some());
        assert!(shape_error("https://u@example.com/cb", live).is_some());
        assert!(shape_error("https://example.com/cb#x", live).is_some());
        assert!(shape_error("https://example.com", live).is_some()); // not canonical: needs "/"
        assert!(shape_error("javascript:alert(1)", live).is_some());
        assert!(shape_error("/relative", live).is_some());
    }

    #[test]
    fn reasons_and_boundaries() {
        let (live, test) = (RedirectMode::Live, RedirectMode::Test);
        assert_eq!(
            shape_error("http://localhost:3000/cb", live),
            Some("plain http is allowed only for loopback hosts in test mode")
        );
        assert_eq!(shape_error("http://example.com/cb", test), Some("it uses plain http; use https"));
        assert_eq!(shape_error("ftp://example.com/cb", test), Some("its scheme is not https"));
        assert_eq!(
            shape_error("https://10.0.0.1/cb", live),
            Some("its host is an IP address (only loopback addresses are allowed)")
        );
        let at_cap = format!("https://example.com/{}", "a".repeat(MAX_REDIRECT_URI_LEN - 20));
        assert_eq!(at_cap.len(), 2048);
        assert_eq!(shape_error(&at_cap, live), None);
        assert_eq!(shape_error(&format!("{at_cap}a"), live), Some("it is longer than 2048 bytes"));
        let l = RedirectAllowList::new(&["http://[::1]:1/cb"], test).unwrap();
        assert_eq!(l.mode(), RedirectMode::Test);
        assert_eq!(RedirectAllowList::new(&["https://a.example/"], live).unwrap().mode(), RedirectMode::Live);
        // A realistic large manifest (many permissions, 100 redirect URIs) is accepted.
        let uris: Vec<String> = (0..100).map(|i| format!("\"https://app{i}.example.com/stripe/callback\"")).collect();
        let perms: Vec<String> =
            (0..200).map(|i| format!("{{\"permission\":\"perm_{i}_read\",\"purpose\":\"why {i}\"}}")).collect();
        let big = format!(
            r#"{{"id":"com.example.app","permissions":[{}],"allowed_redirect_uris":[{}]}}"#,
            perms.join(","),
            uris.join(",")
        );
        assert!(big.len() > 10_000);
        assert_eq!(AppManifest::parse(&big, live).unwrap().redirect_uris().entries().len(), 100);
        let doc = |pad: usize| {
            format!(r#"{{"id":"x","allowed_redirect_uris":["https://a.example/"],"p":"{}"}}"#, "a".repeat(pad))
        };
        let base = doc(0).len();
        assert!(AppManifest::parse(&doc(MAX_MANIFEST_LEN - base), live).is_ok());
        assert!(AppManifest::parse(&doc(MAX_MANIFEST_LEN - base + 1), live).is_err());
    }

    #[test]
    fn manifest_errors() {
        assert_eq!(AppManifest::parse("{", RedirectMode::Live).unwrap_err().code(), "invalid_manifest");
        assert_eq!(AppManifest::parse("{\"id\":\"x\"}", RedirectMode::Live).unwrap_err().code(), "invalid_manifest");
        assert_eq!(
            AppManifest::parse(r#"{"id":"x","allowed_redirect_uris":["http://example.com/"]}"#, RedirectMode::Live)
                .unwrap_err()
                .code(),
            "invalid_redirect_config"
        );
    }
}
