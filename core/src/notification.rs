//! Event notifications (thin events): verify the `Stripe-Signature` over the raw body, read
//! the `v2.core.event` envelope, and build the requests that fetch the full event and its
//! related object (PROTOCOL §8, decisions in §9).

use core::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::encoding::json_error_reason;
use crate::error::{Error, Result};
use crate::ids::{CONTEXT_SEGMENT, EVENT_ID};
use crate::oauth::{Mode, SecretKey, API_BASE};
use crate::signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier};
use crate::urls::base_url;

/// The `object` of an event notification.
pub const NOTIFICATION_OBJECT: &str = "v2.core.event";
/// The `object` of a snapshot event.
pub(crate) const SNAPSHOT_OBJECT: &str = "event";
/// Longest `related_object.url` accepted, in bytes.
pub const MAX_RELATED_URL_LEN: usize = 2048;

#[derive(Deserialize)]
struct RawNotification<'a> {
    #[serde(borrow)]
    object: Option<&'a RawValue>,
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    created: Option<&'a RawValue>,
    livemode: Option<bool>,
    context: Option<String>,
    related_object: Option<RawRelated>,
    snapshot_event: Option<String>,
}

#[derive(Deserialize)]
struct RawRelated {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

/// What a JSON body says it is, from its `object` member.
pub(crate) enum Shape {
    /// No `object` member (webhook bodies from older tools).
    Absent,
    /// `"object": "event"`.
    Snapshot,
    /// `"object": "v2.core.event"`.
    Notification,
    /// Any other `object`.
    Other,
}

/// Reads the `object` member of an envelope (a JSON string, or absent).
pub(crate) fn shape(object: Option<&RawValue>) -> Result<Shape> {
    let Some(raw) = object else { return Ok(Shape::Absent) };
    let s: &str = serde_json::from_str(raw.get()).map_err(|_| malformed("object is not a string"))?;
    Ok(match s {
        SNAPSHOT_OBJECT => Shape::Snapshot,
        NOTIFICATION_OBJECT => Shape::Notification,
        _ => Shape::Other,
    })
}

fn malformed(reason: &str) -> Error {
    Error::MalformedEvent { reason: reason.to_owned() }
}

/// A verified body's envelope, read by both event kinds: the body must be UTF-8 (RFC 8259
/// §8.1), checked once here, so the parser borrows its strings without checking each again
/// (about a quarter of the read of a 100-byte event, measured: 210 ns by `from_slice`, 157 ns
/// this way). A byte that is not UTF-8 anywhere, in a field nobody reads too, refuses the body.
/// Returns the body's text and its envelope.
pub(crate) fn envelope<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<(&'a str, T)> {
    let json = core::str::from_utf8(payload).map_err(|_| malformed("the body is not UTF-8"))?;
    let raw = serde_json::from_str(json)
        .map_err(|e| Error::MalformedEvent { reason: format!("not valid JSON ({})", json_error_reason(&e)) })?;
    Ok((json, raw))
}

fn missing(field: &str) -> Error {
    Error::MalformedEvent { reason: format!("the notification has no {field}") }
}

/// The object an event notification is about (`related_object`). Singleton objects (a
/// balance) have no id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedObject {
    id: Option<String>,
    kind: String,
    url: String,
}

