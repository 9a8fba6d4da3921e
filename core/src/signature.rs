//! The `Stripe-Signature` scheme, shared by webhooks and `install_signature`.
//!
//! Header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`. The MAC is HMAC-SHA256 keyed
//! with the UTF-8 bytes of the whole secret string (`whsec_…`, `absec_…`, never decoded)
//! over `"<t>." + payload`, in lowercase hex. Any `v1` may match any configured secret.
//!
//! Grammar (PROTOCOL §4): split on `,`; empty elements and SP/HTAB around elements are
//! ignored; each element is `key=value` with exactly one `=`; exactly one `t`, ASCII digits
//! with no sign and no leading zero, at most 64 bits; each `v1` must be 64 lowercase hex
//! characters or it cannot match; other keys (`v0`, unknown schemes) are ignored; the
//! header is capped at 8 KiB. The MAC is checked first, then the time window
//! `|now - t| <= tolerance` in both directions with overflow-free arithmetic.

use core::fmt;
use core::num::NonZeroU32;

use hmac::Mac;
use subtle::{Choice, ConditionallySelectable};

use crate::crypto::{ct_eq32, decode_hex_tag, mac_with_key, MAC_LEN};

use crate::error::{Error, Result};

/// Largest accepted signature header, in bytes.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// Largest accepted signing secret, in bytes.
pub const MAX_SECRET_LEN: usize = 1024;

/// The tolerance recommended by Stripe and used by the bindings as their default: 300 s.
pub const DEFAULT_TOLERANCE_SECS: u32 = 300;

/// How far (in seconds, both directions) a signature's timestamp may be from now.
///
/// Always positive: there is no value that turns the check off. A symmetric window lets a
/// captured request be replayed for up to twice the tolerance; keep it short and refuse
/// replays by event id where that matters.
///
/// ```
/// use stripe_handshake::Tolerance;
/// assert_eq!(Tolerance::from_secs(300).unwrap().secs(), 300);
/// assert_eq!(Tolerance::from_secs(0).unwrap_err().code(), "invalid_tolerance");
/// assert_eq!(Tolerance::default().secs(), 300);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance(NonZeroU32);

impl Tolerance {
    /// A tolerance of `secs` seconds.
    ///
    /// # Errors
    /// [`Error::InvalidTolerance`] when `secs` is 0 or does not fit in 32 bits.
    pub fn from_secs(secs: u64) -> Result<Self> {
        u32::try_from(secs).ok().and_then(NonZeroU32::new).map(Self).ok_or(Error::InvalidTolerance)
    }

    /// The tolerance in seconds.
    ///
    /// ```
    /// # use stripe_handshake::Tolerance;
    /// assert_eq!(Tolerance::from_secs(5).unwrap().secs(), 5);
    /// ```
    #[must_use]
    pub const fn secs(self) -> u32 {
        self.0.get()
    }
}

impl Default for Tolerance {
    /// 300 seconds, Stripe's recommendation.
    fn default() -> Self {
        match NonZeroU32::new(DEFAULT_TOLERANCE_SECS) {
            Some(n) => Self(n),
            None => Self(NonZeroU32::MIN),
        }
    }
}

/// A signing secret: a webhook endpoint secret (`whsec_…`) or a Stripe App signing secret
/// (`absec_…`). Its UTF-8 bytes are the HMAC key, prefix included.
///
/// Debug output is redacted; there is no `Display`.
///
/// ```
/// use stripe_handshake::SigningSecret;
/// let s = SigningSecret::new("whsec_abc").unwrap();
/// assert_eq!(format!("{s:?}"), "SigningSecret([redacted])");
/// assert_eq!(SigningSecret::new("whsec_abc\n").unwrap_err().code(), "invalid_secret");
/// ```
#[derive(Clone)]
pub struct SigningSecret(String);

impl SigningSecret {
    /// Wraps a secret after checking it is non-empty, at most 1 KiB, and has no whitespace
    /// around it (a copy-paste accident that makes every signature fail).
    ///
    /// # Errors
    /// [`Error::InvalidSecret`] with the reason.
    pub fn new(secret: &str) -> Result<Self> {
        if secret.is_empty() {
            return Err(Error::InvalidSecret { reason: "it is empty" });
        }
        if secret.len() > MAX_SECRET_LEN {
            return Err(Error::InvalidSecret { reason: "it is longer than 1024 bytes" });
        }
        // ct: config-time — checked once when the secret is loaded; reveals only stray whitespace.
        if secret.trim() != secret {
            return Err(Error::InvalidSecret { reason: "it has whitespace at the start or end" });
        }
        Ok(Self(secret.to_owned()))
    }

