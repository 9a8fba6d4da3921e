//! "Why does this fail?": findings about a `Stripe-Signature` that did not verify. Run only
//! after a failure, never on the fast path. Findings never contain a secret, a MAC or an
//! expected signature: only what is wrong and what to do.

use crate::error::Error;
use crate::signature::{SignatureHeader, SigningSecret, Tolerance, Verifier, Window};

/// One finding: a stable code, what it means, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    code: &'static str,
    message: String,
    action: &'static str,
}

impl Finding {
    /// The stable snake_case code (`body_changed`, `clock_skew`, …).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }
    /// What was found, in words.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What to do about it.
    #[must_use]
    pub fn action(&self) -> &'static str {
        self.action
    }
}

fn finding(code: &'static str, message: impl Into<String>, action: &'static str) -> Finding {
    Finding { code, message: message.into(), action }
}

/// Every finding code [`diagnose_signature`] can return, in a fixed order.
pub const SIGNATURE_FINDINGS: &[&str] = &[
    "verified",
    "matched_secret",
    "clock_skew",
    "body_changed",
    "body_is_object_string",
    "body_is_event_notification",
    "header_missing",
    "header_quoted",
    "header_uppercase",
    "header_only_v0",
    "header_malformed",
    "secret_is_api_key",
    "secret_has_whitespace",
    "secret_quoted",
    "secret_unusual_prefix",
    "no_usable_secret",
    "wrong_secret",
];

/// The common ways a framework changes a body before it reaches you, each undone: if the
/// signature verifies over one of these, the secret is right and the body was changed.
/// Undoes one change: the body as it was before, if the change could have happened.
type Undo = fn(&[u8]) -> Option<Vec<u8>>;

const BODY_CHANGES: &[(&str, &str, Undo)] = &[
    ("parsed and re-serialized compactly (JSON.stringify(req.body))", "pretty", pretty_two_spaces),
    ("parsed and re-serialized with Python's json.dumps separators", "pretty", pretty_two_spaces_from_spaced),
    ("pretty-printed or re-indented", "compact", compact),
    ("given CRLF line endings", "lf", crlf_to_lf),
    ("stripped of CR line endings", "crlf", lf_to_crlf),
    ("given a byte-order mark", "no-bom", strip_bom),
    ("stripped of a trailing newline", "newline", add_newline),
    ("given a trailing newline", "no-newline", strip_newline),
    ("decoded as latin-1 and encoded as UTF-8", "latin1", utf8_to_latin1),
];

/// Diagnoses a `Stripe-Signature` over `payload` with the given secret strings (as
/// configured, before any check: the diagnosis looks at whitespace and prefixes too).
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, diagnose::diagnose_signature, testing::sign_header};
/// let body = b"{\n  \"id\": \"evt_1\",\n  \"object\": \"event\"\n}";
/// let h = sign_header(body, &SigningSecret::new("whsec_x").unwrap(), 100).unwrap();
/// // What express.json() + JSON.stringify(req.body) hands over:
/// let f = diagnose_signature(br#"{"id":"evt_1","object":"event"}"#, &h, &["whsec_x"], 100, Tolerance::default());
/// assert_eq!(f[0].code(), "body_changed");
/// assert!(!f[0].message().contains("whsec_x"));
/// // Reject twin's contrast: the right body verifies.
/// assert_eq!(diagnose_signature(body, &h, &["whsec_x"], 100, Tolerance::default())[0].code(), "verified");
/// ```
#[must_use]
pub fn diagnose_signature(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    now: u64,
    tolerance: Tolerance,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let usable: Vec<SigningSecret> = secrets.iter().filter_map(|s| secret_findings(s, &mut out)).collect();
    let header_ok = header_findings(header, &mut out);
    if payload == b"[object Object]" {
        out.push(finding(
            "body_is_object_string",
            "the body is the text [object Object]: a parsed object was turned into a string",
            "verify the raw request body (a Buffer or the bytes), before any JSON middleware parses it",
        ));
    }
    if usable.is_empty() {
        out.push(finding(
            "no_usable_secret",
            "no configured secret can be used",
            "pass the endpoint's signing secret (whsec_...) from the Dashboard, exactly as shown",
        ));
        return out;
    }
    let Some(header) = header_ok else { return out };
    let Ok(verifier) = Verifier::new(&usable, tolerance) else { return out };
    match verifier.verify_candidates(&[payload], header, Window::Ignored) {
        Ok(sig) => {
            if usable.len() > 1 {
                out.push(finding(
                    "matched_secret",
                    format!(
                        "the signature verifies with secret number {} of {}",
                        sig.secret_index().saturating_add(1),
                        usable.len()
                    ),
                    "nothing to do; retire the secrets that no longer match once rotation ends",
                ));
            }
            match verifier.verify(payload, header, now) {
                Ok(_) => out.push(finding("verified", "the signature verifies and is in its time window", "nothing to do")),
                Err(Error::TimestampTooOld { age_secs, tolerance_secs }) => out.push(finding(
                    "clock_skew",
                    format!("the signature is right but {age_secs} s old, over the {tolerance_secs} s tolerance"),
                    "a replay of an old request, or a server clock behind: check NTP; never widen the tolerance to fix a clock",
                )),
                Err(Error::TimestampInFuture { ahead_secs, tolerance_secs }) => out.push(finding(
                    "clock_skew",
                    format!("the signature is right but {ahead_secs} s ahead of now, over the {tolerance_secs} s tolerance"),
                    "the server clock is behind Stripe's: check NTP",
                )),
                Err(_) => {}
            }
            if body_is_notification(payload) {
                out.push(finding(
                    "body_is_event_notification",
                    "the body is an event notification (a thin event, \"object\": \"v2.core.event\")",
                    "verify it with verify_event_notification, not verify_webhook",
                ));
            }
        }
        Err(Error::SignatureMismatch) => {
            for (what, _, undo) in BODY_CHANGES {
                let Some(original) = undo(payload) else { continue };
                if original != payload && verifier.verify_candidates(&[&original], header, Window::Ignored).is_ok() {
                    out.push(finding(
                        "body_changed",
                        format!("the secret is right, but the body was {what} before it reached you"),
                        "verify the raw request bytes: mount the webhook route before any body parser (express.raw, request.get_data())",
                    ));
                    return out;
                }
            }
            out.push(finding(
                "wrong_secret",
                "no configured secret verifies this signature, over this body or any common change of it",
                "use this endpoint's signing secret from the Dashboard (each endpoint has its own; a whsec_ printed by \
                 `stripe listen` only verifies events that `stripe listen` forwards)",
            ));
        }
        Err(_) => {}
    }
    out
}

