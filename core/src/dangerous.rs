//! Opt-outs that weaken a check. Each needs a reason in your code review.
//!
//! Mirrored as `dangerous.*` in the bindings.

use crate::error::Result;
use crate::signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier, Window};

/// Verifies a `Stripe-Signature` header **without the time window**: a captured request
/// verifies forever. For replaying stored events through your own handler in tests, never
/// for live traffic.
///
/// ```
/// use stripe_handshake::{dangerous, SigningSecret, testing::sign_header};
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let h = sign_header(b"old", &s, 1).unwrap();
/// assert!(dangerous::verify_ignoring_tolerance(b"old", &h, &[s]).is_ok());
/// ```
///
/// # Errors
/// Every header error, `signature_mismatch`, `invalid_secret`.
pub fn verify_ignoring_tolerance(payload: &[u8], header: &str, secrets: &[SigningSecret]) -> Result<VerifiedSignature> {
    Verifier::new(secrets, Tolerance::default())?.verify_candidates(&[payload], header, Window::Ignored)
}
