//! Authorize and install links for the three flows (PROTOCOL §2).
//!
//! Values are percent-encoded per RFC 3986 (everything but unreserved characters; space is
//! `%20`); `[` and `]` in parameter names stay literal, as stripe-node and stripe-go send
//! them. Connect parameters come in a fixed order. Every `redirect_uri` goes through a
//! [`RedirectAllowList`]; when none is requested, the list's default (first) entry is used.

use crate::encoding::percent_encode_into;
use crate::error::{Error, Result};
use crate::ids::{CLIENT_ID, LINK_ID, TEST_LINK_ID};
use crate::redirect::RedirectAllowList;
use crate::urls::base_url;

/// Default base of Stripe Apps links.
pub const MARKETPLACE_BASE: &str = "https://marketplace.stripe.com";
/// Default base of Connect OAuth links and endpoints.
pub const CONNECT_BASE: &str = "https://connect.stripe.com";
/// Largest accepted `state` value in a link, in bytes.
pub const MAX_LINK_STATE_LEN: usize = 1024;

/// A query string under construction: `?k=v&k=v`, values percent-encoded.
struct Query {
    out: String,
    first: bool,
}

impl Query {
    /// A link to the concatenation of `parts` (the base URL and the path), with room for a
    /// typical query.
    fn new(parts: &[&str]) -> Self {
        let len = parts.iter().fold(256usize, |n, p| n.saturating_add(p.len()));
        let mut out = String::with_capacity(len);
        for p in parts {
            out.push_str(p);
        }
        Self { out, first: true }
    }

    fn push(&mut self, key: &str, value: &str) {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        // Keys are our own constants: letters, `_`, `[` and `]`, written literally.
        self.out.push_str(key);
        self.out.push('=');
        percent_encode_into(&mut self.out, value);
    }

    fn finish(self) -> String {
        self.out
    }
}

fn check_link_state(state: Option<&str>) -> Result<()> {
    match state {
        Some(s) if s.len() > MAX_LINK_STATE_LEN => {
            Err(Error::InvalidArgument { what: "state", reason: "it is longer than 1024 bytes" })
        }
        _ => Ok(()),
    }
}

/// Parameters of a Stripe Apps install link.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, install::{InstallLinkParams, install_link}};
/// let list = RedirectAllowList::new(&["https://a.example/cb"], RedirectMode::Live).unwrap();
/// let p = InstallLinkParams { link_id: "lnk", state: Some("s"), base_url: Some("http://127.0.0.1:9000"), ..Default::default() };
/// assert_eq!(install_link(&p, &list).unwrap(), "http://127.0.0.1:9000/apps/install/link/lnk?redirect_uri=https%3A%2F%2Fa.example%2Fcb&state=s");
/// ```
#[derive(Clone, Debug, Default)]
pub struct InstallLinkParams<'a> {
    /// The install link id from the app's Settings tab (the last path segment of the link).
    pub link_id: &'a str,
    /// The redirect URI; must be in the allow-list. Defaults to the list's first entry.
    pub redirect_uri: Option<&'a str>,
    /// The `state` value (recommended). Defaults to none.
    pub state: Option<&'a str>,
    /// Base URL override (a local emulator). Defaults to `https://marketplace.stripe.com`.
    pub base_url: Option<&'a str>,
}

/// Builds `https://marketplace.stripe.com/apps/install/link/{link_id}?redirect_uri=…&state=…`.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, install::{install_link, InstallLinkParams}};
/// let list = RedirectAllowList::new(&["https://example.com/callback"], RedirectMode::Live).unwrap();
/// let link = install_link(&InstallLinkParams { link_id: "abc123", state: Some("s t"), ..Default::default() }, &list).unwrap();
/// assert_eq!(link, "https://marketplace.stripe.com/apps/install/link/abc123?redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&state=s%20t");
/// ```
///
/// # Errors
/// `invalid_argument` (link id, state, base URL), `redirect_uri_not_allowed`.
pub fn install_link(p: &InstallLinkParams<'_>, redirects: &RedirectAllowList) -> Result<String> {
    LINK_ID.check(p.link_id)?;
    check_link_state(p.state)?;
    let redirect = redirects.resolve(p.redirect_uri)?;
    let base = base_url(p.base_url, MARKETPLACE_BASE)?;
    let mut q = Query::new(&[&base, "/apps/install/link/", p.link_id]);
    q.push("redirect_uri", redirect);
    if let Some(s) = p.state {
        q.push("state", s);
    }
    Ok(q.finish())
}

