//! Webhook events and event notifications: verify the `Stripe-Signature` over the raw body,
//! then read the envelope.
//!
//! A destination sends either snapshot events (`"object": "event"`, read by
//! [`verify_webhook`]) or event notifications (thin events, `"object": "v2.core.event"`, read
//! by [`verify_event_notification`]); each verifier refuses the other kind with an error that
//! names the right one. The same secrets verify both.
//!
//! The `Stripe-Signature` scheme itself ([`verify`], [`Verifier`], [`SignatureHeader`]) is
//! here too; install callbacks use the same scheme.

pub use crate::notification::{
    fetch_event_request, fetch_related_object_request, rfc3339_to_unix, verify_event_notification, ApiRequest,
    ApiRequestOptions, EventNotification, RelatedObject, MAX_RELATED_URL_LEN, NOTIFICATION_OBJECT,
};

pub use crate::signature::{
    verify, SignatureHeader, SigningSecret, Tolerance, VerifiedSignature, Verifier, DEFAULT_TOLERANCE_SECS,
    MAX_HEADER_LEN, MAX_SECRET_LEN,
};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::encoding::cap;
use crate::error::{Error, Result};
use crate::notification::{envelope, shape, Shape};

/// The event type sent when a user disconnects your platform or uninstalls your app.
pub const DEAUTHORIZED_EVENT: &str = "account.application.deauthorized";

#[derive(Deserialize)]
struct RawEvent<'a> {
    #[serde(borrow)]
    object: Option<&'a RawValue>,
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    account: Option<String>,
    livemode: Option<bool>,
    #[serde(borrow)]
    created: Option<&'a RawValue>,
    api_version: Option<String>,
    #[serde(borrow)]
    data: Option<RawData<'a>>,
}

#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow)]
    object: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawApplication {
    id: Option<String>,
    name: Option<String>,
}

/// A webhook event whose signature verified. Only [`verify_webhook`] constructs it.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify_webhook};
/// let body = br#"{"id":"evt_1","object":"event","type":"payout.paid","account":"acct_1","livemode":true,"created":5,"api_version":"2024-06-20","data":{"object":{"id":"po_1"}}}"#;
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let e = verify_webhook(body, &sign_header(body, &s, 9).unwrap(), &[s], 9, Tolerance::default()).unwrap();
/// assert_eq!((e.id(), e.event_type(), e.account(), e.livemode(), e.created()), ("evt_1", "payout.paid", Some("acct_1"), true, 5));
/// assert_eq!((e.api_version(), e.data_object_json(), e.signature().timestamp(), e.signature().secret_index()), (Some("2024-06-20"), r#"{"id":"po_1"}"#, 9, 0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedEvent {
    // Crate-visible so the host's record takes the texts without copying them.
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) account: Option<String>,
    pub(crate) livemode: bool,
    pub(crate) created: u64,
    pub(crate) api_version: Option<String>,
    pub(crate) data_object: String,
    pub(crate) signature: VerifiedSignature,
}

