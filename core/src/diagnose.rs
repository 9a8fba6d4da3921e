//! "Why does this fail?": findings about a `Stripe-Signature` that did not verify. Run only
//! after a failure, never on the fast path. Findings never contain a secret, a MAC or an
//! expected signature: only what is wrong and what to do.

use crate::error::Error;
use crate::install::AppAccess;
use crate::json::{install_payload, StateField};
use crate::redirect::RedirectAllowList;
use crate::signature::{SignatureHeader, SigningSecret, Tolerance, Verifier, Window};
use crate::state::{verify_state_token, Flow, StateKeys};

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
    "secret_is_app_secret",
];

/// The common ways a framework changes a body before it reaches you, each undone: if the
/// signature verifies over one of these, the secret is right and the body was changed.
/// Undoes one change: the body as it was before, if the change could have happened.
type Undo = fn(&[u8]) -> Option<Vec<u8>>;

const BODY_CHANGES: &[(&str, Undo)] = &[
    // Whitespace between tokens is all a re-serialization changes (JSON.stringify and
    // json.dumps keep key order): back to Stripe's `JSON.stringify(value, null, 2)`.
    ("parsed and re-serialized (JSON.stringify(req.body), json.dumps)", pretty_two_spaces),
    ("pretty-printed or re-indented", compact),
    ("given CRLF line endings", crlf_to_lf),
    ("stripped of CR line endings", lf_to_crlf),
    ("given a byte-order mark", strip_bom),
    ("stripped of a trailing newline", add_newline),
    ("given a trailing newline", strip_newline),
    ("decoded as latin-1 and encoded as UTF-8", utf8_to_latin1),
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
            for (what, undo) in BODY_CHANGES {
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
            if body_object(payload).is_some_and(|o| o == "event" || o == "v2.core.event")
                && secrets.iter().any(|s| s.trim().trim_matches(|c| c == '"' || c == '\'').starts_with("absec_"))
            {
                out.push(finding(
                    "secret_is_app_secret",
                    "the body is a Stripe event, and an absec_ secret was given: that is a Stripe App's signing \
                     secret, which signs install redirects and UI extension requests, not events",
                    "verify events with the event destination's whsec_ secret (Dashboard, Developers, the destination)",
                ));
            }
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
    body_object(payload).as_deref() == Some("v2.core.event")
}

/// The top-level `object` of a JSON body, if it is a JSON object that has one.
fn body_object(payload: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Object {
        object: Option<String>,
    }
    serde_json::from_slice::<Object>(payload).ok()?.object
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

/// What a callback diagnosis may use besides the URL: each part is optional, and each adds the
/// findings it can check.
#[derive(Clone, Copy, Debug)]
pub struct CallbackDiagnosisOptions<'a> {
    /// The app's signing secrets (`absec_…`), as configured, to check an `install_signature`.
    pub secrets: &'a [&'a str],
    /// The state keys, to read a signed state token.
    pub state_keys: Option<&'a StateKeys>,
    /// The session the state should be bound to.
    pub session_id: Option<&'a [u8]>,
    /// Current Unix time.
    pub now: u64,
    /// The window for `install_signature`.
    pub tolerance: Tolerance,
    /// The app's access type (its manifest's `stripe_api_access_type`), to say whether the
    /// callback is the kind this app receives.
    pub access: Option<AppAccess>,
    /// The redirect allow-list (the manifest's `allowed_redirect_uris`, or the platform's), to
    /// check the URL the callback arrived at: diagnosed as [`diagnose_redirect_uri`] does.
    pub redirect_uris: Option<&'a RedirectAllowList>,
}

impl<'a> CallbackDiagnosisOptions<'a> {
    /// Options that check the URL alone: add secrets, state keys and a session, an access type
    /// or an allow-list for the findings each one makes possible.
    #[must_use]
    pub fn new(now: u64) -> Self {
        Self {
            secrets: &[],
            state_keys: None,
            session_id: None,
            now,
            tolerance: Tolerance::default(),
            access: None,
            redirect_uris: None,
        }
    }
}

