//! The binding schema: everything the Node, Python and WASM bindings share, so that a
//! binding converts host values and does nothing else.
//!
//! - [`Value`] is what a host hands over; [`Reader`] holds the one set of rules for reading
//!   it (types, absent values, integers, lone surrogates, options objects).
//! - [`OPS`] lists every operation with its parameters, its documentation and its
//!   implementation; [`call`] runs one. Defaults (the clock, the 300 s tolerance, random
//!   nonces, live redirect mode) are applied here, through the host's [`Env`].
//! - [`Out`] is what comes back; [`Kind`]s declare record shapes, their names in both
//!   spellings and which fields are credentials.
//! - [`verifier`] is the prepared `Stripe-Signature` verifier's hot path.
//!
//! Protocol rules are not here: they live in the modules this one calls.

mod ops;
mod out;
mod value;

pub use ops::{
    allow_list, arguments_from_flat, arrange, call, call_consuming, call_flat, call_with_list, new_verifier, op,
    op_index, schema_json, verifier, whole_u32, Call, OneTime, Op, Param, Place, ALLOW_LIST_PARAMS, KINDS, OPS,
    VERIFIER_PARAMS,
};
pub use out::{flat_record, present_fields, record_value, Field, Kind, Out, Ty, MAX_RECORD_FIELDS};
pub use value::{HostType, Name, Options, Reader, Spelling, Value, MAX_LIST_LEN, MAX_SAFE_INTEGER};

use crate::error::{Error, Result};

/// What the host provides: its clock and its random source. Time and randomness stay
/// arguments of the core; this is how a binding passes its own.
pub trait Env {
    /// The current Unix time in seconds.
    ///
    /// # Errors
    /// `invalid_argument` when the clock is unusable.
    fn now(&self) -> Result<u64>;

    /// 32 bytes from a CSPRNG.
    ///
    /// # Errors
    /// `randomness_unavailable`.
    fn random(&self) -> Result<[u8; 32]>;
}

/// The operating system's clock and random source (Node and Python).
#[cfg(feature = "os-rng")]
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEnv;

#[cfg(feature = "os-rng")]
impl Env for OsEnv {
    fn now(&self) -> Result<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| Error::InvalidArgument { what: "now", reason: "the system clock is before 1970" })
    }

    fn random(&self) -> Result<[u8; 32]> {
        crate::state::random_bytes()
    }
}

/// The current time in seconds from a JavaScript `Date.now()`-style millisecond count.
///
/// ```
/// assert_eq!(stripe_handshake::host::secs_from_millis(1_700_000_000_999.0).unwrap(), 1_700_000_000);
/// assert!(stripe_handshake::host::secs_from_millis(f64::NAN).is_err());
/// ```
///
/// # Errors
/// `invalid_argument` when it is not a finite, non-negative number.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
pub fn secs_from_millis(ms: f64) -> Result<u64> {
    if ms.is_finite() && (0.0..=MAX_SAFE_INTEGER as f64).contains(&ms) {
        Ok((ms / 1000.0).floor() as u64)
    } else {
        Err(Error::InvalidArgument { what: "now", reason: "the clock returned an unusable value" })
    }
}