/// Parameters of a Stripe Apps OAuth authorize link.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{AppsOAuthLinkParams, apps_oauth_link}};
/// let list = RedirectAllowList::new(&["https://a.example/cb"], RedirectMode::Live).unwrap();
/// let p = AppsOAuthLinkParams { client_id: "ca_1", ..Default::default() };
/// assert_eq!(apps_oauth_link(&p, &list).unwrap(), "https://marketplace.stripe.com/oauth/v2/authorize?client_id=ca_1&redirect_uri=https%3A%2F%2Fa.example%2Fcb");
/// ```
#[derive(Clone, Debug, Default)]
pub struct AppsOAuthLinkParams<'a> {
    /// The app's OAuth client id (`ca_…`).
    pub client_id: &'a str,
    /// The redirect URI; must be in the allow-list. Defaults to the list's first entry.
    pub redirect_uri: Option<&'a str>,
    /// The `state` value (recommended). Defaults to none.
    pub state: Option<&'a str>,
    /// The test link id (`chnlink_…`) for test-mode links from the External test tab.
    /// Defaults to none (the public link).
    pub test_link_id: Option<&'a str>,
    /// Base URL override (a local emulator). Defaults to `https://marketplace.stripe.com`.
    pub base_url: Option<&'a str>,
    /// The environment the link is for, when you say: live links have no link id, test and
    /// sandbox links must have one. Put the same mode in the state token.
    pub mode: Option<crate::state::LinkMode>,
}

/// Builds `https://marketplace.stripe.com/oauth/v2[/{chnlink_…}]/authorize?client_id=…&redirect_uri=…&state=…`.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{apps_oauth_link, AppsOAuthLinkParams}};
/// let list = RedirectAllowList::new(&["https://example.com/cb"], RedirectMode::Live).unwrap();
/// let link = apps_oauth_link(&AppsOAuthLinkParams {
///     client_id: "ca_123", state: Some("xyz"), test_link_id: Some("chnlink_9"), ..Default::default()
/// }, &list).unwrap();
/// assert_eq!(link, "https://marketplace.stripe.com/oauth/v2/chnlink_9/authorize?client_id=ca_123&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=xyz");
/// ```
///
/// # Errors
/// `invalid_argument` (client id, test link id, state, base URL), `redirect_uri_not_allowed`.
pub fn apps_oauth_link(p: &AppsOAuthLinkParams<'_>, redirects: &RedirectAllowList) -> Result<String> {
    CLIENT_ID.check(p.client_id)?;
    check_link_state(p.state)?;
    let redirect = redirects.resolve(p.redirect_uri)?;
    let base = base_url(p.base_url, MARKETPLACE_BASE)?;
    match (p.mode, p.test_link_id) {
        (Some(crate::state::LinkMode::Live), Some(_)) => {
            return Err(Error::InvalidArgument {
                what: "test_link_id",
                reason: "a live link has no link id: drop test_link_id, or build a test or sandbox link",
            })
        }
        (Some(crate::state::LinkMode::Test | crate::state::LinkMode::Sandbox), None) => {
            return Err(Error::InvalidArgument {
                what: "test_link_id",
                reason: "test and sandbox links carry their chnlink_ link id in the path: pass test_link_id",
            })
        }
        _ => {}
    }
    let mut q = match p.test_link_id {
        Some(id) => {
            TEST_LINK_ID.check(id)?;
            Query::new(&[&base, "/oauth/v2/", id, "/authorize"])
        }
        None => Query::new(&[&base, "/oauth/v2/authorize"]),
    };
    q.push("client_id", p.client_id);
    q.push("redirect_uri", redirect);
    if let Some(s) = p.state {
        q.push("state", s);
    }
    Ok(q.finish())
}