/// Every finding code [`diagnose_callback`] can return, besides those of
/// [`diagnose_redirect_uri`] (with an allow-list).
pub const CALLBACK_FINDINGS: &[&str] = &[
    "query_malformed",
    "flow_denied",
    "flow_install_link",
    "flow_apps_oauth",
    "flow_oauth",
    "flow_account_link",
    "flow_unknown",
    "missing_parameter",
    "state_absent",
    "state_present",
    "state_ok",
    "state_other_flow",
    "state_expired",
    "state_other_session",
    "state_not_yet_valid",
    "state_unknown_key",
    "state_not_a_token",
    "install_signature_ok",
    "install_signature_ui_extension_form",
    "install_signature_mismatch",
    "secret_is_api_key",
    "secret_has_whitespace",
    "secret_quoted",
    "secret_unusual_prefix",
    "secret_is_webhook_secret",
    "clock_skew",
    "access_type_mismatch",
];

const CALLBACK_PARAMS: &[&str] = &[
    "user_id",
    "account_id",
    "stripe_user_id",
    "state",
    "install_signature",
    "code",
    "scope",
    "error",
    "error_description",
];

/// Diagnoses a callback URL (or its query): which flow it belongs to, what is missing, the
/// state verdict in words, and, with the app's secrets, whether its `install_signature` holds;
/// with an allow-list, whether the URL it arrived at is an entry; with the app's access type,
/// whether this app receives this kind of callback.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, diagnose::{diagnose_callback, CallbackDiagnosisOptions}};
/// let o = CallbackDiagnosisOptions::new(0);
/// let f = diagnose_callback("https://p.example/cb?error=access_denied", &o);
/// assert_eq!(f[0].code(), "flow_denied");
/// let f = diagnose_callback("user_id=usr_1&account_id=acct_1&install_signature=t%3D1%2Cv1%3D00", &o);
/// assert_eq!((f[0].code(), f[1].code()), ("flow_install_link", "state_absent"));
/// let list = RedirectAllowList::new(&["https://p.example/cb"], RedirectMode::Test).unwrap();
/// let o = CallbackDiagnosisOptions { redirect_uris: Some(&list), ..CallbackDiagnosisOptions::new(0) };
/// let codes: Vec<_> = diagnose_callback("https://p.example/cb/?code=ac_1", &o).iter().map(|f| f.code()).collect();
/// assert_eq!(codes, ["redirect_nearest_entry", "differs_trailing_slash", "flow_oauth", "state_absent"]);
/// ```
#[must_use]
pub fn diagnose_callback(query_or_url: &str, o: &CallbackDiagnosisOptions<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Some(list), Some((base, _))) = (o.redirect_uris, query_or_url.split_once('?')) {
        if base.contains("://") {
            // Where it arrived: the URL without its query, as Stripe appends the query to an entry.
            out.extend(diagnose_redirect_uri(base, list));
        }
    }
    let query = match query_or_url.split_once('?') {
        Some((_, q)) => q.split('#').next().unwrap_or(""),
        None if query_or_url.contains("://") => "",
        None => query_or_url,
    };
    let p = match crate::callback::Params::parse(query, CALLBACK_PARAMS) {
        Ok(p) => p,
        Err(e) => {
            out.push(finding(
                "query_malformed",
                format!("the query cannot be read: {}", e.code()),
                "pass the query exactly as received (url.search, request.query_string), not a decoded or rebuilt one",
            ));
            return out;
        }
    };
    if let Some(error) = p.get("error") {
        let kind = crate::error::OAuthErrorKind::from_wire(error).as_str();
        out.push(finding(
            "flow_denied",
            format!("a denial: the user cancelled or Stripe refused (error kind {kind})"),
            "show that nothing was installed or connected; it grants nothing, so it needs no signature",
        ));
        return out;
    }
    let has = |k: &str| p.get(k).is_some_and(|v| !v.is_empty());
    let flow = if p.get("install_signature").is_some() {
        out.push(finding(
            "flow_install_link",
            "a Stripe Apps install redirect (it carries install_signature)",
            "verify it with verify_install_callback, with the app's absec_ secret and your state check",
        ));
        for k in ["user_id", "account_id"] {
            if !has(k) {
                out.push(finding(
                    "missing_parameter",
                    format!("{k} is missing"),
                    "a real install redirect has it: the URL was cut or edited",
                ));
            }
        }
        if o.access == Some(AppAccess::OAuth) {
            out.push(finding(
                "access_type_mismatch",
                "an install-link redirect, but the manifest says stripe_api_access_type oauth (such apps get a code)",
                "check which app's link was used, and its manifest version: verify with that app's settings",
            ));
        }
        Some(Flow::InstallLink)
    } else if has("code") && (has("account_id") || o.access == Some(AppAccess::OAuth)) {
        out.push(finding(
            "flow_apps_oauth",
            "a Stripe Apps OAuth redirect with the installing account (an OAuth-type app)",
            "verify it with verify_app_callback, access type oauth, then exchange the code at the Apps endpoint",
        ));
        for k in ["user_id", "account_id"] {
            if !has(k) {
                out.push(finding(
                    "missing_parameter",
                    format!("{k} is missing"),
                    "an OAuth-type app's redirect has it: the URL was cut or edited",
                ));
            }
        }
        if o.access == Some(AppAccess::InstallLink) {
            out.push(finding(
                "access_type_mismatch",
                "an OAuth-type app's redirect (a code with the account), but the manifest has no \
                 stripe_api_access_type oauth (such apps get an install_signature)",
                "check which app's link was used, and its manifest version: verify with that app's settings",
            ));
        }
        Some(Flow::AppsOAuth)
    } else if has("code") {
        out.push(finding(
            "flow_oauth",
            "an OAuth redirect with a code (Stripe Apps or Connect: the state token's flow says which)",
            "verify it with verify_oauth_callback for the flow you started, then exchange the code once",
        ));
        None
    } else if has("state") {
        out.push(finding(
            "flow_account_link",
            "only a state: a return to an Account Link's return or refresh URL",
            "verify it with verify_account_link_callback, then retrieve the account",
        ));
        Some(Flow::AccountLink)
    } else {
        out.push(finding(
            "flow_unknown",
            "no parameter of any Stripe callback",
            "this is not a redirect from Stripe: check the redirect URI in your link and in Stripe's settings",
        ));
        return out;
    };
    let state = p.get("state").filter(|s| !s.is_empty());
    match state {
        None => out.push(finding(
            "state_absent",
            "no state: an install from the Stripe App Marketplace, or a callback someone else started",
            "accept Marketplace installs knowingly (marketplace: accept) and keep them unclaimed; refuse anything else",
        )),
        Some(s) => state_findings(s, flow, o, &mut out),
    }
    if flow == Some(Flow::InstallLink) && !o.secrets.is_empty() {
        install_signature_findings(&p, state, o, &mut out);
    }
    out
}

