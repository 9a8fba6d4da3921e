//! The encodings every module shares: percent-encoding (RFC 3986) for links, form encoding
//! and strict form decoding for request bodies and callback queries, cutting untrusted text
//! to a cap, and content-free JSON error reasons. One place, so that a link, a request body
//! and a callback agree byte for byte.

use crate::error::{Error, Result};

/// Appends `s` percent-encoded per RFC 3986 (unreserved characters kept, `%XX` uppercase).
///
/// ```
/// let mut out = String::new();
/// stripe_handshake::testing::percent_encode_into(&mut out, "a b/é~");
/// assert_eq!(out, "a%20b%2F%C3%A9~");
/// ```
pub fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let hex = |n: u8| char::from(HEX.get(usize::from(n)).copied().unwrap_or(b'0'));
    out.reserve(s.len());
    // A run of unreserved characters is copied as it is, found with one table lookup a byte;
    // the character after it is written as the `%XX` of each of its bytes. A run is ASCII, so
    // it ends at a character boundary. (Per-byte class tests and a push a character made this
    // a tenth of a Connect link's call.)
    let mut rest = s;
    loop {
        let run = rest.bytes().position(|b| !UNRESERVED.get(usize::from(b)).copied().unwrap_or(false));
        let Some((head, tail)) = rest.split_at_checked(run.unwrap_or(rest.len())) else { return };
        out.push_str(head);
        let mut chars = tail.chars();
        let Some(c) = chars.next() else { return };
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 0xf));
        }
        rest = chars.as_str();
    }
}

/// RFC 3986's unreserved characters (`ALPHA / DIGIT / "-" / "." / "_" / "~"`), by byte.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        #[allow(clippy::indexing_slicing)] // a u8 indexes 256 entries
        {
            table[b as usize] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        }
        if b == u8::MAX {
            break table;
        }
        b += 1;
    }
};

/// `k=v&k=v` with keys and values percent-encoded (an `application/x-www-form-urlencoded`
/// body; `%20` for a space, which every form decoder reads).
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(b.wrapping_sub(b'a').wrapping_add(10)),
        b'A'..=b'F' => Some(b.wrapping_sub(b'A').wrapping_add(10)),
        _ => None,
    }
}

/// Decodes one `application/x-www-form-urlencoded` component strictly.
pub(crate) fn form_decode(s: &str) -> Result<String> {
    let bad = |reason| Error::MalformedQuery { reason };
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = it.next().and_then(hex_val);
                let lo = it.next().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push((h << 4) | l),
                    _ => return Err(bad("a % is not followed by two hex digits")),
                }
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| bad("a value is not UTF-8 after decoding"))
}

/// Cuts `s` to at most `max` bytes at a character boundary.
pub(crate) fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or("").to_owned()
}

/// A short, content-free description of a JSON error (serde_json's own messages can quote input).
pub(crate) fn json_error_reason(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "io error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "a field has the wrong type",
        serde_json::error::Category::Eof => "unexpected end",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of the first two planes' edges and every ASCII byte, alone and in runs,
    /// against the rule written the plainest way: each byte of a character outside the
    /// unreserved set as `%XX`.
    #[test]
    fn percent_encoding_matches_the_rule_byte_for_byte() {
        let plain = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        let chars = (0u32..0x800).chain(0xD7F0..0xE010).chain(0xFFF0..0x10010).chain(0x10_FFF0..0x11_0000);
        let chars: Vec<char> = chars.filter_map(char::from_u32).collect();
        for c in &chars {
            for s in [c.to_string(), format!("ab{c}"), format!("{c}~z"), format!("{c}{c}")] {
                let mut out = String::from("x=");
                percent_encode_into(&mut out, &s);
                assert_eq!(out, format!("x={}", plain(&s)), "U+{:04X}", u32::from(*c));
            }
        }
        let all: String = chars.iter().collect();
        let mut out = String::new();
        percent_encode_into(&mut out, &all);
        assert_eq!(out, plain(&all));
        percent_encode_into(&mut out, "");
        assert_eq!(out, plain(&all));
    }

    #[test]
    fn cap_cuts_at_a_character_boundary() {
        assert_eq!(cap("ééé", 3), "é");
        assert_eq!(cap("abc", 5), "abc");
    }

    #[test]
    fn form_round_trip() {
        let body = form_encode(&[("a b", "c&d=é"), ("k", "")]);
        assert_eq!(body, "a%20b=c%26d%3D%C3%A9&k=");
        assert_eq!(form_decode("c%26d%3D%C3%A9+x").unwrap(), "c&d=é x");
        assert_eq!(form_decode("%4").unwrap_err().code(), "malformed_query");
        assert_eq!(form_decode("%zz").unwrap_err().code(), "malformed_query");
        assert_eq!(form_decode("%ff").unwrap_err().code(), "malformed_query");
        assert_eq!(form_decode("%C3%A9%41%61").unwrap(), "éAa");
    }

    #[test]
    fn json_error_reasons_name_the_category_only() {
        let reason = |s: &str| json_error_reason(&serde_json::from_str::<serde_json::Value>(s).unwrap_err());
        assert_eq!(reason("{"), "unexpected end");
        assert_eq!(reason("{]"), "syntax error");
        let Err(data) = serde_json::from_str::<Vec<String>>("[5]") else { panic!("accepted a number id") };
        assert_eq!(json_error_reason(&data), "a field has the wrong type");
    }
}