    /// The secret itself.
    ///
    /// # Security
    /// Never log or display the returned value.
    ///
    /// ```
    /// # use stripe_handshake::SigningSecret;
    /// assert_eq!(SigningSecret::new("whsec_x").unwrap().expose_secret(), "whsec_x");
    /// ```
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret([redacted])")
    }
}

/// A parsed signature header. Building one proves nothing; only [`verify`] does.
///
/// ```
/// let h = stripe_handshake::webhook::SignatureHeader::parse("t=1700000000,v1=00,v0=ab").unwrap();
/// assert_eq!(h.timestamp(), 1700000000);
/// assert_eq!(h.v1_count(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct SignatureHeader<'a> {
    timestamp: u64,
    timestamp_raw: &'a str,
    /// Each `v1`, decoded; `None` where it is not 64 lowercase hex characters.
    v1: V1s,
}

/// The `v1` candidates of a header: Stripe sends one (two while a secret rolls), so two are
/// held inline and a verification allocates nothing (smallvec, already in the build through
/// `url`).
type V1s = smallvec::SmallVec<[Option<[u8; MAC_LEN]>; 2]>;

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Parses the timestamp grammar `[1-9][0-9]*` (or `0`) into a `u64`.
fn parse_timestamp(s: &str) -> Result<u64> {
    let b = s.as_bytes();
    let first = b.first().ok_or(Error::MalformedTimestamp)?;
    if !b.iter().all(u8::is_ascii_digit) || (*first == b'0' && b.len() > 1) {
        return Err(Error::MalformedTimestamp);
    }
    s.parse::<u64>().map_err(|_| Error::MalformedTimestamp)
}

impl<'a> SignatureHeader<'a> {
    /// Parses a header under the grammar in the module docs.
    ///
    /// # Errors
    /// `header_too_large`, `missing_header`, `malformed_header`, `duplicate_timestamp`,
    /// `malformed_timestamp`, `missing_timestamp`, `no_v1_signature`.
    pub fn parse(header: &'a str) -> Result<Self> {
        if header.len() > MAX_HEADER_LEN {
            return Err(Error::HeaderTooLarge { len: header.len(), max: MAX_HEADER_LEN });
        }
        match Self::canonical(header) {
            Some(parsed) => Ok(parsed),
            None => Self::general(header),
        }
    }