/// Whether a callback with these findings would pass its check: a state of this session, for
/// an install redirect a signature in its window, and, where they were given, an allow-listed
/// URL and the app's kind of callback. One rule for every binding and the CLI.
#[must_use]
pub fn callback_passes(findings: &[Finding]) -> bool {
    let has = |code: &str| findings.iter().any(|f| f.code == code);
    let problems = [
        "missing_parameter",
        "install_signature_mismatch",
        "install_signature_ui_extension_form",
        "clock_skew",
        "access_type_mismatch",
        "redirect_not_canonical",
        "redirect_other_host",
        "redirect_nearest_entry",
    ];
    has("state_ok") && !problems.iter().any(|p| has(p)) && (!has("flow_install_link") || has("install_signature_ok"))
}

fn state_findings(s: &str, flow: Option<Flow>, o: &CallbackDiagnosisOptions<'_>, out: &mut Vec<Finding>) {
    let (Some(keys), Some(session)) = (o.state_keys, o.session_id) else {
        out.push(finding(
            "state_present",
            "a state is present",
            "check it: against the plain state kept in the session, or with your state keys and the session id",
        ));
        return;
    };
    // Which flow the token says, if it is one: ask for the callback's, then for the token's.
    let first = flow.unwrap_or(Flow::ConnectOAuth);
    let mut result = verify_state_token(keys, Some(s), session, first, o.now);
    if let Err(Error::StateFlowMismatch { token_flow, expected_flow }) = result {
        if flow.is_some() {
            out.push(finding(
                "state_other_flow",
                format!("the state token was issued for flow {token_flow}, and this is a {expected_flow} callback"),
                "a token from one flow never passes another's check: start this flow with its own state",
            ));
            return;
        }
        // A generic OAuth callback: the token says whether it is Apps or Connect.
        if let Ok(f) = Flow::parse(token_flow) {
            result = verify_state_token(keys, Some(s), session, f, o.now);
        }
    }
    out.push(match result {
        Ok(v) => finding(
            "state_ok",
            format!(
                "a state token of this session for flow {}, valid {} s more{}",
                v.flow().as_str(),
                v.expires_at().saturating_sub(o.now),
                v.mode().map_or(String::new(), |m| format!(", for {} mode", m.as_str()))
            ),
            "the state checks out: refuse a second use of its nonce until it expires",
        ),
        Err(Error::StateExpired { expired_secs_ago }) => finding(
            "state_expired",
            format!("the state token expired {expired_secs_ago} s ago"),
            "start the flow again; tokens live 10 minutes by default (Account Links 24 h)",
        ),
        Err(Error::StateSessionMismatch) => finding(
            "state_other_session",
            "the state token was issued for another browser session",
            "the link was opened in one browser and the callback in another, or someone sent the callback: refuse it",
        ),
        Err(Error::StateNotYetValid) => finding(
            "state_not_yet_valid",
            "the state token was issued more than 60 s in the future",
            "check the clocks of the servers that issue and check state",
        ),
        Err(Error::StateUnknownKey) => finding(
            "state_unknown_key",
            "the state token was signed with a key id you do not have configured",
            "keep a retired key in the key set until the tokens it signed have expired",
        ),
        Err(_) => finding(
            "state_not_a_token",
            "the state is not a state token of these keys (a plain state, or changed on the way)",
            "check a plain state against the session's; a token that does not verify must be refused",
        ),
    });
}

