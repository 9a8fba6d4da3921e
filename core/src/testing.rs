//! Stripe's side of the protocols, for your tests: sign a webhook body or an install
//! payload as Stripe does, and percent-encode a value into a callback query.
//!
//! ```
//! use stripe_handshake::testing::sign_header;
//! use stripe_handshake::{SigningSecret, Tolerance, Verifier};
//! let secret = SigningSecret::new("whsec_test").unwrap();
//! let header = sign_header(b"{}", &secret, 100).unwrap();
//! assert!(Verifier::new(&[secret], Tolerance::default()).unwrap().verify(b"{}", &header, 100).is_ok());
//! ```
//!

pub use crate::encoding::percent_encode_into;
pub use crate::signature::{compute_signature, sign_header};