impl VerifiedEvent {
    /// The event id (`evt_…`): use it to refuse duplicates.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The event type (`account.application.deauthorized`).
    #[must_use]
    pub fn event_type(&self) -> &str {
        &self.kind
    }
    /// The connected account the event is about (Connect and Apps events), if any.
    #[must_use]
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
    /// Whether the event is from live mode.
    #[must_use]
    pub fn livemode(&self) -> bool {
        self.livemode
    }
    /// When the event was created (Unix seconds).
    #[must_use]
    pub fn created(&self) -> u64 {
        self.created
    }
    /// The API version the event was rendered with, if any.
    #[must_use]
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }
    /// `data.object` as its JSON text, exactly as sent.
    #[must_use]
    pub fn data_object_json(&self) -> &str {
        &self.data_object
    }
    /// The verified `Stripe-Signature`: its timestamp and which secret matched.
    #[must_use]
    pub fn signature(&self) -> &VerifiedSignature {
        &self.signature
    }

    /// Reads an `account.application.deauthorized` event: which account disconnected which
    /// application.
    ///
    /// ```
    /// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify_webhook};
    /// let body = br#"{"id":"evt_1","object":"event","type":"account.application.deauthorized","account":"acct_9","livemode":false,"created":1700000000,"data":{"object":{"id":"ca_1","object":"application","name":"My app"}}}"#;
    /// let s = SigningSecret::new("whsec_x").unwrap();
    /// let h = sign_header(body, &s, 1_700_000_000).unwrap();
    /// let e = verify_webhook(body, &h, &[s], 1_700_000_000, Tolerance::default()).unwrap();
    /// let d = e.deauthorization().unwrap();
    /// assert_eq!(d.account_id(), "acct_9");
    /// assert_eq!(d.application_id(), "ca_1");
    /// ```
    ///
    /// # Errors
    /// `unexpected_event_type` for other events; `malformed_event` when `account` or the
    /// application id is missing.
    pub fn deauthorization(&self) -> Result<Deauthorization> {
        if self.kind != DEAUTHORIZED_EVENT {
            return Err(Error::UnexpectedEventType { expected: DEAUTHORIZED_EVENT, actual: cap(&self.kind, 100) });
        }
        let account_id =
            self.account.clone().ok_or_else(|| Error::MalformedEvent { reason: "the event has no account".into() })?;
        let app: RawApplication = serde_json::from_str(&self.data_object)
            .map_err(|_| Error::MalformedEvent { reason: "data.object is not an application".into() })?;
        let application_id = app.id.ok_or_else(|| Error::MalformedEvent { reason: "data.object has no id".into() })?;
        Ok(Deauthorization { account_id, application_id, application_name: app.name, livemode: self.livemode })
    }
}

/// An account disconnected your platform or uninstalled your app.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify_webhook};
/// let body = br#"{"id":"evt_1","type":"account.application.deauthorized","account":"acct_9","livemode":true,"created":1,"data":{"object":{"id":"ca_1","name":"App"}}}"#;
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let d = verify_webhook(body, &sign_header(body, &s, 1).unwrap(), &[s], 1, Tolerance::default()).unwrap().deauthorization().unwrap();
/// assert_eq!((d.account_id(), d.application_id(), d.application_name(), d.livemode()), ("acct_9", "ca_1", Some("App"), true));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deauthorization {
    account_id: String,
    application_id: String,
    application_name: Option<String>,
    livemode: bool,
}

impl Deauthorization {
    /// The account that disconnected (`acct_…`): delete its tokens.
    #[must_use]
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The application (`ca_…`) it disconnected from.
    #[must_use]
    pub fn application_id(&self) -> &str {
        &self.application_id
    }
    /// The application's name, if sent.
    #[must_use]
    pub fn application_name(&self) -> Option<&str> {
        self.application_name.as_deref()
    }
    /// Whether it happened in live mode.
    #[must_use]
    pub fn livemode(&self) -> bool {
        self.livemode
    }
}

fn missing(field: &str) -> Error {
    Error::MalformedEvent { reason: format!("the event has no {field}") }
}

/// Verifies a webhook's `Stripe-Signature` over the raw body, then reads the event.
///
/// ```
/// use stripe_handshake::{SigningSecret, Tolerance, testing::sign_header, webhook::verify_webhook};
/// let body = br#"{"id":"evt_1","object":"event","type":"customer.created","livemode":true,"created":1,"data":{"object":{"id":"cus_1"}}}"#;
/// let s = SigningSecret::new("whsec_x").unwrap();
/// let h = sign_header(body, &s, 1_700_000_000).unwrap();
/// let e = verify_webhook(body, &h, &[s.clone()], 1_700_000_000, Tolerance::default()).unwrap();
/// assert_eq!(e.event_type(), "customer.created");
/// assert_eq!(e.data_object_json(), r#"{"id":"cus_1"}"#);
/// // Reject twin: the same header 301 s later.
/// assert_eq!(verify_webhook(body, &h, &[s], 1_700_000_301, Tolerance::default()).unwrap_err().code(), "timestamp_too_old");
/// ```
///
/// # Errors
/// Every signature error; `event_notification_given` for an event notification (use
/// [`verify_event_notification`]); `malformed_event` when the verified body is not a Stripe
/// event.
pub fn verify_webhook(
    payload: &[u8],
    header: &str,
    secrets: &[SigningSecret],
    now: u64,
    tolerance: Tolerance,
) -> Result<VerifiedEvent> {
    Verifier::new(secrets, tolerance)?.verify_webhook(payload, header, now)
}

