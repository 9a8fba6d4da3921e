//! One rule for every id this library reads or writes: a fixed prefix (for some kinds), then
//! at least one byte of `A-Z a-z 0-9 _ -`, the whole id within a length cap.
//!
//! Ids go into URLs, form bodies and signed payloads; one charset means an id that one
//! function accepts (say, the `account_id` of an install callback) is accepted by every other
//! (say, `deauthorize_request`), and none of them can carry `&`, `=`, `%`, `/` or whitespace.

use crate::error::{Error, Result};

/// What an id of one kind looks like.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdKind {
    /// The argument's name, as errors report it.
    pub(crate) what: &'static str,
    prefix: &'static str,
    max: usize,
    reason: &'static str,
}

const fn kind(what: &'static str, prefix: &'static str, max: usize, reason: &'static str) -> IdKind {
    IdKind { what, prefix, max, reason }
}

/// A Connect / Stripe Apps OAuth client id.
pub(crate) const CLIENT_ID: IdKind =
    kind("client_id", "ca_", 255, "it must be a client id: ca_ then letters, digits, '_' or '-', at most 255 bytes");
/// A connected account.
pub(crate) const ACCOUNT_ID: IdKind = kind(
    "stripe_user_id",
    "acct_",
    255,
    "it must be an account id: acct_ then letters, digits, '_' or '-', at most 255 bytes",
);
/// The id of a Stripe Apps install link (the last path segment of the link).
pub(crate) const LINK_ID: IdKind = kind("link_id", "", 255, "it must be 1-255 letters, digits, '_' or '-'");
/// A test-mode Stripe Apps OAuth link id.
pub(crate) const TEST_LINK_ID: IdKind =
    kind("test_link_id", "chnlink_", 255, "it must be chnlink_ then letters, digits, '_' or '-', at most 255 bytes");
/// A callback's `user_id` or `code`.
pub(crate) const CALLBACK_ID: IdKind =
    kind("id", "", crate::callback::MAX_ID_LEN, "an id has characters other than A-Z a-z 0-9 _ - or is over 255 bytes");
/// An authorization code or a refresh token handed to a request builder.
pub(crate) const TOKEN: IdKind = kind("token", "", 512, "it must be 1-512 characters of A-Z a-z 0-9 _ -");
/// An event id (`evt_…`): of a webhook event or an event notification.
pub(crate) const EVENT_ID: IdKind =
    kind("event_id", "evt_", 255, "it must be an event id: evt_ then letters, digits, '_' or '-', at most 255 bytes");
/// One segment of a `Stripe-Context` (`acct_…`, or a segment of `acct_1/acct_2`).
pub(crate) const CONTEXT_SEGMENT: IdKind =
    kind("context", "", 255, "it must be account ids (acct_...) separated by '/', each of letters, digits, '_' or '-'");
/// A secret key after its `sk_live_`/`sk_test_` prefix.
pub(crate) const SECRET_KEY_BODY: IdKind =
    kind("secret_key", "", 512, "the secret key is malformed; copy it again from the Dashboard");

/// The bytes an id may hold after its prefix.
const fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl IdKind {
    /// Whether `value` is an id of this kind.
    pub(crate) fn matches(&self, value: &str) -> bool {
        value.len() <= self.max
            && value.strip_prefix(self.prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(is_id_byte))
    }

    /// An argument check: `invalid_argument` naming the argument.
    pub(crate) fn check(&self, value: &str) -> Result<()> {
        self.check_as(value, self.what)
    }

    /// As [`Self::check`], naming the argument `what`.
    pub(crate) fn check_as(&self, value: &str, what: &'static str) -> Result<()> {
        if self.matches(value) {
            Ok(())
        } else {
            Err(Error::InvalidArgument { what, reason: self.reason })
        }
    }

    /// Why a value is not an id of this kind (for errors of other families).
    pub(crate) const fn reason(&self) -> &'static str {
        self.reason
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_charset_prefix_and_cap() {
        for id in ["acct_1", "acct_test_deauth", "acct_a-b", "acct_ON3nXtRQkhmUIQ"] {
            assert!(ACCOUNT_ID.matches(id), "{id}");
        }
        for id in ["acct_", "usr_1", "acct_a b", "acct_a&b=c", "acct_é", "ACCT_1", ""] {
            assert!(!ACCOUNT_ID.matches(id), "{id}");
        }
        assert!(ACCOUNT_ID.matches(&format!("acct_{}", "a".repeat(250))));
        assert!(!ACCOUNT_ID.matches(&format!("acct_{}", "a".repeat(251))));
        assert!(LINK_ID.matches("a") && !LINK_ID.matches("") && !LINK_ID.matches("a/b"));
        assert!(TOKEN.matches(&"t".repeat(512)) && !TOKEN.matches(&"t".repeat(513)));
        assert_eq!(CLIENT_ID.check("pk_1").unwrap_err().code(), "invalid_argument");
        assert_eq!(TOKEN.check_as("a b", "code").unwrap_err().to_string().split(':').next(), Some("code"));
    }
}