impl RelatedObject {
    /// The object's id, if it has one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The object's type (`billing.meter`, `v2.core.account`).
    #[must_use]
    pub fn object_type(&self) -> &str {
        &self.kind
    }
    /// The API path that retrieves it (`/v1/billing/meters/mtr_123`), origin-relative.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// An event notification whose signature verified. Only [`verify_event_notification`]
/// constructs it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify_event_notification};
/// let body = br#"{"id":"evt_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","livemode":false,"created":"2024-09-17T06:20:52.246Z","context":"acct_1","related_object":{"id":"mtr_1","type":"billing.meter","url":"/v1/billing/meters/mtr_1"}}"#;
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let h = sign_header(body, &s, 1_726_554_052).unwrap();
/// let n = verify_event_notification(body, &h, &[s], 1_726_554_052, Tolerance::default()).unwrap();
/// assert_eq!((n.id(), n.event_type(), n.created(), n.created_rfc3339()), ("evt_1", "v1.billing.meter.error_report_triggered", 1_726_554_052, "2024-09-17T06:20:52.246Z"));
/// assert_eq!((n.livemode(), n.context(), n.snapshot_event()), (false, Some("acct_1"), None));
/// let o = n.related_object().unwrap();
/// assert_eq!((o.id(), o.object_type(), o.url()), (Some("mtr_1"), "billing.meter", "/v1/billing/meters/mtr_1"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EventNotification {
    id: String,
    kind: String,
    created: u64,
    created_rfc3339: String,
    livemode: bool,
    context: Option<String>,
    related_object: Option<RelatedObject>,
    snapshot_event: Option<String>,
    json: String,
    signature: VerifiedSignature,
}

impl fmt::Debug for EventNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventNotification")
            .field("id", &self.id)
            .field("type", &self.kind)
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .field("context", &self.context)
            .field("related_object", &self.related_object)
            .field("snapshot_event", &self.snapshot_event)
            .finish_non_exhaustive()
    }
}

impl EventNotification {
    /// The event id (`evt_…`): use it to refuse duplicates, and to fetch the event.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The event type (`v1.billing.meter.error_report_triggered`, `v2.core.account.updated`).
    #[must_use]
    pub fn event_type(&self) -> &str {
        &self.kind
    }
    /// When the event was created, in Unix seconds (the fraction dropped).
    #[must_use]
    pub fn created(&self) -> u64 {
        self.created
    }
    /// `created` exactly as sent (RFC 3339, e.g. `2024-09-17T06:20:52.246Z`).
    #[must_use]
    pub fn created_rfc3339(&self) -> &str {
        &self.created_rfc3339
    }
    /// Whether the event is from live mode.
    #[must_use]
    pub fn livemode(&self) -> bool {
        self.livemode
    }
    /// The mode of the event: the secret key that fetches it must be of this mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        if self.livemode {
            Mode::Live
        } else {
            Mode::Test
        }
    }
    /// The account the event happened on (`acct_…`, or `acct_1/acct_2`), if not yours:
    /// requests about it carry it as `Stripe-Context`.
    #[must_use]
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }
    /// The object the event is about, if any.
    #[must_use]
    pub fn related_object(&self) -> Option<&RelatedObject> {
        self.related_object.as_ref()
    }
    /// The id of the snapshot event of the same occurrence (v1 thin events), if any.
    #[must_use]
    pub fn snapshot_event(&self) -> Option<&str> {
        self.snapshot_event.as_deref()
    }
    /// The whole notification as its JSON text, exactly as sent.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.json
    }
    /// The verified `Stripe-Signature`: its timestamp and which secret matched.
    #[must_use]
    pub fn signature(&self) -> &VerifiedSignature {
        &self.signature
    }

    /// The request that fetches the full event (`GET /v2/core/events/{id}`), in this
    /// notification's context, with a key of its mode.
    ///
    /// # Errors
    /// As [`fetch_event_request`].
    pub fn fetch_event_request(&self, key: &SecretKey, opts: &ApiRequestOptions<'_>) -> Result<ApiRequest> {
        fetch_event_request(key, &self.id, self.context(), self.mode(), opts)
    }

    /// The request that fetches the related object, or `None` when there is none.
    ///
    /// # Errors
    /// As [`fetch_related_object_request`].
    pub fn fetch_related_object_request(
        &self,
        key: &SecretKey,
        opts: &ApiRequestOptions<'_>,
    ) -> Result<Option<ApiRequest>> {
        self.related_object
            .as_ref()
            .map(|o| fetch_related_object_request(key, &o.url, self.context(), self.mode(), opts))
            .transpose()
    }
}