impl Verifier {
    /// Verifies a webhook with this prepared verifier, then reads the event; see [`verify_webhook`].
    ///
    /// # Errors
    /// As [`verify_webhook`].
    pub fn verify_webhook(&self, payload: &[u8], header: &str, now: u64) -> Result<VerifiedEvent> {
        let sig = self.verify(payload, header, now)?;
        read_event(payload, sig)
    }
}

fn read_event(payload: &[u8], signature: VerifiedSignature) -> Result<VerifiedEvent> {
    let (_, raw): (_, RawEvent<'_>) = envelope(payload)?;
    match shape(raw.object)? {
        Shape::Snapshot | Shape::Absent => {}
        Shape::Notification => return Err(Error::EventNotificationGiven),
        Shape::Other => return Err(Error::MalformedEvent { reason: "object is not \"event\"".into() }),
    }
    let created = raw.created.ok_or_else(|| missing("created"))?;
    let created: u64 = serde_json::from_str(created.get())
        .map_err(|_| Error::MalformedEvent { reason: "created is not Unix seconds".into() })?;
    Ok(VerifiedEvent {
        id: raw.id.ok_or_else(|| missing("id"))?,
        kind: raw.kind.ok_or_else(|| missing("type"))?,
        account: raw.account,
        livemode: raw.livemode.ok_or_else(|| missing("livemode"))?,
        created,
        api_version: raw.api_version,
        data_object: raw
            .data
            .and_then(|d| d.object)
            .map(|o| o.get().to_owned())
            .ok_or_else(|| missing("data.object"))?,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::sign_header;

    #[test]
    fn a_body_that_is_not_utf8_is_refused_even_in_a_field_nobody_reads() {
        let secret = SigningSecret::new("whsec_utf8").unwrap();
        let verify = |body: &[u8]| {
            let h = sign_header(body, &secret, 1).unwrap();
            verify_webhook(body, &h, std::slice::from_ref(&secret), 1, Tolerance::default())
        };
        let good = br#"{"id":"evt_1","type":"a.b","livemode":false,"created":1,"x":"-","data":{"object":{}}}"#;
        assert_eq!(verify(good).unwrap().id(), "evt_1");
        // The same event with the ignored field's text the byte 0xFF, which is not UTF-8
        // (serde_json's `from_slice` skipped it unchecked, and accepted the event).
        let mut bad = good.to_vec();
        let at = bad.iter().position(|&b| b == b'-').unwrap();
        bad[at] = 0xff;
        let bad = bad.as_slice();
        let e = verify(bad).unwrap_err();
        assert_eq!(e.code(), "malformed_event");
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let notification = crate::notification::verify_event_notification(
            bad,
            &sign_header(bad, &secret, 1).unwrap(),
            std::slice::from_ref(&secret),
            1,
            Tolerance::default(),
        );
        assert_eq!(notification.unwrap_err().code(), "malformed_event");
    }

    #[test]
    fn envelope_fields_and_second_secret() {
        let body = br#"{"id":"evt_1","type":"account.application.deauthorized","account":"acct_1","livemode":true,"created":1,"data":{"object":{"id":"ca_1"}}}"#;
        let old = SigningSecret::new("whsec_old").unwrap();
        let new = SigningSecret::new("whsec_new").unwrap();
        let h = sign_header(body, &new, 1).unwrap();
        let e = verify_webhook(body, &h, &[old, new], 1, Tolerance::default()).unwrap();
        assert!(e.livemode());
        assert_eq!(e.signature().secret_index(), 1);
        let first =
            verify_webhook(body, &h, &[SigningSecret::new("whsec_new").unwrap()], 1, Tolerance::default()).unwrap();
        assert_eq!(first.signature().secret_index(), 0);
        let d = e.deauthorization().unwrap();
        assert!(d.livemode());
        assert_eq!(d.application_name(), None);
    }
}