/// The access a Standard-account platform asks for. There is no default: pick one.
///
/// ```
/// use stripe_handshake::oauth::{ConnectAccountType, Scope};
/// let standard = ConnectAccountType::Standard { scope: Scope::ReadOnly };
/// assert_eq!(Scope::parse(Scope::ReadOnly.as_str()).unwrap(), Scope::ReadOnly);
/// # let _ = standard;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `read_write`: act on the account.
    ReadWrite,
    /// `read_only`: read the account's data.
    ReadOnly,
}

impl Scope {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::oauth::Scope::ReadWrite.as_str(), "read_write");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReadWrite => "read_write",
            Self::ReadOnly => "read_only",
        }
    }

    /// Parses the wire value.
    ///
    /// ```
    /// # use stripe_handshake::oauth::Scope;
    /// assert_eq!(Scope::parse("read_only").unwrap(), Scope::ReadOnly);
    /// assert!(Scope::parse("admin").is_err());
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "read_write" => Ok(Self::ReadWrite),
            "read_only" => Ok(Self::ReadOnly),
            _ => Err(Error::InvalidArgument { what: "scope", reason: "use read_write or read_only" }),
        }
    }
}

/// Which Connect OAuth variant to link to.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{ConnectLinkParams, ConnectAccountType, connect_oauth_link}};
/// let list = RedirectAllowList::new(&["https://a.example/cb"], RedirectMode::Live).unwrap();
/// let express = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
/// assert!(connect_oauth_link(&express, &list).unwrap().starts_with("https://connect.stripe.com/express/oauth/authorize?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectAccountType {
    /// Standard accounts (`/oauth/authorize`), with an explicit scope.
    Standard {
        /// The scope to request.
        scope: Scope,
    },
    /// Express accounts (`/express/oauth/authorize`). Legacy: OAuth for Express is not
    /// available to new Connect platforms; onboard them with Account Links
    /// ([`crate::account_links`]).
    Express,
}

impl ConnectAccountType {
    /// Builds the variant from its wire name (`"standard"` or `"express"`) and an optional
    /// scope name: Standard requires a scope, Express takes none. For bindings and config files.
    ///
    /// ```
    /// use stripe_handshake::oauth::{ConnectAccountType, Scope};
    /// assert_eq!(ConnectAccountType::parse("standard", Some("read_only")).unwrap(),
    ///            ConnectAccountType::Standard { scope: Scope::ReadOnly });
    /// assert_eq!(ConnectAccountType::parse("express", None).unwrap(), ConnectAccountType::Express);
    /// assert!(ConnectAccountType::parse("standard", None).is_err());
    /// assert!(ConnectAccountType::parse("express", Some("read_write")).is_err());
    /// ```
    ///
    /// # Errors
    /// `invalid_argument`.
    pub fn parse(kind: &str, scope: Option<&str>) -> Result<Self> {
        let scope = scope.map(Scope::parse).transpose()?;
        match (kind, scope) {
            ("standard", Some(scope)) => Ok(Self::Standard { scope }),
            ("standard", None) => Err(Error::InvalidArgument {
                what: "scope",
                reason: "Standard links need an explicit scope: read_write or read_only",
            }),
            ("express", None) => Ok(Self::Express),
            ("express", Some(_)) => {
                Err(Error::InvalidArgument { what: "scope", reason: "Express links take no scope" })
            }
            _ => Err(Error::InvalidArgument { what: "account_type", reason: "use standard or express" }),
        }
    }
}

/// Which page the user lands on.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{ConnectLinkParams, ConnectAccountType, StripeLanding, connect_oauth_link}};
/// let list = RedirectAllowList::new(&["https://a.example/cb"], RedirectMode::Live).unwrap();
/// let mut p = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
/// p.stripe_landing = Some(StripeLanding::Login);
/// assert!(connect_oauth_link(&p, &list).unwrap().ends_with("&stripe_landing=login"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripeLanding {
    /// The sign-in page.
    Login,
    /// The account application.
    Register,
}