/// Verifies an event notification's `Stripe-Signature` over the raw body, then reads it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::{verify_event_notification, verify_webhook}};
/// let thin = br#"{"id":"evt_1","object":"v2.core.event","type":"v2.core.account.updated","livemode":true,"created":"2026-10-01T00:00:00Z"}"#;
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let h = sign_header(thin, &s, 1_790_000_000).unwrap();
/// assert_eq!(verify_event_notification(thin, &h, &[s.clone()], 1_790_000_000, Tolerance::default()).unwrap().created(), 1_790_812_800);
/// // Reject twins: the thin body to the snapshot verifier, a snapshot body here.
/// assert_eq!(verify_webhook(thin, &h, &[s.clone()], 1_790_000_000, Tolerance::default()).unwrap_err().code(), "event_notification_given");
/// let snap = br#"{"id":"evt_2","object":"event","type":"customer.created","livemode":true,"created":1,"data":{"object":{}}}"#;
/// let h = sign_header(snap, &s, 1).unwrap();
/// assert_eq!(verify_event_notification(snap, &h, &[s], 1, Tolerance::default()).unwrap_err().code(), "snapshot_event_given");
/// ```
///
/// # Errors
/// Every signature error; `snapshot_event_given` for a snapshot event; `malformed_event`
/// when the verified body is not an event notification.
pub fn verify_event_notification(
    payload: &[u8],
    header: &str,
    secrets: &[SigningSecret],
    now: u64,
    tolerance: Tolerance,
) -> Result<EventNotification> {
    Verifier::new(secrets, tolerance)?.verify_event_notification(payload, header, now)
}

impl Verifier {
    /// Verifies an event notification with this prepared verifier; see
    /// [`verify_event_notification`].
    ///
    /// # Errors
    /// As [`verify_event_notification`].
    pub fn verify_event_notification(&self, payload: &[u8], header: &str, now: u64) -> Result<EventNotification> {
        let sig = self.verify(payload, header, now)?;
        read_notification(payload, sig)
    }
}

