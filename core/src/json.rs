//! Byte-exact `JSON.stringify` for the `install_signature` payload.
//!
//! Stripe signs `JSON.stringify({state, user_id, account_id})`. The bytes are built
//! directly, never through a generic JSON map (serde_json maps sort keys; Python's
//! `json.dumps` defaults add spaces and escape non-ASCII).

/// Appends `s` as an ECMAScript `JSON.stringify` string literal (with quotes).
///
/// Escapes `"` and `\`, uses `\b \f \n \r \t`, other C0 controls as lowercase `\u00xx`,
/// and copies everything else (including `/`, `<`, U+2028 and non-ASCII) as raw UTF-8.
///
/// ```
/// let mut out = String::new();
/// stripe_handshake::install::json_stringify_str(&mut out, "a\"\u{1}é\u{2028}");
/// assert_eq!(out, "\"a\\\"\\u0001é\u{2028}\"");
/// ```
pub fn json_stringify_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let v = c as u32;
                out.push_str("\\u00");
                for shift in [4u32, 0] {
                    let nibble = (v >> shift) & 0xf;
                    let digit = HEX.get(nibble as usize).copied().unwrap_or(b'0');
                    out.push(char::from(digit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// How the `state` key appears in an install payload.
///
/// ```
/// use stripe_handshake::install::{install_payload, StateField};
/// assert_eq!(install_payload(StateField::Value(""), "u", "a"), r#"{"state":"","user_id":"u","account_id":"a"}"#);
/// assert_eq!(install_payload(StateField::Null, "u", "a"), r#"{"state":null,"user_id":"u","account_id":"a"}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateField<'a> {
    /// `"state":"<value>"` (an empty `state=` is `""`).
    Value(&'a str),
    /// No `state` key at all (what the Node sample signs when `state` is `undefined`).
    Omitted,
    /// `"state":null` (what the Ruby sample signs when state is `nil`).
    Null,
}

/// The exact bytes Stripe signs for an install redirect:
/// `{"state":…,"user_id":…,"account_id":…}`, keys in that order, no spaces.
///
/// ```
/// use stripe_handshake::install::{install_payload, StateField};
/// assert_eq!(
///     install_payload(StateField::Value("abc123"), "usr_Test123", "acct_1Test456"),
///     r#"{"state":"abc123","user_id":"usr_Test123","account_id":"acct_1Test456"}"#
/// );
/// assert_eq!(
///     install_payload(StateField::Omitted, "usr_1", "acct_1"),
///     r#"{"user_id":"usr_1","account_id":"acct_1"}"#
/// );
/// ```
#[must_use]
pub fn install_payload(state: StateField<'_>, user_id: &str, account_id: &str) -> String {
    let mut out = String::with_capacity(48usize.saturating_add(user_id.len()).saturating_add(account_id.len()));
    out.push('{');
    match state {
        StateField::Value(s) => {
            out.push_str("\"state\":");
            json_stringify_str(&mut out, s);
            out.push(',');
        }
        StateField::Null => out.push_str("\"state\":null,"),
        StateField::Omitted => {}
    }
    out.push_str("\"user_id\":");
    json_stringify_str(&mut out, user_id);
    out.push_str(",\"account_id\":");
    json_stringify_str(&mut out, account_id);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character() {
        for c in 0u32..0x20 {
            let ch = char::from_u32(c).unwrap();
            let mut out = String::new();
            json_stringify_str(&mut out, &ch.to_string());
            let expected = match c {
                8 => "\"\\b\"".to_owned(),
                9 => "\"\\t\"".to_owned(),
                10 => "\"\\n\"".to_owned(),
                12 => "\"\\f\"".to_owned(),
                13 => "\"\\r\"".to_owned(),
                _ => format!("\"\\u{c:04x}\""),
            };
            assert_eq!(out, expected);
        }
        let mut out = String::new();
        json_stringify_str(&mut out, "\u{7f}/</script>");
        assert_eq!(out, "\"\u{7f}/</script>\"");
    }

    #[test]
    fn null_state_form() {
        assert_eq!(install_payload(StateField::Null, "u", "a"), r#"{"state":null,"user_id":"u","account_id":"a"}"#);
    }
}