    /// The whole grammar (module docs), for a header of at most [`MAX_HEADER_LEN`] bytes.
    fn general(header: &'a str) -> Result<Self> {
        if header.trim_matches(is_ows).is_empty() {
            return Err(Error::MissingHeader);
        }
        let mut ts: Option<(u64, &'a str)> = None;
        let mut v1 = V1s::new();
        // Byte-wise (`=` by position, keys as bytes): 59 ns a header against 79 ns with
        // `split_once('=')` and `&str` keys, measured. The delimiters are ASCII, so every split
        // falls on a char boundary.
        for element in header.split(',') {
            let element = element.trim_matches(is_ows);
            if element.is_empty() {
                continue;
            }
            let eq = element.bytes().position(|b| b == b'=').ok_or(Error::MalformedHeader)?;
            let (key, value) = (element.get(..eq).unwrap_or(""), element.get(eq.saturating_add(1)..).unwrap_or(""));
            if value.as_bytes().contains(&b'=') {
                return Err(Error::MalformedHeader);
            }
            match key.as_bytes() {
                b"t" => {
                    if ts.is_some() {
                        return Err(Error::DuplicateTimestamp);
                    }
                    ts = Some((parse_timestamp(value)?, value));
                }
                b"v1" => v1.push(decode_hex_tag(value)),
                _ => {} // v0 and unknown schemes are ignored (downgrade-safe: only v1 counts)
            }
        }
        let (timestamp, timestamp_raw) = ts.ok_or(Error::MissingTimestamp)?;
        if v1.is_empty() {
            return Err(Error::NoV1Signature);
        }
        Ok(Self { timestamp, timestamp_raw, v1 })
    }

    /// The header as Stripe sends it in live mode, `t=<digits>,v1=<64 lowercase hex>` and
    /// nothing else, read by position with no search (the general grammar below costs 58 ns of
    /// a 100-byte verification's 270, measured). Every other header, and this shape with a
    /// timestamp or a tag that does not parse, goes to the general grammar, which reads this
    /// shape the same way: two elements, no whitespace, one `=` each (the timestamp is digits
    /// and the tag hex, so neither holds a `,` or an `=`). `canonical_agrees_with_grammar` checks it.
    fn canonical(header: &'a str) -> Option<Self> {
        const TAG: usize = MAC_LEN * 2;
        let rest = header.strip_prefix("t=")?;
        let split = rest.len().checked_sub(TAG.checked_add(4)?)?;
        let timestamp_raw = rest.get(..split)?;
        let tag = decode_hex_tag(rest.get(split..)?.strip_prefix(",v1=")?)?;
        let timestamp = parse_timestamp(timestamp_raw).ok()?;
        let mut v1 = V1s::new();
        v1.push(Some(tag));
        Some(Self { timestamp, timestamp_raw, v1 })
    }

    /// The `t=` value in Unix seconds.
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// How many `v1=` elements the header has.
    #[must_use]
    pub fn v1_count(&self) -> usize {
        self.v1.len()
    }

    /// Constant-time match of every (secret, payload candidate, v1) triple. Returns the
    /// index of a matching secret, or `None`.
    fn matches(&self, payloads: &[&[u8]], keyed: &[HmacSha256]) -> Option<usize> {
        // No candidate decodes: nothing can match, so skip the HMACs (this branches on the
        // attacker's header only, and still reports the MAC error first).
        if self.v1.iter().all(Option::is_none) {
            return None;
        }
        let mut found = Choice::from(0);
        let mut index = 0u64;
        for (i, base) in keyed.iter().enumerate() {
            let mut this_secret = Choice::from(0);
            for payload in payloads {
                let mut mac = base.clone();
                mac.update(self.timestamp_raw.as_bytes());
                mac.update(b".");
                mac.update(payload);
                let expected: [u8; MAC_LEN] = mac.finalize().into_bytes().into();
                for candidate in self.v1.iter().flatten() {
                    this_secret |= ct_eq32(&expected, candidate);
                }
            }
            // Record the first matching secret without branching on the comparison.
            let take = this_secret & !found;
            index = u64::conditional_select(&index, &u64::try_from(i).unwrap_or(u64::MAX), take);
            found |= this_secret;
        }
        // Declassified here: whether a signature matched, and which secret, is the result.
        bool::from(found).then(|| usize::try_from(index).unwrap_or(usize::MAX))
    }
}

/// A verified signature: the timestamp and which secret matched.
///
/// Only [`verify`] (and the crate's callback verifiers) construct it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify};
/// let secret = SigningSecret::new("whsec_test").unwrap();
/// let header = sign_header(b"{}", &secret, 1_700_000_000).unwrap();
/// let ok = verify(b"{}", &header, &[secret], 1_700_000_010, Tolerance::default()).unwrap();
/// assert_eq!(ok.timestamp(), 1_700_000_000);
/// assert_eq!(ok.secret_index(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    timestamp: u64,
    secret_index: usize,
}

impl VerifiedSignature {
    /// The signed timestamp (Unix seconds).
    #[must_use]
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// Index, in the slice you passed, of the first secret that matched. Useful while
    /// rotating secrets: when the old one stops matching, retire it.
    #[must_use]
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }
}

