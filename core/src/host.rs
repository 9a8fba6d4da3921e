//! Conversions shared by the host-language bindings (JavaScript numbers, byte arrays), so
//! that no binding writes them on its own. Not protocol rules: argument checking only.

use crate::error::{Error, Result};
use crate::signature::Tolerance;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JavaScript number that must be a non-negative whole number of seconds.
///
/// ```
/// use stripe_handshake::host::secs_from_f64;
/// assert_eq!(secs_from_f64(1.0, "now").unwrap(), 1);
/// assert!(secs_from_f64(-1.0, "now").is_err());
/// assert!(secs_from_f64(1.5, "now").is_err());
/// assert!(secs_from_f64(f64::NAN, "now").is_err());
/// ```
///
/// # Errors
/// `invalid_argument` naming `what`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn secs_from_f64(v: f64, what: &'static str) -> Result<u64> {
    if v.is_finite() && (0.0..=MAX_SAFE_INTEGER).contains(&v) && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(Error::InvalidArgument { what, reason: "it must be a whole number of seconds between 0 and 2^53-1" })
    }
}

/// The current time from a JavaScript `Date.now()`-style millisecond count, in seconds.
///
/// ```
/// assert_eq!(stripe_handshake::host::secs_from_millis(1_700_000_000_999.0).unwrap(), 1_700_000_000);
/// ```
///
/// # Errors
/// `invalid_argument` when it is not a finite, non-negative number.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn secs_from_millis(ms: f64) -> Result<u64> {
    if ms.is_finite() && (0.0..=MAX_SAFE_INTEGER).contains(&ms) {
        Ok((ms / 1000.0).floor() as u64)
    } else {
        Err(Error::InvalidArgument { what: "now", reason: "the clock returned an unusable value" })
    }
}

/// A tolerance given as a JavaScript number; `None` means the default (300 s).
///
/// ```
/// use stripe_handshake::host::tolerance_from_f64;
/// assert_eq!(tolerance_from_f64(None).unwrap().secs(), 300);
/// assert_eq!(tolerance_from_f64(Some(0.0)).unwrap_err().code(), "invalid_tolerance");
/// assert_eq!(tolerance_from_f64(Some(-5.0)).unwrap_err().code(), "invalid_tolerance");
/// ```
///
/// # Errors
/// `invalid_tolerance` for 0, negative, fractional or huge values.
pub fn tolerance_from_f64(v: Option<f64>) -> Result<Tolerance> {
    match v {
        None => Ok(Tolerance::default()),
        Some(v) => secs_from_f64(v, "tolerance").map_err(|_| Error::InvalidTolerance).and_then(Tolerance::from_secs),
    }
}

/// An HTTP status code given as a host integer.
///
/// ```
/// assert_eq!(stripe_handshake::host::http_status(200).unwrap(), 200);
/// assert!(stripe_handshake::host::http_status(70_000).is_err());
/// ```
///
/// # Errors
/// `invalid_argument` when it does not fit in 16 bits.
pub fn http_status(v: u32) -> Result<u16> {
    u16::try_from(v).map_err(|_| Error::InvalidArgument { what: "status", reason: "not an HTTP status" })
}

/// Exactly 32 bytes (entropy, a nonce).
///
/// ```
/// assert!(stripe_handshake::host::bytes32(&[0; 32], "nonce").is_ok());
/// assert!(stripe_handshake::host::bytes32(&[0; 31], "nonce").is_err());
/// ```
///
/// # Errors
/// `invalid_argument` naming `what`.
pub fn bytes32(b: &[u8], what: &'static str) -> Result<[u8; 32]> {
    b.try_into().map_err(|_| Error::InvalidArgument { what, reason: "it must be exactly 32 bytes" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(secs_from_f64(0.0, "now").unwrap(), 0);
        assert_eq!(secs_from_f64(1_700_000_000.0, "now").unwrap(), 1_700_000_000);
        assert_eq!(secs_from_f64(MAX_SAFE_INTEGER, "now").unwrap(), 9_007_199_254_740_991);
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, MAX_SAFE_INTEGER * 2.0] {
            assert!(secs_from_f64(bad, "now").is_err(), "{bad}");
        }
        assert_eq!(secs_from_millis(1_700_000_000_999.0).unwrap(), 1_700_000_000);
        assert_eq!(secs_from_millis(999.0).unwrap(), 0);
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(secs_from_millis(bad).is_err(), "{bad}");
        }
        assert_eq!(tolerance_from_f64(Some(5.0)).unwrap().secs(), 5);
        assert_eq!(tolerance_from_f64(Some(0.5)).unwrap_err(), Error::InvalidTolerance);
        assert_eq!(bytes32(&[7; 32], "x").unwrap(), [7; 32]);
        assert_eq!(http_status(65_535).unwrap(), 65_535);
        assert!(http_status(65_536).is_err());
        assert!(bytes32(&[7; 33], "x").is_err());
    }
}
