#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(unused_must_use)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

/// The repository README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

mod apps;
mod callback;
mod crypto;
mod encoding;
mod error;
mod ids;
mod json;
mod links;
mod notification;
mod signature;
mod urls;

pub mod account_links;
pub mod dangerous;
pub mod diagnose;
pub mod host;
pub mod install;
pub mod oauth;
pub mod one_time;
pub mod redirect;
pub mod reply;
pub mod state;
pub mod testing;
pub mod webhook;

pub use crypto::{hmac_sha256, verify_hmac_sha256, MAC_LEN};
pub use error::{Error, ErrorCode, ErrorFamily, OAuthErrorKind, Result};
pub use oauth::{Mode, SecretKey};
pub use redirect::{RedirectAllowList, RedirectMode};
pub use signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier};