fn secret_findings(s: &str, out: &mut Vec<Finding>) -> Option<SigningSecret> {
    let t = s.trim();
    if t != s {
        out.push(finding(
            "secret_has_whitespace",
            "a secret has whitespace around it",
            "copy the secret again without the surrounding space or newline (check your .env file)",
        ));
    }
    let unquoted = t.trim_matches(|c| c == '"' || c == '\'');
    if unquoted != t {
        out.push(finding(
            "secret_quoted",
            "a secret is wrapped in quotes",
            "remove the quotes: they are part of the string you pass",
        ));
    }
    if ["sk_", "pk_", "rk_"].iter().any(|p| unquoted.starts_with(p)) {
        out.push(finding(
            "secret_is_api_key",
            "an API key was passed where a signing secret goes",
            "pass the endpoint's signing secret (whsec_..., or absec_... for a Stripe App), not an API key",
        ));
        return None;
    }
    if !unquoted.starts_with("whsec_") && !unquoted.starts_with("absec_") {
        out.push(finding(
            "secret_unusual_prefix",
            "a secret starts with neither whsec_ nor absec_",
            "webhook endpoints sign with whsec_..., Stripe Apps with absec_...: check which secret this is",
        ));
    }
    // Diagnose with what the user most likely meant: the secret without the stray characters.
    SigningSecret::new(unquoted).ok()
}

fn header_findings<'h>(header: &'h str, out: &mut Vec<Finding>) -> Option<&'h str> {
    let trimmed = header.trim();
    if trimmed.is_empty() {
        out.push(finding(
            "header_missing",
            "the Stripe-Signature header is absent or empty",
            "read the header Stripe-Signature from the request (req.headers['stripe-signature'])",
        ));
        return None;
    }
    let unquoted = trimmed.trim_matches(|c| c == '"' || c == '\'');
    if unquoted != trimmed {
        out.push(finding(
            "header_quoted",
            "the header value is wrapped in quotes",
            "pass the header value without quotes",
        ));
        return None;
    }
    if unquoted.contains("T=") || unquoted.contains("V1=") {
        out.push(finding(
            "header_uppercase",
            "the header's keys are upper case (T=, V1=)",
            "pass the header value exactly as received: its keys are t and v1",
        ));
        return None;
    }
    match SignatureHeader::parse(unquoted) {
        Ok(_) => Some(unquoted),
        Err(Error::NoV1Signature) => {
            out.push(finding(
                "header_only_v0",
                "the header has no v1 signature (only v0 or another scheme)",
                "v0 is Stripe's test scheme and is ignored: verify a live request, or sign tests with v1",
            ));
            None
        }
        Err(e) => {
            out.push(finding(
                "header_malformed",
                format!("the header is not a Stripe-Signature: {}", e.code()),
                "pass the Stripe-Signature header exactly as received, not another header or a copied fragment",
            ));
            None
        }
    }
}

fn body_is_notification(payload: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Object<'a> {
        #[serde(borrow)]
        object: Option<&'a str>,
    }
    serde_json::from_slice::<Object<'_>>(payload).is_ok_and(|o| o.object == Some("v2.core.event"))
}