impl StripeLanding {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(stripe_handshake::oauth::StripeLanding::Login.as_str(), "login");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Register => "register",
        }
    }

    /// Parses the wire value.
    ///
    /// ```
    /// # use stripe_handshake::oauth::StripeLanding;
    /// assert_eq!(StripeLanding::parse("register").unwrap(), StripeLanding::Register);
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for any other string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "login" => Ok(Self::Login),
            "register" => Ok(Self::Register),
            _ => Err(Error::InvalidArgument { what: "stripe_landing", reason: "use login or register" }),
        }
    }
}

macro_rules! prefill_fields {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A `stripe_user[…]` prefill key, in the order Stripe documents them.
        ///
        /// ```
        /// use stripe_handshake::oauth::StripeUserField;
        /// assert_eq!(StripeUserField::ALL.len(), 27);
        /// assert_eq!(StripeUserField::ALL[0], StripeUserField::Email);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(missing_docs)]
        pub enum StripeUserField { $($variant),* }

        impl StripeUserField {
            /// Every key, in link order.
            pub const ALL: &'static [StripeUserField] = &[$(Self::$variant),*];

            /// The key as it appears inside `stripe_user[…]`.
            ///
            /// ```
            /// assert_eq!(stripe_handshake::oauth::StripeUserField::BusinessName.as_str(), "business_name");
            /// ```
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            /// Parses a key name.
            ///
            /// ```
            /// # use stripe_handshake::oauth::StripeUserField;
            /// assert_eq!(StripeUserField::parse("email").unwrap(), StripeUserField::Email);
            /// assert!(StripeUserField::parse("password").is_err());
            /// ```
            ///
            /// # Errors
            /// `invalid_argument` for an unknown key.
            pub fn parse(s: &str) -> Result<Self> {
                match s {
                    $($name => Ok(Self::$variant),)*
                    _ => Err(Error::InvalidArgument { what: "stripe_user", reason: "unknown prefill key" }),
                }
            }
        }
    };
}

prefill_fields! {
    Email => "email", Url => "url", Country => "country", PhoneNumber => "phone_number",
    BusinessName => "business_name", BusinessType => "business_type", FirstName => "first_name",
    LastName => "last_name", DobDay => "dob_day", DobMonth => "dob_month", DobYear => "dob_year",
    StreetAddress => "street_address", City => "city", State => "state", Zip => "zip",
    PhysicalProduct => "physical_product", ProductDescription => "product_description",
    Currency => "currency", FirstNameKana => "first_name_kana", FirstNameKanji => "first_name_kanji",
    LastNameKana => "last_name_kana", LastNameKanji => "last_name_kanji", Gender => "gender",
    BlockKana => "block_kana", BlockKanji => "block_kanji", BuildingKana => "building_kana",
    BuildingKanji => "building_kanji",
}

/// Parameters of a Connect OAuth authorize link.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{ConnectLinkParams, ConnectAccountType, StripeUserField, connect_oauth_link}};
/// let list = RedirectAllowList::new(&["https://a.example/cb"], RedirectMode::Live).unwrap();
/// let mut p = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
/// p.suggested_capabilities = vec!["transfers"];
/// p.stripe_user = vec![(StripeUserField::Country, "DE")];
/// assert!(connect_oauth_link(&p, &list).unwrap().ends_with("&suggested_capabilities[]=transfers&stripe_user[country]=DE"));
/// ```
#[derive(Clone, Debug)]
pub struct ConnectLinkParams<'a> {
    /// The platform's client id (`ca_…`).
    pub client_id: &'a str,
    /// Standard (with scope) or Express.
    pub account_type: ConnectAccountType,
    /// The redirect URI; must be in the allow-list. Defaults to the list's first entry.
    pub redirect_uri: Option<&'a str>,
    /// The `state` value (strongly recommended: it is Connect's only CSRF defence).
    /// Defaults to none.
    pub state: Option<&'a str>,
    /// Sign-in or registration page. Defaults to Stripe's choice (not sent).
    pub stripe_landing: Option<StripeLanding>,
    /// Ask again even if already connected. Defaults to not sent.
    pub always_prompt: Option<bool>,
    /// `suggested_capabilities[]` (Express only). Defaults to empty.
    pub suggested_capabilities: Vec<&'a str>,
    /// `stripe_user[…]` prefill, any order; sent in Stripe's documented order. Defaults to empty.
    pub stripe_user: Vec<(StripeUserField, &'a str)>,
    /// Base URL override (a local emulator). Defaults to `https://connect.stripe.com`.
    pub base_url: Option<&'a str>,
}