fn read_notification(payload: &[u8], signature: VerifiedSignature) -> Result<EventNotification> {
    let (json, raw): (_, RawNotification<'_>) = envelope(payload)?;
    match shape(raw.object)? {
        Shape::Notification => {}
        Shape::Snapshot => return Err(Error::SnapshotEventGiven),
        Shape::Absent | Shape::Other => return Err(malformed("object is not \"v2.core.event\"")),
    }
    let id = raw.id.ok_or_else(|| missing("id"))?;
    if !EVENT_ID.matches(&id) {
        return Err(malformed("id is not an event id (evt_...)"));
    }
    let created_raw = raw.created.ok_or_else(|| missing("created"))?;
    let created_rfc3339: String =
        serde_json::from_str(created_raw.get()).map_err(|_| malformed("created is not an RFC 3339 string"))?;
    let created = rfc3339_to_unix(&created_rfc3339).ok_or_else(|| malformed("created is not an RFC 3339 time"))?;
    let context = match raw.context {
        Some(c) if c.is_empty() => None,
        Some(c) if check_context(&c).is_ok() => Some(c),
        Some(_) => return Err(malformed("context is not account ids separated by '/'")),
        None => None,
    };
    let related_object = raw
        .related_object
        .map(|o| {
            let url = o.url.ok_or_else(|| missing("related_object.url"))?;
            check_api_path(&url).map_err(|_| malformed("related_object.url is not a Stripe API path"))?;
            Ok::<_, Error>(RelatedObject { id: o.id, kind: o.kind.ok_or_else(|| missing("related_object.type"))?, url })
        })
        .transpose()?;
    Ok(EventNotification {
        id,
        kind: raw.kind.ok_or_else(|| missing("type"))?,
        created,
        created_rfc3339,
        livemode: raw.livemode.ok_or_else(|| missing("livemode"))?,
        context,
        related_object,
        snapshot_event: raw.snapshot_event,
        json: json.to_owned(),
        signature,
    })
}

/// Unix seconds of an RFC 3339 date-time (`2024-09-17T06:20:52.246Z`,
/// `2026-01-01T01:00:00+01:00`), the fraction dropped; `None` for anything else, a leap
/// second, or a time before 1970.
///
/// ```
/// use stripe_handshake::webhook::rfc3339_to_unix;
/// assert_eq!(rfc3339_to_unix("1970-01-01T00:00:00Z"), Some(0));
/// assert_eq!(rfc3339_to_unix("2024-02-29T23:59:59.999999999Z"), Some(1_709_251_199));
/// assert_eq!(rfc3339_to_unix("2026-01-01T01:00:00+01:00"), Some(1_767_225_600));
/// assert_eq!(rfc3339_to_unix("2023-02-29T00:00:00Z"), None);
/// assert_eq!(rfc3339_to_unix("2024-09-17 06:20:52Z"), None);
/// ```
#[must_use]
pub fn rfc3339_to_unix(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    // Fixed-width decimal fields; every value below is at most 9999, so the checked
    // arithmetic never fails on a well-formed string.
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from.checked_add(len)?)?;
        digits.iter().try_fold(0i64, |acc, d| {
            if d.is_ascii_digit() {
                acc.checked_mul(10)?.checked_add(i64::from(d.checked_sub(b'0')?))
            } else {
                None
            }
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && (at(10, b'T') || at(10, b't')) && at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = b.get(19..)?;
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        rest = tail.get(digits..)?;
    }
    let offset: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, c: u8| -> Option<i64> {
                (a.is_ascii_digit() && c.is_ascii_digit()).then(|| {
                    i64::from(a.wrapping_sub(b'0')).wrapping_mul(10).wrapping_add(i64::from(c.wrapping_sub(b'0')))
                })
            };
            let (oh, om) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh.checked_mul(3600)?.checked_add(om.checked_mul(60)?)?;
            if *sign == b'+' {
                secs
            } else {
                secs.checked_neg()?
            }
        }
        _ => return None,
    };
    // Days from 1970-01-01 to year-month-day (proleptic Gregorian; H. Hinnant's
    // days_from_civil; year >= 0 here, so plain division is floor division).
    let y = if month <= 2 { year.checked_sub(1)? } else { year };
    let era = y.checked_div_euclid(400)?;
    let yoe = y.checked_sub(era.checked_mul(400)?)?;
    let mp = month.checked_add(9)?.checked_rem(12)?;
    let doy = mp.checked_mul(153)?.checked_add(2)?.checked_div(5)?.checked_add(day)?.checked_sub(1)?;
    let doe =
        yoe.checked_mul(365)?.checked_add(yoe.checked_div(4)?)?.checked_sub(yoe.checked_div(100)?)?.checked_add(doy)?;
    let days = era.checked_mul(146_097)?.checked_add(doe)?.checked_sub(719_468)?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(hour.checked_mul(3600)?)?
        .checked_add(minute.checked_mul(60)?)?
        .checked_add(second)?
        .checked_sub(offset)?;
    u64::try_from(secs).ok()
}

/// A `Stripe-Context`: account ids separated by `/`.
fn check_context(c: &str) -> Result<()> {
    if c.len() <= 1024 && c.split('/').all(|seg| CONTEXT_SEGMENT.matches(seg)) {
        Ok(())
    } else {
        Err(Error::InvalidArgument { what: "context", reason: CONTEXT_SEGMENT.reason() })
    }
}

/// An origin-relative Stripe API path (`/v1/…` or `/v2/…`): where a request with your secret
/// key may go. Letters, digits and `- _ . ~ / :` only (no query, no `//`, no `.` or `..`
/// segment, no percent-encoding, so no `%2e%2e` that a WHATWG client would resolve), so it
/// cannot name another host, another API, or smuggle a header.
fn check_api_path(p: &str) -> Result<()> {
    let bad = |reason| Error::InvalidArgument { what: "url", reason };
    if p.len() > MAX_RELATED_URL_LEN {
        return Err(bad("it is too long"));
    }
    if !(p.starts_with("/v1/") || p.starts_with("/v2/")) {
        return Err(bad("it must be a Stripe API path starting with /v1/ or /v2/"));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b':');
    if !p.bytes().all(allowed) {
        return Err(bad("it may hold only letters, digits and - _ . ~ / : (no percent-encoding)"));
    }
    if p.contains("//") || p.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(bad("it must not contain // or a . or .. segment"));
    }
    Ok(())
}