/// Walks a JSON text token by token, calling `emit` for each structural byte and string or
/// scalar run outside whitespace; `None` if it is not well-formed enough to walk.
fn tokens(b: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\n' | b'\r' | b'\t' => i = i.saturating_add(1),
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                out.push(vec![c]);
                i = i.saturating_add(1);
            }
            b'"' => {
                let start = i;
                i = i.saturating_add(1);
                loop {
                    match b.get(i)? {
                        b'\\' => i = i.saturating_add(2),
                        b'"' => {
                            i = i.saturating_add(1);
                            break;
                        }
                        _ => i = i.saturating_add(1),
                    }
                }
                out.push(b.get(start..i)?.to_vec());
            }
            _ => {
                let start = i;
                while b.get(i).is_some_and(|c| !b" \n\r\t{}[]:,\"".contains(c)) {
                    i = i.saturating_add(1);
                }
                out.push(b.get(start..i)?.to_vec());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn compact(b: &[u8]) -> Option<Vec<u8>> {
    Some(tokens(b)?.concat())
}

/// `JSON.stringify(value, null, 2)`, which is how Stripe sends events.
fn pretty_two_spaces(b: &[u8]) -> Option<Vec<u8>> {
    let toks = tokens(b)?;
    let mut out = Vec::with_capacity(b.len().saturating_mul(2));
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth.saturating_mul(2)));
    };
    for (i, t) in toks.iter().enumerate() {
        let next = toks.get(i.saturating_add(1)).map(|n| n.as_slice());
        match t.as_slice() {
            open @ (b"{" | b"[") => {
                out.extend_from_slice(open);
                let close: &[u8] = if open == b"{" { b"}" } else { b"]" };
                if next != Some(close) {
                    depth = depth.saturating_add(1);
                    newline(&mut out, depth);
                }
            }
            close @ (b"}" | b"]") => {
                let prev = i.checked_sub(1).and_then(|p| toks.get(p)).map(|p| p.as_slice());
                let open: &[u8] = if close == b"}" { b"{" } else { b"[" };
                if prev != Some(open) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.extend_from_slice(close);
            }
            b"," => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b":" => out.extend_from_slice(b": "),
            other => out.extend_from_slice(other),
        }
    }
    Some(out)
}

fn pretty_two_spaces_from_spaced(b: &[u8]) -> Option<Vec<u8>> {
    // Python's json.dumps writes ", " and ": ": the tokens are the same, so is the pretty form.
    let spaced = b.windows(2).any(|w| w == b", " || w == b": ");
    if spaced {
        pretty_two_spaces(b)
    } else {
        None
    }
}

fn crlf_to_lf(b: &[u8]) -> Option<Vec<u8>> {
    b.windows(2).any(|w| w == b"\r\n").then(|| {
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            if c == b'\r' && b.get(i.saturating_add(1)) == Some(&b'\n') {
                i = i.saturating_add(1);
                continue;
            }
            out.push(c);
            i = i.saturating_add(1);
        }
        out
    })
}

fn lf_to_crlf(b: &[u8]) -> Option<Vec<u8>> {
    (b.contains(&b'\n') && !b.contains(&b'\r')).then(|| {
        let mut out = Vec::with_capacity(b.len().saturating_add(b.len() / 16));
        for &c in b {
            if c == b'\n' {
                out.push(b'\r');
            }
            out.push(c);
        }
        out
    })
}

fn strip_bom(b: &[u8]) -> Option<Vec<u8>> {
    b.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec)
}

fn add_newline(b: &[u8]) -> Option<Vec<u8>> {
    (!b.ends_with(b"\n")).then(|| [b, b"\n"].concat())
}

fn strip_newline(b: &[u8]) -> Option<Vec<u8>> {
    b.strip_suffix(b"\n").map(<[u8]>::to_vec)
}

/// The bytes before a latin-1 decode and UTF-8 encode (mojibake), when every character fits.
fn utf8_to_latin1(b: &[u8]) -> Option<Vec<u8>> {
    let s = core::str::from_utf8(b).ok()?;
    if s.is_ascii() {
        return None;
    }
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_printer_is_json_stringify_with_two_spaces() {
        let compact = br#"{"id":"evt_1","data":{"object":{"a":[1,2],"b":{},"c":[]}},"s":"x, y: {z}"}"#;
        let want = "{\n  \"id\": \"evt_1\",\n  \"data\": {\n    \"object\": {\n      \"a\": [\n        1,\n        2\n      ],\n      \"b\": {},\n      \"c\": []\n    }\n  },\n  \"s\": \"x, y: {z}\"\n}";
        assert_eq!(String::from_utf8(pretty_two_spaces(compact).unwrap()).unwrap(), want);
        assert_eq!(compact_of(want.as_bytes()), compact.to_vec());
        assert!(tokens(b"\"unterminated").is_none());
        assert_eq!(utf8_to_latin1("Ã©".as_bytes()), Some(vec![0xc3, 0xa9]));
        assert_eq!(utf8_to_latin1("€".as_bytes()), None);
    }

    fn compact_of(b: &[u8]) -> Vec<u8> {
        compact(b).unwrap()
    }

    #[test]
    fn every_code_is_listed() {
        for code in SIGNATURE_FINDINGS {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{code}");
        }
    }
}