impl<'a> ConnectLinkParams<'a> {
    /// Parameters with only the required fields set.
    ///
    /// ```
    /// use stripe_handshake::oauth::{ConnectLinkParams, ConnectAccountType, Scope};
    /// let p = ConnectLinkParams::new("ca_123", ConnectAccountType::Standard { scope: Scope::ReadWrite });
    /// assert!(p.state.is_none());
    /// ```
    #[must_use]
    pub fn new(client_id: &'a str, account_type: ConnectAccountType) -> Self {
        Self {
            client_id,
            account_type,
            redirect_uri: None,
            state: None,
            stripe_landing: None,
            always_prompt: None,
            suggested_capabilities: Vec::new(),
            stripe_user: Vec::new(),
            base_url: None,
        }
    }
}

/// Builds a Connect OAuth authorize link with parameters in the fixed order
/// `response_type, client_id, scope, redirect_uri, state, stripe_landing, always_prompt,
/// suggested_capabilities[], stripe_user[…]`.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, oauth::{ConnectLinkParams, ConnectAccountType, Scope, StripeUserField, connect_oauth_link}};
/// let list = RedirectAllowList::new(&["https://example.com/cb"], RedirectMode::Live).unwrap();
/// let mut p = ConnectLinkParams::new("ca_123", ConnectAccountType::Standard { scope: Scope::ReadWrite });
/// p.state = Some("st");
/// p.stripe_user = vec![(StripeUserField::Email, "a@b.co")];
/// assert_eq!(connect_oauth_link(&p, &list).unwrap(),
///   "https://connect.stripe.com/oauth/authorize?response_type=code&client_id=ca_123&scope=read_write&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&state=st&stripe_user[email]=a%40b.co");
/// ```
///
/// # Errors
/// `invalid_argument` (client id, state, capabilities on Standard, a capability name, a
/// repeated prefill key, a prefill value over 1 KiB, base URL), `redirect_uri_not_allowed`.
pub fn connect_oauth_link(p: &ConnectLinkParams<'_>, redirects: &RedirectAllowList) -> Result<String> {
    CLIENT_ID.check(p.client_id)?;
    check_link_state(p.state)?;
    let redirect = redirects.resolve(p.redirect_uri)?;
    let base = base_url(p.base_url, CONNECT_BASE)?;
    let bad = |what, reason| Error::InvalidArgument { what, reason };
    let (path, scope) = match &p.account_type {
        ConnectAccountType::Standard { scope } => {
            if !p.suggested_capabilities.is_empty() {
                return Err(bad("suggested_capabilities", "only Express links take suggested capabilities"));
            }
            ("/oauth/authorize", Some(*scope))
        }
        ConnectAccountType::Express => ("/express/oauth/authorize", None),
    };
    for cap in &p.suggested_capabilities {
        if cap.is_empty()
            || cap.len() > 64
            || !cap.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(bad("suggested_capabilities", "a capability is lowercase letters, digits and '_'"));
        }
    }
    let mut prefill = p.stripe_user.clone();
    prefill.sort_by_key(|(k, _)| *k);
    if prefill.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return Err(bad("stripe_user", "a prefill key is given twice"));
    }
    if prefill.iter().any(|(_, v)| v.len() > 1024) {
        return Err(bad("stripe_user", "a prefill value is longer than 1024 bytes"));
    }

    let mut q = Query::new(&[&base, path]);
    q.push("response_type", "code");
    q.push("client_id", p.client_id);
    if let Some(scope) = scope {
        q.push("scope", scope.as_str());
    }
    q.push("redirect_uri", redirect);
    if let Some(s) = p.state {
        q.push("state", s);
    }
    if let Some(l) = p.stripe_landing {
        q.push("stripe_landing", l.as_str());
    }
    if let Some(a) = p.always_prompt {
        q.push("always_prompt", if a { "true" } else { "false" });
    }
    for cap in &p.suggested_capabilities {
        q.push("suggested_capabilities[]", cap);
    }
    let mut key = String::new();
    for (field, value) in &prefill {
        key.clear();
        key.push_str("stripe_user[");
        key.push_str(field.as_str());
        key.push(']');
        q.push(&key, value);
    }
    Ok(q.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redirect::RedirectMode;

    fn list() -> RedirectAllowList {
        RedirectAllowList::new(&["https://example.com/cb"], RedirectMode::Live).unwrap()
    }

    #[test]
    fn base_url_override() {
        let p = InstallLinkParams { link_id: "x", base_url: Some("http://127.0.0.1:8080/"), ..Default::default() };
        assert_eq!(
            install_link(&p, &list()).unwrap(),
            "http://127.0.0.1:8080/apps/install/link/x?redirect_uri=https%3A%2F%2Fexample.com%2Fcb"
        );
        let p = InstallLinkParams { link_id: "x", base_url: Some("ftp://x/"), ..Default::default() };
        assert_eq!(install_link(&p, &list()).unwrap_err().code(), "invalid_argument");
    }

    #[test]
    fn boundaries() {
        let l = list();
        let link = |id: &str, base: Option<&str>| {
            install_link(&InstallLinkParams { link_id: id, base_url: base, ..Default::default() }, &l)
        };
        assert!(link(&"a".repeat(255), None).is_ok());
        assert!(link(&"a".repeat(256), None).is_err());
        assert!(link("a", Some("https://m.example/#frag")).is_err());
        assert!(link("a", Some("https://m.example/?q")).is_err());
        assert!(link("a", Some("https://u@m.example/")).is_err());
        assert!(link("a", Some("https://m.example/base/"))
            .unwrap()
            .starts_with("https://m.example/base/apps/install/link/a?"));
        let express = |caps: Vec<&str>, email: &str| {
            let mut p = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
            p.suggested_capabilities = caps;
            p.stripe_user = vec![(StripeUserField::Email, email)];
            connect_oauth_link(&p, &l)
        };
        let c64 = "c".repeat(64);
        assert!(express(vec![&c64], "e").is_ok());
        assert!(express(vec![&"c".repeat(65)], "e").is_err());
        assert!(express(vec![""], "e").is_err());
        assert!(express(vec!["Card"], "e").is_err());
        assert!(express(vec![], &"e".repeat(1024)).is_ok());
        assert!(express(vec![], &"e".repeat(1025)).is_err());
        assert!(matches!(
            ConnectAccountType::parse("standard", None),
            Err(Error::InvalidArgument { what: "scope", .. })
        ));
        assert!(matches!(
            ConnectAccountType::parse("express", Some("read_only")),
            Err(Error::InvalidArgument { what: "scope", .. })
        ));
        assert!(matches!(
            ConnectAccountType::parse("custom", None),
            Err(Error::InvalidArgument { what: "account_type", .. })
        ));
    }

    #[test]
    fn express_and_errors() {
        let mut p = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
        p.suggested_capabilities = vec!["transfers", "card_payments"];
        p.always_prompt = Some(true);
        p.stripe_landing = Some(StripeLanding::Register);
        assert_eq!(
            connect_oauth_link(&p, &list()).unwrap(),
            "https://connect.stripe.com/express/oauth/authorize?response_type=code&client_id=ca_1&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&stripe_landing=register&always_prompt=true&suggested_capabilities[]=transfers&suggested_capabilities[]=card_payments"
        );
        let mut s = ConnectLinkParams::new("ca_1", ConnectAccountType::Standard { scope: Scope::ReadOnly });
        s.suggested_capabilities = vec!["transfers"];
        assert_eq!(connect_oauth_link(&s, &list()).unwrap_err().code(), "invalid_argument");
        let bad = ConnectLinkParams::new("pk_1", ConnectAccountType::Express);
        assert_eq!(connect_oauth_link(&bad, &list()).unwrap_err().code(), "invalid_argument");
        let mut dup = ConnectLinkParams::new("ca_1", ConnectAccountType::Express);
        dup.stripe_user = vec![(StripeUserField::Email, "a"), (StripeUserField::Email, "b")];
        assert_eq!(connect_oauth_link(&dup, &list()).unwrap_err().code(), "invalid_argument");
    }
}
