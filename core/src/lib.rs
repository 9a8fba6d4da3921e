#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(unused_must_use)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

/// The repository README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

mod callback;
mod crypto;
pub mod dangerous;
mod encoding;
mod error;
mod ids;
mod json;
mod links;
mod oauth;
mod redirect;
mod signature;
mod state;
mod urls;
mod webhook;

pub use callback::{
    verify_install_callback, verify_oauth_callback, AuthorizedCallback, CallbackDenial, InstallCallback,
    InstallVerifyOptions, OAuthCallback, VerifiedInstall, MAX_ERROR_DESCRIPTION_LEN, MAX_ERROR_LEN, MAX_ID_LEN,
    MAX_QUERY_LEN,
};
pub use crypto::{hmac_sha256, verify_hmac_sha256, MAC_LEN};
pub use encoding::percent_encode_into;
pub use error::{Error, ErrorCode, ErrorFamily, OAuthErrorKind, Result};
pub use json::{install_payload, json_stringify_str, StateField};
pub use links::{
    apps_oauth_link, connect_oauth_link, install_link, AppsOAuthLinkParams, ConnectAccountType, ConnectLinkParams,
    InstallLinkParams, Scope, StripeLanding, StripeUserField, CONNECT_BASE, MARKETPLACE_BASE, MAX_LINK_STATE_LEN,
};
pub use oauth::{
    code_exchange_request, deauthorize_request, parse_deauthorize_response, parse_token_response, refresh_request,
    AppsTokenExpiry, HttpRequest, Mode, OAuthProvider, RequestOptions, SecretKey, TokenResponse, API_BASE,
    APPS_ACCESS_TOKEN_TTL_SECS, APPS_REFRESH_TOKEN_TTL_SECS, DEFAULT_REFRESH_MARGIN_SECS, MAX_RESPONSE_LEN,
};
pub use redirect::{
    AppManifest, RedirectAllowList, RedirectMode, MAX_ALLOWED_REDIRECT_URIS, MAX_MANIFEST_LEN, MAX_REDIRECT_URI_LEN,
};
pub use signature::{
    compute_signature, sign_header, verify, SignatureHeader, SigningSecret, Tolerance, VerifiedSignature, Verifier,
    DEFAULT_TOLERANCE_SECS, MAX_HEADER_LEN, MAX_SECRET_LEN,
};
pub use state::{
    check_plain_state, issue_state_token, plain_state_from_entropy, verify_state_token, Flow, StateCheck, StateKey,
    StateKeys, StateOutcome, StateTokenParams, VerifiedState, DEFAULT_STATE_TTL_SECS, MAX_SESSION_ID_LEN,
    MAX_STATE_DATA_LEN, MAX_STATE_TOKEN_LEN, MAX_STATE_TTL_SECS, MIN_STATE_KEY_LEN, STATE_CLOCK_SKEW_SECS,
};
#[cfg(feature = "os-rng")]
pub use state::{issue_state_token_random, random_bytes, random_state};
pub use webhook::{verify_webhook, Deauthorization, VerifiedEvent, DEAUTHORIZED_EVENT};

pub mod host;
