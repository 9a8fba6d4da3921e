//! The one error type of the crate, with stable snake_case codes.
//!
//! Every failure of every function in this crate is an [`Error`]. Each variant has a
//! [`code`](Error::code) that never changes meaning; the Node, Python and WASM bindings
//! expose the same string as `.code` on their native exceptions. [`Error::ALL_CODES`]
//! lists every code once, and a test pins that list to `tests/vectors/error_codes.json`.
//!
//! Messages ([`Display`](core::fmt::Display)) say what happened and what to do next. They
//! never contain a secret, a computed MAC or an expected signature.

use core::fmt;

/// What an OAuth endpoint (or a denied authorization redirect) said went wrong.
///
/// The `error` strings of RFC 6749 §5.2 and §4.1.2.1 as Stripe uses them; anything else is
/// [`OAuthErrorKind::Other`] and keeps the original string in [`Error::OAuth`].
///
/// ```
/// use stripe_handshake::OAuthErrorKind;
/// assert_eq!(OAuthErrorKind::from_wire("invalid_grant"), OAuthErrorKind::InvalidGrant);
/// assert_eq!(OAuthErrorKind::from_wire("something_new").as_str(), "other");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorKind {
    /// The code or refresh token is invalid, expired, revoked or already used.
    InvalidGrant,
    /// A parameter is missing, repeated or malformed.
    InvalidRequest,
    /// The client (your secret key or client id) was not accepted.
    InvalidClient,
    /// The requested scope is not allowed.
    InvalidScope,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The response type is not supported.
    UnsupportedResponseType,
    /// The user denied the request (cancel on the consent page).
    AccessDenied,
    /// The redirect URI is not registered for this client.
    InvalidRedirectUri,
    /// Any other error string; the original is kept in [`Error::OAuth`]'s `error`.
    Other,
}

impl OAuthErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [OAuthErrorKind] = &[
        Self::InvalidGrant,
        Self::InvalidRequest,
        Self::InvalidClient,
        Self::InvalidScope,
        Self::UnsupportedGrantType,
        Self::UnsupportedResponseType,
        Self::AccessDenied,
        Self::InvalidRedirectUri,
        Self::Other,
    ];

    /// Maps the wire `error` string to a kind; unknown strings map to [`Self::Other`].
    ///
    /// ```
    /// # use stripe_handshake::OAuthErrorKind;
    /// assert_eq!(OAuthErrorKind::from_wire("access_denied"), OAuthErrorKind::AccessDenied);
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Self {
        match s {
            "invalid_grant" => Self::InvalidGrant,
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_scope" => Self::InvalidScope,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "access_denied" => Self::AccessDenied,
            "invalid_redirect_uri" => Self::InvalidRedirectUri,
            _ => Self::Other,
        }
    }

    /// The snake_case name of the kind (`"other"` for [`Self::Other`]).
    ///
    /// ```
    /// # use stripe_handshake::OAuthErrorKind;
    /// assert_eq!(OAuthErrorKind::InvalidGrant.as_str(), "invalid_grant");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::AccessDenied => "access_denied",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::Other => "other",
        }
    }
}

/// The family an error belongs to. Bindings map each family to one exception class.
///
/// ```
/// use stripe_handshake::{Error, ErrorFamily};
/// assert_eq!(Error::SignatureMismatch.family(), ErrorFamily::Signature);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorFamily {
    /// A `Stripe-Signature` header or an `install_signature` did not verify.
    Signature,
    /// A `state` value or token did not check out.
    State,
    /// A `redirect_uri` or an allow-list entry broke the rules.
    Redirect,
    /// An OAuth endpoint answered with an error, or its answer was unusable.
    OAuth,
    /// An argument, a key, a secret or a configuration is unusable (a caller mistake).
    InvalidInput,
    /// Input from the network (query, body) is malformed or too large.
    MalformedInput,
    /// A one-time store (state nonces, event ids) could not answer.
    Store,
    /// A bug in this library, or the OS random source failed.
    Internal,
}