/// Options of the API request builders.
///
/// ```
/// use stripe_handshake::webhook::ApiRequestOptions;
/// let o = ApiRequestOptions { api_version: Some("2026-09-30.preview"), base_url: Some("http://127.0.0.1:12111") };
/// assert_eq!(o.base_url, Some("http://127.0.0.1:12111"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiRequestOptions<'a> {
    /// Sent as `Stripe-Version` when given; Stripe uses your account's default otherwise.
    pub api_version: Option<&'a str>,
    /// Base URL override (a local emulator); defaults to `https://api.stripe.com`.
    pub base_url: Option<&'a str>,
}

/// A `GET` request for your HTTP client. Debug output redacts the Authorization header.
///
/// `headers` holds `Authorization` (Bearer, the secret key), then `Stripe-Context` and
/// `Stripe-Version` when they apply: send exactly these.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// Always `GET`.
    pub method: &'static str,
    /// The URL.
    pub url: String,
    /// `Authorization`, then `Stripe-Context` and `Stripe-Version` when present.
    pub headers: Vec<(&'static str, String)>,
}

impl ApiRequest {
    /// The value of header `name`, if the request has it.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (*k, if k.eq_ignore_ascii_case("authorization") { "[redacted]" } else { v.as_str() }))
            .collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .finish()
    }
}

pub(crate) fn api_get(
    key: &SecretKey,
    path: &str,
    context: Option<&str>,
    mode: Mode,
    opts: &ApiRequestOptions<'_>,
) -> Result<ApiRequest> {
    key.check_mode(Some(mode))?;
    let url = format!("{}{path}", base_url(opts.base_url, API_BASE)?);
    let mut headers = vec![("Authorization", format!("Bearer {}", key.expose_secret()))];
    if let Some(c) = context.filter(|c| !c.is_empty()) {
        check_context(c)?;
        headers.push(("Stripe-Context", c.to_owned()));
    }
    if let Some(v) = opts.api_version {
        let ok =
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            return Err(Error::InvalidArgument {
                what: "api_version",
                reason: "it must be an API version such as 2026-09-30.clover",
            });
        }
        headers.push(("Stripe-Version", v.to_owned()));
    }
    Ok(ApiRequest { method: "GET", url, headers })
}

/// Builds `GET /v2/core/events/{id}` (the full event of a notification), authenticated with
/// the secret key as a Bearer token, in the notification's `context`. `mode` is the
/// notification's: a key of the other mode is refused before any request.
///
/// ```
/// use stripe_handshake::{Mode, SecretKey, webhook::{fetch_event_request, ApiRequestOptions}};
/// let key = SecretKey::parse("sk_test_1").unwrap();
/// let r = fetch_event_request(&key, "evt_1", Some("acct_1"), Mode::Test, &ApiRequestOptions::default()).unwrap();
/// assert_eq!((r.method, r.url.as_str()), ("GET", "https://api.stripe.com/v2/core/events/evt_1"));
/// assert_eq!((r.header("authorization"), r.header("stripe-context")), (Some("Bearer sk_test_1"), Some("acct_1")));
/// assert!(format!("{r:?}").contains("[redacted]") && !format!("{r:?}").contains("sk_test_1"));
/// // Reject twins: a live event with a test key, an id that is not an event id.
/// assert_eq!(fetch_event_request(&key, "evt_1", None, Mode::Live, &ApiRequestOptions::default()).unwrap_err().code(), "key_mode_mismatch");
/// assert_eq!(fetch_event_request(&key, "evt_1/../x", None, Mode::Test, &ApiRequestOptions::default()).unwrap_err().code(), "invalid_argument");
/// ```
///
/// # Errors
/// `key_mode_mismatch`; `invalid_argument` for the id, the context, the API version or the
/// base URL.
pub fn fetch_event_request(
    key: &SecretKey,
    event_id: &str,
    context: Option<&str>,
    mode: Mode,
    opts: &ApiRequestOptions<'_>,
) -> Result<ApiRequest> {
    EVENT_ID.check(event_id)?;
    api_get(key, &format!("/v2/core/events/{event_id}"), context, mode, opts)
}