fn install_signature_findings(
    p: &crate::callback::Params,
    state: Option<&str>,
    o: &CallbackDiagnosisOptions<'_>,
    out: &mut Vec<Finding>,
) {
    let usable: Vec<SigningSecret> = o.secrets.iter().filter_map(|s| secret_findings(s, out)).collect();
    let (Some(user), Some(account), Some(sig)) = (p.get("user_id"), p.get("account_id"), p.get("install_signature"))
    else {
        return;
    };
    let Ok(verifier) = Verifier::new(&usable, o.tolerance) else { return };
    let forms: Vec<(StateField<'_>, bool)> = match (state, p.get("state")) {
        (Some(s), _) => vec![(StateField::Value(s), false)],
        (None, Some(_)) => vec![(StateField::Value(""), false)],
        (None, None) => vec![(StateField::Null, false), (StateField::Omitted, true)],
    };
    for (form, ui_form) in forms {
        let payload = install_payload(form, user, account);
        let Ok(sig_ok) = verifier.verify_candidates(&[payload.as_bytes()], sig, Window::Ignored) else { continue };
        if ui_form {
            out.push(finding(
                "install_signature_ui_extension_form",
                "the install_signature covers {user_id, account_id} only: the bytes UI extensions sign",
                "any Dashboard user of the account can make one: accept it only knowingly (accept_ui_extension_form)",
            ));
            return;
        }
        let age = o.now.abs_diff(sig_ok.timestamp());
        if age > u64::from(o.tolerance.secs()) {
            out.push(finding(
                "clock_skew",
                format!(
                    "the install_signature is right but {age} s from now, over the {} s tolerance",
                    o.tolerance.secs()
                ),
                "a replayed redirect, or a server clock off: check NTP",
            ));
        } else {
            out.push(finding(
                "install_signature_ok",
                "the install_signature verifies over JSON.stringify({state, user_id, account_id})",
                "nothing to do for the signature",
            ));
        }
        return;
    }
    out.push(finding(
        "install_signature_mismatch",
        "no configured secret verifies the install_signature over JSON.stringify({state, user_id, account_id})",
        "use the app's signing secret (absec_..., in the app's settings), and pass the query exactly as received",
    ));
    if o.secrets.iter().any(|s| s.trim().trim_matches(|c| c == '"' || c == '\'').starts_with("whsec_")) {
        out.push(finding(
            "secret_is_webhook_secret",
            "a whsec_ secret was given: that signs webhook events, and install redirects are signed with the app's \
             signing secret",
            "use the app's absec_ secret (the app's settings in the Dashboard, or `stripe apps` output)",
        ));
    }
}