/// Checks `|now - t| <= tolerance` without overflow.
pub(crate) fn check_window(t: u64, now: u64, tolerance: Tolerance) -> Result<()> {
    let tol = u64::from(tolerance.secs());
    if t <= now {
        let age = now.abs_diff(t);
        if age > tol {
            return Err(Error::TimestampTooOld { age_secs: age, tolerance_secs: tolerance.secs() });
        }
    } else {
        let ahead = t.abs_diff(now);
        if ahead > tol {
            return Err(Error::TimestampInFuture { ahead_secs: ahead, tolerance_secs: tolerance.secs() });
        }
    }
    Ok(())
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Which time window a verification applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Window {
    /// `|now - t|` must be within the verifier's tolerance (`now` in Unix seconds).
    At(u64),
    /// No window: a captured header verifies forever. Only [`crate::dangerous`] uses it.
    Ignored,
}

/// A verifier prepared once for a set of secrets and a tolerance: the HMAC key schedule of
/// each secret is computed here, not on every request. Use one per endpoint.
///
/// Debug output is redacted.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, Verifier, testing::sign_header};
/// let secret = SigningSecret::new("whsec_test").unwrap();
/// let verifier = Verifier::new(&[secret.clone()], Tolerance::default()).unwrap();
/// let header = sign_header(b"body", &secret, 1_700_000_000).unwrap();
/// assert!(verifier.verify(b"body", &header, 1_700_000_001).is_ok());
/// assert_eq!(verifier.verify(b"bodY", &header, 1_700_000_001).unwrap_err().code(), "signature_mismatch");
/// assert_eq!(format!("{verifier:?}"), "Verifier { secrets: 1, tolerance_secs: 300 }");
/// ```
#[derive(Clone)]
pub struct Verifier {
    keyed: Vec<HmacSha256>,
    tolerance: Tolerance,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier {{ secrets: {}, tolerance_secs: {} }}", self.keyed.len(), self.tolerance.secs())
    }
}

impl Verifier {
    /// Prepares a verifier; any of `secrets` may match (rotation: put the new one first).
    ///
    /// # Errors
    /// `invalid_secret` when `secrets` is empty or has more than 16 entries.
    pub fn new(secrets: &[SigningSecret], tolerance: Tolerance) -> Result<Self> {
        if secrets.is_empty() {
            return Err(Error::InvalidSecret { reason: "no secret was given" });
        }
        if secrets.len() > 16 {
            return Err(Error::InvalidSecret { reason: "more than 16 secrets were given" });
        }
        let keyed = secrets.iter().map(|s| mac_with_key(s.0.as_bytes())).collect::<Result<Vec<_>>>()?;
        Ok(Self { keyed, tolerance })
    }

    /// The tolerance this verifier applies.
    #[must_use]
    pub fn tolerance(&self) -> Tolerance {
        self.tolerance
    }

    /// Verifies `header` over the raw `payload` at time `now` (Unix seconds): the MAC
    /// first, then the time window.
    ///
    /// # Errors
    /// As [`verify`].
    pub fn verify(&self, payload: &[u8], header: &str, now: u64) -> Result<VerifiedSignature> {
        self.verify_candidates(&[payload], header, Window::At(now))
    }

    /// Verifies over any of `payloads`, then applies `window`.
    pub(crate) fn verify_candidates(
        &self,
        payloads: &[&[u8]],
        header: &str,
        window: Window,
    ) -> Result<VerifiedSignature> {
        let parsed = SignatureHeader::parse(header)?;
        // ct: declassify — whether a (secret, v1) pair matched is the result (tests/ct checks this).
        let Some(secret_index) = parsed.matches(payloads, &self.keyed) else { return Err(Error::SignatureMismatch) };
        match window {
            Window::At(now) => check_window(parsed.timestamp, now, self.tolerance)?,
            Window::Ignored => {}
        }
        Ok(VerifiedSignature { timestamp: parsed.timestamp, secret_index })
    }
}

/// Verifies a `Stripe-Signature` header over the raw `payload` bytes.
///
/// `now` is the current Unix time in seconds (the caller's clock); `tolerance` bounds
/// `|now - t|`. Pass the body exactly as received: parsing and re-serializing JSON changes
/// the bytes and the signature.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify};
/// let secret = SigningSecret::new("whsec_test").unwrap();
/// let header = sign_header(b"payload", &secret, 100).unwrap();
/// assert!(verify(b"payload", &header, &[secret.clone()], 150, Tolerance::default()).is_ok());
/// // Reject twin: one changed byte.
/// let err = verify(b"Payload", &header, &[secret], 150, Tolerance::default()).unwrap_err();
/// assert_eq!(err.code(), "signature_mismatch");
/// ```
///
/// # Errors
/// Any header error (see [`SignatureHeader::parse`]), `signature_mismatch`,
/// `timestamp_too_old`, `timestamp_in_future`, `invalid_secret` (no secret given).
pub fn verify(
    payload: &[u8],
    header: &str,
    secrets: &[SigningSecret],
    now: u64,
    tolerance: Tolerance,
) -> Result<VerifiedSignature> {
    Verifier::new(secrets, tolerance)?.verify(payload, header, now)
}