impl ErrorFamily {
    /// The snake_case name of the family.
    ///
    /// ```
    /// # use stripe_handshake::ErrorFamily;
    /// assert_eq!(ErrorFamily::OAuth.as_str(), "oauth");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::State => "state",
            Self::Redirect => "redirect",
            Self::OAuth => "oauth",
            Self::InvalidInput => "invalid_input",
            Self::MalformedInput => "malformed_input",
            Self::Store => "store",
            Self::Internal => "internal",
        }
    }
}

/// One row per error: the variant (with its documentation and fields), its stable code, its
/// family and the one-line summary the README's table shows. [`Error::code`],
/// [`Error::family`], [`Error::ALL_CODES`] and [`Error::TABLE`] are generated from it, so a
/// code is written once (as pydantic-core's `error_types!`).
macro_rules! errors {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $({ $($(#[doc = $fdoc:literal])* $field:ident : $ty:ty),* $(,)? })?
            => $code:literal, $family:ident, $summary:literal;
    )*) => {
        /// Every failure of this crate.
        ///
        /// Match on [`Error::code`] (stable strings) rather than on the variants when you log or
        /// forward errors; the enum is `#[non_exhaustive]` and may gain variants.
        ///
        /// ```
        /// use stripe_handshake::Error;
        /// let e = Error::TimestampTooOld { age_secs: 512, tolerance_secs: 300 };
        /// assert_eq!(e.code(), "timestamp_too_old");
        /// assert!(e.to_string().contains("512 s"));
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Error {
            $(
                $(#[doc = $doc])*
                $name $({ $($(#[doc = $fdoc])* $field: $ty),* })?,
            )*
        }

        impl Error {
            /// Every code, once, in a fixed order. Pinned by `tests/vectors/error_codes.json`.
            pub const ALL_CODES: &'static [&'static str] = &[$($code),*];

            /// Every code with its family and a one-line summary, in the order of
            /// [`Error::ALL_CODES`]. The README's table of error codes is checked against it.
            pub const TABLE: &'static [ErrorCode] =
                &[$(ErrorCode { code: $code, family: ErrorFamily::$family, summary: $summary }),*];

            /// The stable snake_case code of this error.
            ///
            /// ```
            /// # use stripe_handshake::Error;
            /// assert_eq!(Error::SignatureMismatch.code(), "signature_mismatch");
            /// ```
            #[must_use]
            pub const fn code(&self) -> &'static str {
                match self {
                    $(Self::$name $({ $($field: _),* })? => $code,)*
                }
            }

            /// The family of this error; bindings map each family to one exception class.
            ///
            /// ```
            /// # use stripe_handshake::{Error, ErrorFamily};
            /// assert_eq!(Error::StateMissing.family(), ErrorFamily::State);
            /// ```
            #[must_use]
            pub const fn family(&self) -> ErrorFamily {
                match self {
                    $(Self::$name $({ $($field: _),* })? => ErrorFamily::$family,)*
                }
            }
        }
    };
}

/// A row of [`Error::TABLE`]: a code, its family and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode {
    /// The stable snake_case code ([`Error::code`]).
    pub code: &'static str,
    /// The family ([`Error::family`]).
    pub family: ErrorFamily,
    /// When it happens, in one line (Markdown).
    pub summary: &'static str,
}

errors! {
    // ---- Stripe-Signature / install_signature -------------------------------------
    /// The signature header (or `install_signature`) is absent or empty.
    MissingHeader
        => "missing_header", Signature, "the signature header (or `install_signature`) is absent or empty";
    /// An element of the header is not `key=value` with exactly one `=`.
    MalformedHeader
        => "malformed_header", Signature, "an element is not `key=value` with exactly one `=`";
    /// The header is longer than the 8 KiB cap.
    HeaderTooLarge {
        /// Length of the header in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    }
        => "header_too_large", Signature, "the header is over 8 KiB";
    /// The header has no `t=` element.
    MissingTimestamp
        => "missing_timestamp", Signature, "no `t=`";
    /// The header has more than one `t=` element.
    DuplicateTimestamp
        => "duplicate_timestamp", Signature, "more than one `t=`";
    /// `t=` is not ASCII digits without sign or leading zero that fit in 64 bits.
    MalformedTimestamp
        => "malformed_timestamp", Signature, "`t=` is not ASCII digits without sign/leading zero fitting 64 bits";
    /// The header has no `v1=` element (only `v0` or other schemes).
    NoV1Signature
        => "no_v1_signature", Signature, "no `v1=` (only `v0` or other schemes)";
    /// No `v1` signature matches any secret. Carries nothing on purpose.
    SignatureMismatch
        => "signature_mismatch", Signature, "no `v1` matches any secret";
    /// The signature is valid but older than the tolerance allows.
    TimestampTooOld {
        /// Seconds between the timestamp and now.
        age_secs: u64,
        /// The tolerance in seconds.
        tolerance_secs: u32,
    }
        => "timestamp_too_old", Signature, "valid, but older than the tolerance";
    /// The signature is valid but further in the future than the tolerance allows.
    TimestampInFuture {
        /// Seconds the timestamp is ahead of now.
        ahead_secs: u64,
        /// The tolerance in seconds.
        tolerance_secs: u32,
    }
        => "timestamp_in_future", Signature, "valid, but further ahead than the tolerance";
    /// The tolerance is zero; it must be a positive number of seconds.
    InvalidTolerance
        => "invalid_tolerance", InvalidInput, "tolerance is 0 (or over 2³²−1)";
    /// A signing secret is empty, too long, or has whitespace around it.
    InvalidSecret {
        /// Why the secret was refused (never the secret itself).
        reason: &'static str,
    }
        => "invalid_secret", InvalidInput, "a signing secret is empty, too long, has surrounding whitespace, or none was given";
    // ---- redirect_uri --------------------------------------------------------------
    /// The requested `redirect_uri` is not byte-equal to an allow-list entry, or is not canonical.
    RedirectUriNotAllowed {
        /// What is wrong with it.
        reason: &'static str,
    }
        => "redirect_uri_not_allowed", Redirect, "the requested redirect URI is not an allow-list entry (or not canonical)";
    /// An allow-list entry breaks the rules (a configuration error).
    InvalidRedirectConfig {
        /// Index of the entry in the list.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    }
        => "invalid_redirect_config", Redirect, "an allow-list entry breaks the rules, or the list is empty";
    /// A `stripe-app.json` manifest could not be used.
    InvalidManifest {
        /// What is wrong with it.
        reason: String,
    }
        => "invalid_manifest", InvalidInput, "`stripe-app.json` is not usable";
    // ---- state ---------------------------------------------------------------------
    /// The callback carries no `state` but the caller expected one.
    StateMissing
        => "state_missing", State, "the callback has no state but one was expected";
    /// The callback carries a `state` but the caller said it expected none.
    UnexpectedState
        => "unexpected_state", State, "the callback has a state but the check said none";
    /// An install without a state whose signature covers `{"user_id":…,"account_id":…}`: the
    /// bytes the app's UI extensions sign with the same secret.
    UiExtensionFormRefused
        => "ui_extension_form_refused", State, "a stateless install signed in the UI extension form, which Dashboard users can produce";
    /// A plain `state` differs from the expected value.
    StateMismatch
        => "state_mismatch", State, "a plain state differs";
    /// A state token is longer than the cap.
    StateTooLarge {
        /// Length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    }
        => "state_too_large", State, "a state is over its cap";
    /// A state token is not valid base64url or its fields are malformed.
    StateMalformed
        => "state_malformed", State, "not a token of this library";
    /// A state token names a key id that none of the configured keys has.
    StateUnknownKey
        => "state_unknown_key", State, "signed with a key id you do not have configured";
    /// A state token's MAC does not verify (forged or tampered).
    StateInvalid
        => "state_invalid", State, "the token's MAC does not verify";
    /// A state token has expired.
    StateExpired {
        /// Seconds since it expired.
        expired_secs_ago: u64,
    }
        => "state_expired", State, "the token has expired";
    /// A state token was issued in the future (clock skew beyond 60 s, or forged).
    StateNotYetValid
        => "state_not_yet_valid", State, "issued more than 60 s in the future";
    /// A state token was issued for another session.
    StateSessionMismatch
        => "state_session_mismatch", State, "issued for another session";
    /// A state token was issued for another flow.
    StateFlowMismatch {
        /// The flow the token was issued for.
        token_flow: &'static str,
        /// The flow the caller expected.
        expected_flow: &'static str,
    }
        => "state_flow_mismatch", State, "issued for another flow";
    /// A state token's nonce was already used: a reload of the callback page, a second tab, or
    /// a replay. The first use stands; this one must not act again (no second code exchange).
    StateReplayed
        => "state_replayed", State, "the state token was already used (a reload of the callback, or a replay)";
    /// The code of a Marketplace authorization (an OAuth-type app installed from the Marketplace,
    /// with no state) was already seen: a reload of the callback page. The first exchange stands;
    /// a second would make Stripe answer `invalid_grant` and may revoke the new connection.
    CodeReplayed
        => "code_replayed", State, "a Marketplace authorization's code was already used (a reload of the callback)";
    /// A state key is too short, has a bad id, or the key set is empty.
    InvalidStateKey {
        /// What is wrong.
        reason: &'static str,
    }
        => "invalid_state_key", InvalidInput, "a state key is short, its id malformed, or the key set is empty/duplicated";
    // ---- callbacks -----------------------------------------------------------------
    /// The query string is malformed (bad percent-encoding, not UTF-8).
    MalformedQuery {
        /// What is wrong.
        reason: &'static str,
    }
        => "malformed_query", MalformedInput, "bad percent-encoding, non-UTF-8, or an id with bad characters";
    /// The query string is longer than the cap.
    QueryTooLarge {
        /// Length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    }
        => "query_too_large", MalformedInput, "the callback query is over 16 KiB";
    /// A parameter that must appear at most once appears twice.
    DuplicateParameter {
        /// The parameter name.
        name: &'static str,
    }
        => "duplicate_parameter", MalformedInput, "a parameter this library reads appears twice";
    /// A required parameter is absent.
    MissingParameter {
        /// The parameter name.
        name: &'static str,
    }
        => "missing_parameter", MalformedInput, "a required parameter is absent";
    // ---- webhooks ------------------------------------------------------------------
    /// The verified body is not a Stripe event (not JSON, or fields missing).
    MalformedEvent {
        /// What is wrong.
        reason: String,
    }
        => "malformed_event", MalformedInput, "the verified webhook body is not a Stripe event";
    /// The event is not of the type the helper handles.
    UnexpectedEventType {
        /// The type the helper handles.
        expected: &'static str,
        /// The event's type (capped).
        actual: String,
    }
        => "unexpected_event_type", MalformedInput, "the helper was given another event type";
    /// A snapshot event (`"object": "event"`) was given to the event-notification verifier.
    SnapshotEventGiven
        => "snapshot_event_given", InvalidInput, "a snapshot event was given where an event notification was expected";
    /// An event notification (a thin event, `"object": "v2.core.event"`) was given to the
    /// webhook (snapshot event) verifier.
    EventNotificationGiven
        => "event_notification_given", InvalidInput, "an event notification was given where a snapshot event was expected";
    // ---- OAuth ---------------------------------------------------------------------
    /// The API key is not a secret key (`pk_`, `rk_`, or unrecognised).
    InvalidApiKey {
        /// What kind of key it looks like (never the key).
        reason: &'static str,
    }
        => "invalid_api_key", InvalidInput, "not a secret key (`pk_`, `rk_`, other)";
    /// The key's mode (live/test) differs from the mode the caller expects.
    KeyModeMismatch {
        /// The key's mode.
        key_mode: &'static str,
        /// The expected mode.
        expected_mode: &'static str,
    }
        => "key_mode_mismatch", InvalidInput, "a live key for a test flow or the reverse";
    /// The OAuth endpoint answered with an error body (or the user denied access).
    OAuth {
        /// The kind of error.
        kind: OAuthErrorKind,
        /// The original `error` string, capped at 64 bytes.
        error: String,
        /// The `error_description`, capped at 500 bytes. Untrusted: escape it before display.
        description: Option<String>,
    }
        => "oauth_error", OAuth, "the OAuth endpoint answered with an error (`invalid_grant`, …; see `oauth_details()`)";
    /// The endpoint's answer is not what the protocol says (bad JSON, missing fields, bad status).
    MalformedResponse {
        /// What is wrong.
        reason: String,
    }
        => "malformed_response", OAuth, "the endpoint's answer is not what the protocol says";
    /// The Stripe API answered with an error object (`{"error": {"type": …, "code": …}}`).
    ApiError {
        /// The HTTP status.
        status: u16,
        /// `error.type` (`invalid_request_error`, …), capped.
        kind: String,
        /// `error.code` (`account_invalid`, …), if sent, capped.
        api_code: Option<String>,
    }
        => "api_error", OAuth, "the Stripe API answered with an error object (`type`, `code`)";
    /// The response body is larger than the 64 KiB cap.
    ResponseTooLarge {
        /// Length in bytes.
        len: usize,
        /// The cap in bytes.
        max: usize,
    }
        => "response_too_large", OAuth, "the response body is over 64 KiB";
    /// The deauthorize response names another account than the one asked for.
    DeauthorizeMismatch
        => "deauthorize_mismatch", OAuth, "the deauthorize answer names another account";
    // ---- arguments -----------------------------------------------------------------
    /// An argument is unusable (a bad client id, link id, base URL, parameter value).
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    }
        => "invalid_argument", InvalidInput, "an argument is unusable (client id, link id, base URL, scope, …)";
    /// A host string argument is not well-formed Unicode (a lone surrogate), so it has no
    /// UTF-8 bytes to check.
    MalformedInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    }
        => "malformed_input", MalformedInput, "a host string argument holds a lone surrogate (no UTF-8 form)";
    /// A one-time store (Redis, PostgreSQL, memory) could not answer, or answered something
    /// other than first-time or seen: nothing was accepted.
    StoreUnavailable {
        /// Which part failed (never a key or a value).
        reason: &'static str,
    }
        => "store_unavailable", Store, "a one-time store could not answer (an outage, a full memory store, a broken store): nothing was accepted";
    /// The operating system's random source failed.
    RandomnessUnavailable
        => "randomness_unavailable", Internal, "the OS random source failed";
    /// A bug in this library: please report it.
    Internal {
        /// Where.
        what: &'static str,
    }
        => "internal", Internal, "a bug in this library; please report it";
}

impl Error {
    /// For [`Error::InvalidRedirectConfig`]: the index of the bad allow-list entry.
    ///
    /// ```
    /// # use stripe_handshake::{RedirectAllowList, RedirectMode};
    /// let e = RedirectAllowList::new(&["https://a.example/", "http://b.example/"], RedirectMode::Live).unwrap_err();
    /// assert_eq!(e.config_index(), Some(1));
    /// ```
    #[must_use]
    pub fn config_index(&self) -> Option<usize> {
        match self {
            Self::InvalidRedirectConfig { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// For [`Error::OAuth`]: the original `error` string and the capped description.
    ///
    /// ```
    /// # use stripe_handshake::Error;
    /// assert_eq!(Error::SignatureMismatch.oauth_details(), None);
    /// ```
    #[must_use]
    pub fn oauth_details(&self) -> Option<(OAuthErrorKind, &str, Option<&str>)> {
        match self {
            Self::OAuth { kind, error, description } => Some((*kind, error.as_str(), description.as_deref())),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader => f.write_str(
                "the signature header is missing or empty; pass the raw Stripe-Signature header (or the install_signature query value)",
            ),
            Self::MalformedHeader => f.write_str(
                "the signature header has an element that is not key=value; pass the header exactly as received",
            ),
            Self::HeaderTooLarge { len, max } => write!(
                f,
                "the signature header is {len} bytes, more than the {max}-byte cap; it was not produced by Stripe"
            ),
            Self::MissingTimestamp => f.write_str("the signature header has no t= timestamp"),
            Self::DuplicateTimestamp => {
                f.write_str("the signature header has more than one t= timestamp; it is ambiguous and refused")
            }
            Self::MalformedTimestamp => f.write_str(
                "the t= timestamp must be ASCII digits with no sign, no leading zero and at most 64 bits",
            ),
            Self::NoV1Signature => f.write_str(
                "the signature header has no v1= signature; only v1 (HMAC-SHA256) is accepted",
            ),
            Self::SignatureMismatch => f.write_str(
                "no signature matches: check that you pass the raw body bytes (not re-serialized JSON) and the right signing secret for this endpoint",
            ),
            Self::TimestampTooOld { age_secs, tolerance_secs } => write!(
                f,
                "timestamp is {age_secs} s older than now; tolerance is {tolerance_secs} s (a replay, a stale redirect, or a wrong clock)"
            ),
            Self::TimestampInFuture { ahead_secs, tolerance_secs } => write!(
                f,
                "timestamp is {ahead_secs} s ahead of now; tolerance is {tolerance_secs} s (check this server's clock)"
            ),
            Self::InvalidTolerance => f.write_str(
                "tolerance must be a positive number of seconds (300 is recommended); 0 does not turn the check off",
            ),
            Self::InvalidSecret { reason } => write!(
                f,
                "the signing secret is unusable: {reason}; copy it again from the Dashboard (whsec_... or absec_...)"
            ),
            Self::RedirectUriNotAllowed { reason } => write!(
                f,
                "redirect_uri is not allowed: {reason}; it must be byte-equal to an entry of allowed_redirect_uris"
            ),
            Self::InvalidRedirectConfig { index, reason } => write!(
                f,
                "allowed redirect URI #{index} is unusable: {reason}; fix your allow-list (stripe-app.json or Connect settings)"
            ),
            Self::InvalidManifest { reason } => write!(f, "stripe-app.json is unusable: {reason}"),
            Self::StateMissing => f.write_str(
                "the callback has no state but one was expected; refuse it (an install from the Stripe App Marketplace \
                 carries none: accept those knowingly with marketplace: accept)",
            ),
            Self::UnexpectedState => f.write_str(
                "the callback has a state but the check was told to expect none; check the state instead",
            ),
            Self::StateMismatch => f.write_str(
                "state does not match the one stored for this session; refuse the callback (possible CSRF)",
            ),
            Self::StateTooLarge { len, max } => {
                write!(f, "state is {len} bytes, more than the {max}-byte cap")
            }
            Self::StateMalformed => f.write_str("state is not a token issued by this library"),
            Self::StateUnknownKey => f.write_str(
                "state was signed with a key id that is not configured; keep retired keys configured until their tokens expire",
            ),
            Self::StateInvalid => {
                f.write_str("state token does not verify; it was forged or altered (possible CSRF)")
            }
            Self::StateExpired { expired_secs_ago } => write!(
                f,
                "state token expired {expired_secs_ago} s ago; send the user through the link again"
            ),
            Self::StateNotYetValid => f.write_str(
                "state token was issued in the future; check this server's clock",
            ),
            Self::StateSessionMismatch => f.write_str(
                "state token belongs to another browser session; refuse the callback (possible CSRF or login fixation)",
            ),
            Self::StateFlowMismatch { token_flow, expected_flow } => write!(
                f,
                "state token was issued for the {token_flow} flow, not {expected_flow}"
            ),
            Self::InvalidStateKey { reason } => write!(f, "state key is unusable: {reason}"),
            Self::MalformedQuery { reason } => write!(f, "the callback query is malformed: {reason}"),
            Self::QueryTooLarge { len, max } => {
                write!(f, "the callback query is {len} bytes, more than the {max}-byte cap")
            }
            Self::DuplicateParameter { name } => write!(
                f,
                "the callback has the parameter {name} more than once; it is ambiguous and refused"
            ),
            Self::MissingParameter { name } => {
                write!(f, "the callback has no {name} parameter")
            }
            Self::MalformedEvent { reason } => write!(f, "the webhook body is not a Stripe event: {reason}"),
            Self::UiExtensionFormRefused => f.write_str(
                "this install has no state and its install_signature covers {\"user_id\",\"account_id\"} only: the \
                 same bytes your app's UI extensions sign (fetchStripeSignature), which any Dashboard user of that \
                 account can produce. Start installs from your link with a state, or accept this form knowingly \
                 with marketplace: accept_ui_extension_form",
            ),
            Self::SnapshotEventGiven => f.write_str(
                "this body is a snapshot event (\"object\": \"event\"), not an event notification: verify it with \
                 verify_webhook (verifyWebhook), or send this destination thin events",
            ),
            Self::EventNotificationGiven => f.write_str(
                "this body is an event notification (a thin event, \"object\": \"v2.core.event\"): verify it with \
                 verify_event_notification (verifyEventNotification), or send this endpoint snapshot events",
            ),
            Self::UnexpectedEventType { expected, actual } => {
                write!(f, "expected an event of type {expected}, got {actual}")
            }
            Self::InvalidApiKey { reason } => write!(f, "{reason}"),
            Self::KeyModeMismatch { key_mode, expected_mode } => write!(
                f,
                "this is a {key_mode}-mode secret key but the flow is in {expected_mode} mode; use the sk_{expected_mode}_ key"
            ),
            Self::OAuth { kind, error, .. } => {
                if matches!(kind, OAuthErrorKind::Other) {
                    write!(f, "Stripe answered with the OAuth error {:?}", error)
                } else {
                    write!(f, "Stripe answered with the OAuth error {}", kind.as_str())
                }
            }
            Self::ApiError { status, kind, api_code } => match api_code {
                Some(c) => write!(f, "the Stripe API answered HTTP {status}: {kind} ({c}); see Stripe's error codes"),
                None => write!(f, "the Stripe API answered HTTP {status}: {kind}; see Stripe's error codes"),
            },
            Self::MalformedResponse { reason } => {
                write!(f, "Stripe's response is not usable: {reason}")
            }
            Self::ResponseTooLarge { len, max } => {
                write!(f, "the response body is {len} bytes, more than the {max}-byte cap")
            }
            Self::DeauthorizeMismatch => f.write_str(
                "the deauthorize response names another account than the one asked for; treat the account as still connected",
            ),
            Self::InvalidArgument { what, reason } | Self::MalformedInput { what, reason } => {
                write!(f, "{what}: {reason}")
            }
            Self::StateReplayed => f.write_str(
                "this state was already used (a reload of the callback page, or a replay); do not act on it again: \
                 show the result of the first use, or send the user through the link again",
            ),
            Self::CodeReplayed => f.write_str(
                "this authorization code was already used (a reload of the callback page); do not exchange it again: \
                 show the result of the first use",
            ),
            Self::StoreUnavailable { reason } => write!(
                f,
                "the one-time store could not answer ({reason}); nothing was accepted: retry when the store is back"
            ),
            Self::RandomnessUnavailable => {
                f.write_str("the operating system's random source failed; retry, and check the platform")
            }
            Self::Internal { what } => write!(
                f,
                "internal error in stripe-handshake ({what}); please report it"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for `Result<T, stripe_handshake::Error>`.
///
/// ```
/// fn tolerance() -> stripe_handshake::Result<stripe_handshake::Tolerance> {
///     stripe_handshake::Tolerance::from_secs(300)
/// }
/// assert_eq!(tolerance().unwrap().secs(), 300);
/// ```
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Error::ALL_CODES {
            assert!(seen.insert(*c), "duplicate code {c}");
            assert!(c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()));
        }
    }

    #[test]
    fn families_and_details() {
        let names: Vec<&str> = [
            ErrorFamily::Signature,
            ErrorFamily::State,
            ErrorFamily::Redirect,
            ErrorFamily::OAuth,
            ErrorFamily::InvalidInput,
            ErrorFamily::MalformedInput,
            ErrorFamily::Store,
            ErrorFamily::Internal,
        ]
        .iter()
        .map(|f| f.as_str())
        .collect();
        assert_eq!(
            names,
            ["signature", "state", "redirect", "oauth", "invalid_input", "malformed_input", "store", "internal"]
        );
        assert_eq!(Error::InvalidRedirectConfig { index: 3, reason: "x" }.config_index(), Some(3));
        assert_eq!(Error::SignatureMismatch.config_index(), None);
    }

    #[test]
    fn oauth_kind_round_trip() {
        for k in OAuthErrorKind::ALL {
            if *k != OAuthErrorKind::Other {
                assert_eq!(OAuthErrorKind::from_wire(k.as_str()), *k);
            }
        }
        assert_eq!(OAuthErrorKind::from_wire("other"), OAuthErrorKind::Other);
    }
}