/// Builds the `GET` of a notification's `related_object.url` (an origin-relative Stripe API
/// path), in the notification's `context`, with a key of its `mode`.
///
/// ```
/// use stripe_handshake::{Mode, SecretKey, webhook::{fetch_related_object_request, ApiRequestOptions}};
/// let key = SecretKey::parse("sk_live_1").unwrap();
/// let r = fetch_related_object_request(&key, "/v1/billing/meters/mtr_1", None, Mode::Live, &ApiRequestOptions::default()).unwrap();
/// assert_eq!(r.url, "https://api.stripe.com/v1/billing/meters/mtr_1");
/// assert_eq!(r.headers.len(), 1);
/// // Reject twin: a URL that names another host.
/// assert_eq!(fetch_related_object_request(&key, "//evil.example/v1/x", None, Mode::Live, &ApiRequestOptions::default()).unwrap_err().code(), "invalid_argument");
/// ```
///
/// # Errors
/// `key_mode_mismatch`; `invalid_argument` for the URL, the context, the API version or the
/// base URL.
pub fn fetch_related_object_request(
    key: &SecretKey,
    url: &str,
    context: Option<&str>,
    mode: Mode,
    opts: &ApiRequestOptions<'_>,
) -> Result<ApiRequest> {
    check_api_path(url)?;
    api_get(key, url, context, mode, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_edges() {
        for (s, want) in [
            ("2000-03-01T00:00:00Z", Some(951_868_800)),
            ("1999-12-31T23:59:59z", Some(946_684_799)),
            ("2022-02-15T00:27:45.330Z", Some(1_644_884_865)),
            ("2022-02-15t00:27:45.330Z", Some(1_644_884_865)),
            ("1970-01-01T00:30:00+00:30", Some(0)),
            ("1970-01-01T00:00:00+00:01", None),
            ("9999-12-31T23:59:59Z", Some(253_402_300_799)),
            ("2024-01-01T00:00:60Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-01-01T24:00:00Z", None),
            ("2024-01-01T00:00:00", None),
            ("2024-01-01T00:00:00.Z", None),
            ("2024-01-01T00:00:00.1234567890Z", None),
            ("2024-01-01T00:00:00+0100", None),
            ("2024-01-01T00:00:00+24:00", None),
            ("+024-01-01T00:00:00Z", None),
            ("2024-01-01T00:00:00Z ", None),
            ("", None),
        ] {
            assert_eq!(rfc3339_to_unix(s), want, "{s}");
        }
    }

    #[test]
    fn api_paths_and_contexts() {
        for ok in ["/v1/billing/meters/mtr_1", "/v2/core/accounts/acct_1", "/v1/balance"] {
            assert!(check_api_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://api.stripe.com/v1/x",
            "//evil.example/v1/x",
            "/v1//x",
            "/v1/../oauth/token",
            "/v3/x",
            "/v1/x?expand=y",
            "/v1/x\r\nX: y",
            "/v1/x y",
            "/v1/x@y",
            "/v1/%2e%2e/oauth/token",
            "/v2/%2E%2E/x",
            "/v1/a%2fb",
        ] {
            assert!(check_api_path(bad).is_err(), "{bad}");
        }
        assert!(check_context("acct_1/acct_2").is_ok());
        for bad in ["acct_1/", "/acct_1", "acct 1", "acct_1\r\n", "a//b"] {
            assert!(check_context(bad).is_err(), "{bad}");
        }
    }
}