/// Computes the lowercase-hex `v1` signature of `payload` at time `t`.
///
/// ```
/// use stripe_handshake::{SigningSecret, testing::compute_signature};
/// let s = SigningSecret::new("whsec_test_secret_for_vectors_only").unwrap();
/// let payload = br#"{"id":"evt_test_123","object":"event","type":"account.application.deauthorized"}"#;
/// assert_eq!(
///     compute_signature(payload, &s, 1700000000).unwrap(),
///     "5970050543e27415f9e2280c3c4724296d641f47504c2e2e1fc0442800e6f4d3"
/// );
/// ```
///
/// # Errors
/// Never in practice; [`Error::Internal`] guards the API.
pub fn compute_signature(payload: &[u8], secret: &SigningSecret, t: u64) -> Result<String> {
    let ts = t.to_string();
    let tag = crate::crypto::hmac_sha256(secret.0.as_bytes(), &[ts.as_bytes(), b".", payload])?;
    Ok(hex::encode(tag))
}

/// Builds a `t=…,v1=…` header for `payload` at time `t`: for tests and local emulators,
/// like stripe-node's `generateTestHeaderString`.
///
/// ```
/// use stripe_handshake::{SigningSecret, testing::sign_header};
/// let s = SigningSecret::new("whsec_x").unwrap();
/// assert!(sign_header(b"{}", &s, 1).unwrap().starts_with("t=1,v1="));
/// ```
///
/// # Errors
/// Never in practice; [`Error::Internal`] guards the API.
pub fn sign_header(payload: &[u8], secret: &SigningSecret, t: u64) -> Result<String> {
    Ok(format!("t={t},v1={}", compute_signature(payload, secret, t)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Both readings of a header, as comparable values.
    fn reading(h: &SignatureHeader<'_>) -> (u64, String, Vec<Option<[u8; MAC_LEN]>>) {
        (h.timestamp, h.timestamp_raw.to_owned(), h.v1.to_vec())
    }

    fn agrees(header: &str) {
        if let Some(fast) = SignatureHeader::canonical(header) {
            let general = SignatureHeader::general(header).unwrap_or_else(|e| panic!("{header:?}: {e}"));
            assert_eq!(reading(&fast), reading(&general), "{header:?}");
        }
    }

    #[test]
    fn canonical_takes_stripes_header_and_nothing_else() {
        let hex = "3f27d88baf30af2a3377e63ec8023e6daecd8b1b7dad8f364fc81191e51e48c8";
        let taken =
            [format!("t=1700000000,v1={hex}"), format!("t=0,v1={hex}"), format!("t=18446744073709551615,v1={hex}")];
        for h in &taken {
            assert!(SignatureHeader::canonical(h).is_some(), "{h}");
            agrees(h);
        }
        let upper = hex.to_uppercase();
        let left = [
            format!("t=01,v1={hex}"),
            format!("t=18446744073709551616,v1={hex}"),
            format!("t=,v1={hex}"),
            format!("t=1 ,v1={hex}"),
            format!(" t=1,v1={hex}"),
            format!("t=1,v1={hex} "),
            format!("t=1,v1={hex},"),
            format!("t=1,v0={hex}"),
            format!("t=1,v1={upper}"),
            format!("t=1,v1={}", &hex[1..]),
            format!("t=1,v1={hex}0"),
            format!("t=1,t=2,v1={hex}"),
            format!("t=1=,v1={hex}"),
            format!("t=1,v1=,{}", &hex[1..]),
            format!("t=1,v1=={}", &hex[1..]),
            format!("t=1,v1={hex},v0=ab"),
            format!("v1={hex},t=1"),
        ];
        for h in &left {
            assert!(SignatureHeader::canonical(h).is_none(), "{h}");
        }
        // The general grammar still reads what the shape refuses, the same way it always did.
        assert_eq!(SignatureHeader::parse(&left[0]).unwrap_err().code(), "malformed_timestamp");
        assert_eq!(SignatureHeader::parse(&left[6]).unwrap().v1_count(), 1);
        assert_eq!(SignatureHeader::parse(&left[11]).unwrap_err().code(), "duplicate_timestamp");
        assert_eq!(SignatureHeader::parse(&left[13]).unwrap_err().code(), "malformed_header");
        assert_eq!(SignatureHeader::parse(&left[15]).unwrap().v1_count(), 1);
    }

    proptest! {
        /// Stripe's header with up to two bytes changed, inserted or removed: whatever the
        /// position reader takes, the grammar reads the same.
        #[test]
        fn canonical_agrees_with_grammar(
            t in "[1-9][0-9]{0,20}",
            tag in "[0-9a-f]{64}",
            edits in proptest::collection::vec((0usize..100, 0usize..3, proptest::sample::select(b"0a9f,= \tFgv1t".to_vec())), 0..3),
        ) {
            let mut h = format!("t={t},v1={tag}").into_bytes();
            for (at, op, byte) in edits {
                let at = at % (h.len() + 1);
                match op {
                    0 if at < h.len() => h[at] = byte,
                    1 => h.insert(at, byte),
                    _ if at < h.len() => { h.remove(at); }
                    _ => {}
                }
            }
            agrees(&String::from_utf8(h).unwrap());
        }
    }

    fn secret() -> SigningSecret {
        SigningSecret::new("whsec_unit").unwrap()
    }

    #[test]
    fn window_edges_both_directions() {
        let tol = Tolerance::from_secs(300).unwrap();
        assert!(check_window(1000, 1300, tol).is_ok());
        assert!(matches!(check_window(1000, 1301, tol), Err(Error::TimestampTooOld { age_secs: 301, .. })));
        assert!(check_window(1300, 1000, tol).is_ok());
        assert!(matches!(check_window(1301, 1000, tol), Err(Error::TimestampInFuture { ahead_secs: 301, .. })));
        assert!(check_window(u64::MAX, u64::MAX, tol).is_ok());
        assert!(check_window(u64::MAX, 0, tol).is_err());
        assert!(check_window(0, u64::MAX, tol).is_err());
    }

    #[test]
    fn timestamp_grammar() {
        assert_eq!(parse_timestamp("0").unwrap(), 0);
        assert_eq!(parse_timestamp("18446744073709551615").unwrap(), u64::MAX);
        for bad in ["", "01", "+1", "-1", "1_0", "1e3", "0x1", "18446744073709551616", "１"] {
            assert_eq!(parse_timestamp(bad), Err(Error::MalformedTimestamp), "{bad:?}");
        }
    }

    #[test]
    fn second_secret_matches_and_is_reported() {
        let other = SigningSecret::new("whsec_other").unwrap();
        let h = sign_header(b"x", &secret(), 10).unwrap();
        let ok = verify(b"x", &h, &[other.clone(), secret()], 10, Tolerance::default()).unwrap();
        assert_eq!(ok.secret_index(), 1);
        assert_eq!(verify(b"x", &h, &[other], 10, Tolerance::default()), Err(Error::SignatureMismatch));
        assert_eq!(verify(b"x", &h, &[], 10, Tolerance::default()).unwrap_err().code(), "invalid_secret");
    }

    #[test]
    fn accessors_and_redaction() {
        let s = secret();
        assert_eq!(s.expose_secret(), "whsec_unit");
        assert_eq!(format!("{s:?}"), "SigningSecret([redacted])");
        let h = SignatureHeader::parse("t=42,v1=00,v1=11,v0=x").unwrap();
        assert_eq!((h.timestamp(), h.v1_count()), (42, 2));
        let v = Verifier::new(&[s.clone(), s], Tolerance::from_secs(7).unwrap()).unwrap();
        assert_eq!(v.tolerance().secs(), 7);
        assert_eq!(format!("{v:?}"), "Verifier { secrets: 2, tolerance_secs: 7 }");
    }

    #[test]
    fn mac_is_checked_before_time() {
        let h = sign_header(b"x", &secret(), 10).unwrap();
        // Wrong payload and stale: the MAC error wins, so an attacker learns nothing about time.
        assert_eq!(verify(b"y", &h, &[secret()], 10_000, Tolerance::default()), Err(Error::SignatureMismatch));
    }

    #[test]
    fn mac_covers_raw_timestamp_text() {
        let h = sign_header(b"x", &secret(), 10).unwrap();
        let sig = h.split_once(",v1=").unwrap().1;
        let forged = format!("t=010,v1={sig}");
        assert_eq!(verify(b"x", &forged, &[secret()], 10, Tolerance::default()), Err(Error::MalformedTimestamp));
    }
}
