//! Stripe Apps install links and the redirect back (PROTOCOL §1, §5): build the link with
//! [`install_link`], then verify the redirect's `install_signature` with
//! [`verify_install_callback`].
//!
//! The signature is a `Stripe-Signature`-style header over
//! `JSON.stringify({state, user_id, account_id})` ([`install_payload`]), keyed with the app's
//! `absec_…` secret. [`verify_app_callback`] takes every Stripe Apps callback by the app's
//! access type (install links, OAuth apps, Marketplace installs without a state), and
//! [`verify_ui_extension_signature`] the other use of the same secret.

pub use crate::apps::{
    verify_app_callback, verify_ui_extension_signature, AppAccess, AppAuthorization, AppCallback, AppCallbackOptions,
    UiExtensionCaller,
};
pub use crate::callback::{
    verify_install_callback, CallbackDenial, InstallCallback, InstallVerifyOptions, Marketplace, MarketplaceInstall,
    StatelessForm, VerifiedInstall, MAX_ERROR_DESCRIPTION_LEN, MAX_ERROR_LEN, MAX_ID_LEN, MAX_QUERY_LEN,
};
pub use crate::json::{install_payload, json_stringify_str, StateField};
pub use crate::links::{install_link, InstallLinkParams, MARKETPLACE_BASE, MAX_LINK_STATE_LEN};