/// Every finding code [`diagnose_redirect_uri`] can return.
pub const REDIRECT_FINDINGS: &[&str] = &[
    "redirect_allowed",
    "redirect_not_canonical",
    "redirect_other_host",
    "redirect_nearest_entry",
    "differs_scheme",
    "differs_host_case",
    "differs_port",
    "differs_trailing_slash",
    "differs_path_case",
    "differs_path",
    "differs_query",
];

/// The ways `requested` differs from `entry`, as finding codes (entries are canonical URLs).
fn differences(requested: &url::Url, raw: &str, entry: &url::Url) -> Vec<&'static str> {
    let mut d = Vec::new();
    if requested.scheme() != entry.scheme() {
        d.push("differs_scheme");
    }
    if raw.split('/').nth(2).is_some_and(|authority| authority.chars().any(|c| c.is_ascii_uppercase())) {
        d.push("differs_host_case");
    }
    // Explicit ports only: http and https have different defaults, which the scheme says.
    if requested.port() != entry.port() {
        d.push("differs_port");
    }
    let (a, b) = (requested.path(), entry.path());
    if a != b {
        if a.trim_end_matches('/') == b.trim_end_matches('/') {
            d.push("differs_trailing_slash");
        } else if a.eq_ignore_ascii_case(b) {
            d.push("differs_path_case");
        } else {
            d.push("differs_path");
        }
    }
    if requested.query() != entry.query() {
        d.push("differs_query");
    }
    d
}

/// Diagnoses a `redirect_uri` the allow-list refused: whether it is canonical, the nearest
/// entry (by its number, never by echoing the URL) and each way the two differ.
///
/// ```
/// use stripe_handshake::{RedirectAllowList, RedirectMode, diagnose::diagnose_redirect_uri};
/// let list = RedirectAllowList::new(&["https://p.example/cb"], RedirectMode::Live).unwrap();
/// let codes: Vec<_> = diagnose_redirect_uri("https://p.example/cb/", &list).iter().map(|f| f.code()).collect();
/// assert_eq!(codes, ["redirect_nearest_entry", "differs_trailing_slash"]);
/// assert_eq!(diagnose_redirect_uri("https://p.example/cb", &list)[0].code(), "redirect_allowed");
/// ```
#[must_use]
pub fn diagnose_redirect_uri(requested: &str, list: &crate::redirect::RedirectAllowList) -> Vec<Finding> {
    if list.check(requested).is_ok() {
        return vec![finding("redirect_allowed", "the redirect URI is an allow-list entry", "nothing to do")];
    }
    let mut out = Vec::new();
    if let Some(reason) = crate::redirect::shape_error(requested, list.mode()) {
        out.push(finding(
            "redirect_not_canonical",
            format!("the redirect URI breaks a rule: {reason}"),
            "use the URL exactly as the allow-list (and Stripe's settings) spell it",
        ));
    }
    // A non-ASCII URI is never an entry: no nearest entry is looked for, whichever IDNA back
    // end would map its host (see redirect::shape_error).
    if !requested.is_ascii() {
        return out;
    }
    let Ok(req) = url::Url::parse(requested) else { return out };
    let entries: Vec<(usize, url::Url)> =
        list.entries().iter().enumerate().filter_map(|(i, e)| url::Url::parse(e).ok().map(|u| (i, u))).collect();
    let same_host = entries.iter().filter(|(_, e)| e.host_str() == req.host_str());
    let nearest = same_host.map(|(i, e)| (i, differences(&req, requested, e))).min_by_key(|(_, d)| d.len());
    match nearest {
        None => out.push(finding(
            "redirect_other_host",
            "no allow-list entry has this host",
            "add the URL to the allow-list and to the app's or platform's redirect settings in Stripe, or fix the host",
        )),
        Some((i, d)) => {
            out.push(finding(
                "redirect_nearest_entry",
                format!("the nearest allow-list entry is number {}", i.saturating_add(1)),
                "send exactly that entry, byte for byte: redirect URIs are compared exactly",
            ));
            for code in d {
                let what = match code {
                    "differs_scheme" => "the scheme differs (http and https)",
                    "differs_host_case" => "the host is written with capitals",
                    "differs_port" => "the port differs",
                    "differs_trailing_slash" => "a trailing slash differs",
                    "differs_path_case" => "the path's letter case differs",
                    "differs_path" => "the path differs",
                    _ => "the query differs",
                };
                out.push(finding(code, what, "match the entry exactly"));
            }
        }
    }
    out
}
