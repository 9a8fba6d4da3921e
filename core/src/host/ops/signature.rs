//! Signatures: HMAC, `Stripe-Signature` headers, webhooks, and the prepared verifier.

use super::{Call, Op, Param, Place};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name, Reader, Spelling, Value};

use crate::signature::{SigningSecret, Tolerance, VerifiedSignature, Verifier};
use crate::webhook::{Deauthorization, EventNotification, VerifiedEvent};

pub(crate) const VERIFIED_SIGNATURE: Kind = Kind {
    tag: None,
    name: "VerifiedSignature",
    fields: &[field!(timestamp: Int), field!(secret_index, secretIndex: Int)],
};

pub(crate) const VERIFY_ATTEMPT: Kind = Kind {
    tag: None,
    name: "VerifyAttempt",
    fields: &[
        field!(ok: Bool),
        field!(timestamp: Int, nullable),
        field!(secret_index, secretIndex: Int, nullable),
        field!(code: Str, nullable),
        field!(message: Str, nullable),
    ],
};

pub(crate) const WEBHOOK_EVENT: Kind = Kind {
    tag: None,
    name: "WebhookEvent",
    fields: &[
        field!(id: Str),
        field!(type: Str),
        field!(account: Str, nullable),
        field!(livemode: Bool),
        field!(created: Int),
        field!(api_version, apiVersion: Str, nullable),
        field!(data_object, dataObject: Json, json),
        field!(data_object_json, dataObjectJson: Str),
        field!(timestamp: Int),
        field!(secret_index, secretIndex: Int),
    ],
};

pub(crate) const RELATED_OBJECT: Kind = Kind {
    tag: None,
    name: "RelatedObject",
    fields: &[field!(id: Str, nullable), field!(type: Str), field!(url: Str)],
};

pub(crate) const EVENT_NOTIFICATION: Kind = Kind {
    tag: None,
    name: "EventNotification",
    fields: &[
        field!(id: Str),
        field!(type: Str),
        field!(created: Int),
        field!(created_rfc3339, createdRfc3339: Str),
        field!(livemode: Bool),
        field!(context: Str, nullable),
        crate::host::Field { nested: Some(&RELATED_OBJECT), ..field!(related_object, relatedObject: Record, nullable) },
        field!(snapshot_event, snapshotEvent: Str, nullable),
        field!(raw: Json, json),
        field!(timestamp: Int),
        field!(secret_index, secretIndex: Int),
    ],
};

pub(crate) const DEAUTHORIZATION: Kind = Kind {
    tag: None,
    name: "Deauthorization",
    fields: &[
        field!(account_id, accountId: Str),
        field!(application_id, applicationId: Str),
        field!(application_name, applicationName: Str, nullable),
        field!(livemode: Bool),
    ],
};

fn signature(v: &VerifiedSignature) -> Out {
    Out::Record(&VERIFIED_SIGNATURE, vec![Out::Int(v.timestamp()), Out::index(v.secret_index())])
}

/// The event's record, its texts moved in, not copied (three to five allocations and copies fewer a call; `data_object` is still copied once,
/// for its parsed and its raw field).
fn event(e: VerifiedEvent) -> Out {
    let VerifiedEvent { id, kind, account, livemode, created, api_version, data_object, signature } = e;
    Out::Record(
        &WEBHOOK_EVENT,
        vec![
            Out::Str(id),
            Out::Str(kind),
            account.map_or(Out::Null, Out::Str),
            Out::Bool(livemode),
            Out::Int(created),
            api_version.map_or(Out::Null, Out::Str),
            Out::Json(data_object.clone()),
            Out::Str(data_object),
            Out::Int(signature.timestamp()),
            Out::index(signature.secret_index()),
        ],
    )
}

fn notification(n: &EventNotification) -> Out {
    let related = n.related_object().map_or(Out::Null, |o| {
        Out::Record(&RELATED_OBJECT, vec![Out::opt_str(o.id()), Out::str(o.object_type()), Out::str(o.url())])
    });
    Out::Record(
        &EVENT_NOTIFICATION,
        vec![
            Out::str(n.id()),
            Out::str(n.event_type()),
            Out::Int(n.created()),
            Out::str(n.created_rfc3339()),
            Out::Bool(n.livemode()),
            Out::opt_str(n.context()),
            related,
            Out::opt_str(n.snapshot_event()),
            Out::Json(n.json().to_owned()),
            Out::Int(n.signature().timestamp()),
            Out::index(n.signature().secret_index()),
        ],
    )
}

fn deauthorization(d: &Deauthorization) -> Out {
    Out::Record(
        &DEAUTHORIZATION,
        vec![
            Out::str(d.account_id()),
            Out::str(d.application_id()),
            Out::opt_str(d.application_name()),
            Out::Bool(d.livemode()),
        ],
    )
}

const PAYLOAD: Name = name!(payload);
const HEADER: Name = name!(header);
const SECRETS: Name = name!(secrets);
const TOLERANCE: Name = name!(tolerance);
const NOW: Name = name!(now);

pub(crate) fn secrets(r: &Reader, v: &Value<'_>) -> Result<Vec<SigningSecret>> {
    r.strings(v, &SECRETS)?.into_iter().map(SigningSecret::new).collect()
}

/// The tolerance: absent is the default (300 s); anything but a positive whole number of
/// seconds is `invalid_tolerance` (0 never means "off").
pub(crate) fn tolerance(r: &Reader, v: &Value<'_>) -> Result<Tolerance> {
    match r.opt_uint(v, &TOLERANCE, u64::MAX) {
        Ok(None) => Ok(Tolerance::default()),
        Ok(Some(secs)) => Tolerance::from_secs(secs),
        Err(_) => Err(Error::InvalidTolerance),
    }
}

const VERIFY_OPTIONS: &[Name] = &[SECRETS, NOW, TOLERANCE];
const VERIFY_PARAMS: &[Param] =
    &[Param::arg(PAYLOAD), Param::arg(HEADER), Param::options(name!(options), VERIFY_OPTIONS)];

/// Verifies `(payload, header, { secrets, now, tolerance })` into a verifier and a time.
fn one_shot(c: &Call<'_, '_>, then: fn(&Verifier, &[u8], &str, u64) -> Result<Out>) -> Result<Out> {
    let o = c.options(2)?;
    let verifier = Verifier::new(&secrets(&c.r, o.get(&SECRETS))?, tolerance(&c.r, o.get(&TOLERANCE))?)?;
    let payload = c.r.body(c.arg(0), &PAYLOAD)?;
    let header = c.r.header(c.arg(1), &HEADER)?;
    then(&verifier, payload, &header, c.now(o.get(&NOW))?)
}

fn verify_sig(v: &Verifier, p: &[u8], h: &str, now: u64) -> Result<Out> {
    v.verify(p, h, now).map(|s| signature(&s))
}

fn verify_event(v: &Verifier, p: &[u8], h: &str, now: u64) -> Result<Out> {
    v.verify_webhook(p, h, now).map(event)
}

fn verify_deauth(v: &Verifier, p: &[u8], h: &str, now: u64) -> Result<Out> {
    Ok(deauthorization(&v.verify_webhook(p, h, now)?.deauthorization()?))
}

fn verify_notification(v: &Verifier, p: &[u8], h: &str, now: u64) -> Result<Out> {
    v.verify_event_notification(p, h, now).map(|n| notification(&n))
}

pub(crate) const HMAC_SHA256: Op = Op::new(
    name!(hmac_sha256, hmacSha256),
    "HMAC-SHA256 of `message` under `key` (both byte arrays).",
    &[Param::arg(name!(key)), Param::arg(name!(message))],
    &[],
    |c| {
        let key = c.r.bytes(c.arg(0), &c.name(0))?;
        let msg = c.r.bytes(c.arg(1), &c.name(1))?;
        Ok(Out::Bytes(crate::crypto::hmac_sha256(key, &[msg])?.to_vec()))
    },
);

pub(crate) const VERIFY_HMAC_SHA256: Op = Op::new(
    name!(verify_hmac_sha256, verifyHmacSha256),
    "Verifies a full 32-byte HMAC-SHA256 `tag` in constant time; returns nothing, raises on a mismatch.",
    &[Param::arg(name!(key)), Param::arg(name!(message)), Param::arg(name!(tag))],
    &[],
    |c| {
        let key = c.r.bytes(c.arg(0), &c.name(0))?;
        let msg = c.r.bytes(c.arg(1), &c.name(1))?;
        let tag = c.r.bytes(c.arg(2), &c.name(2))?;
        crate::crypto::verify_hmac_sha256(key, &[msg], tag).map(|()| Out::Unit)
    },
);

pub(crate) const SIGN_HEADER: Op = Op::new(
    name!(sign_header, signHeader),
    "Builds a `t=…,v1=…` header for `payload` at `timestamp` (Unix seconds): for tests and emulators.",
    &[Param::arg(PAYLOAD), Param::arg(name!(secret)), Param::arg(name!(timestamp))],
    &[],
    |c| {
        let payload = c.r.data(c.arg(0), &PAYLOAD)?;
        let secret = SigningSecret::new(c.str(1)?)?;
        let t = c.r.uint(c.arg(2), &c.name(2), u64::MAX)?;
        crate::signature::sign_header(payload, &secret, t).map(Out::Str)
    },
);

pub(crate) const VERIFY_SIGNATURE: Op = Op::new(
    name!(verify_signature, verifySignature),
    "Verifies a `Stripe-Signature` header over the raw payload.",
    VERIFY_PARAMS,
    &[&VERIFIED_SIGNATURE],
    |c| one_shot(c, verify_sig),
);

pub(crate) const VERIFY_WEBHOOK: Op = Op::new(
    name!(verify_webhook, verifyWebhook),
    "Verifies a webhook from its raw body and `Stripe-Signature` header, then reads the event.",
    VERIFY_PARAMS,
    &[&WEBHOOK_EVENT],
    |c| one_shot(c, verify_event),
);

pub(crate) const VERIFY_DEAUTHORIZATION: Op = Op::new(
    name!(verify_deauthorization, verifyDeauthorization),
    "Verifies an `account.application.deauthorized` webhook and reads it.",
    VERIFY_PARAMS,
    &[&DEAUTHORIZATION],
    |c| one_shot(c, verify_deauth),
);

pub(crate) const VERIFY_EVENT_NOTIFICATION: Op = Op::new(
    name!(verify_event_notification, verifyEventNotification),
    "Verifies an event notification (a thin event) from its raw body and `Stripe-Signature` header, then reads it.",
    VERIFY_PARAMS,
    &[&EVENT_NOTIFICATION],
    |c| one_shot(c, verify_notification),
);

pub(crate) const FINDING: Kind =
    Kind { tag: None, name: "Finding", fields: &[field!(code: Str), field!(message: Str), field!(action: Str)] };

pub(crate) const DIAGNOSIS: Kind = Kind {
    tag: None,
    name: "Diagnosis",
    fields: &[field!(verified: Bool), crate::host::Field { nested: Some(&FINDING), ..field!(findings: RecordList) }],
};

pub(crate) const DIAGNOSE_SIGNATURE: Op = Op::new(
    name!(diagnose_signature, diagnoseSignature),
    "After a failure only: why a `Stripe-Signature` does not verify (a changed body, the wrong or a mistyped \
     secret, a clock off, a header that is not one), as findings with a code and what to do. Never on the fast path.",
    VERIFY_PARAMS,
    &[&DIAGNOSIS],
    |c| {
        let o = c.options(2)?;
        let secrets = c.r.strings(o.get(&SECRETS), &SECRETS)?;
        let payload = c.r.body(c.arg(0), &PAYLOAD)?;
        // An absent header is a finding, not an error.
        let header = match c.arg(1) {
            Value::Absent => std::borrow::Cow::Borrowed(""),
            v => c.r.header(v, &HEADER)?,
        };
        let findings = crate::diagnose::diagnose_signature(
            payload,
            &header,
            &secrets,
            c.now(o.get(&NOW))?,
            tolerance(&c.r, o.get(&TOLERANCE))?,
        );
        Ok(diagnosis(findings.iter().any(|f| f.code() == "verified"), &findings))
    },
);

/// A diagnosis as a record: whether it passes, and the findings.
pub(crate) fn diagnosis(verified: bool, findings: &[crate::diagnose::Finding]) -> Out {
    let list = findings
        .iter()
        .map(|f| Out::Record(&FINDING, vec![Out::str(f.code()), Out::str(f.message()), Out::str(f.action())]))
        .collect();
    Out::Record(&DIAGNOSIS, vec![Out::Bool(verified), Out::List(list)])
}

pub(crate) const VERIFY_IGNORING_TOLERANCE: Op = Op::new(
    name!(dangerous_verify_ignoring_tolerance, dangerousVerifyIgnoringTolerance),
    "Verifies without the time window: a captured request verifies forever. Tests only.",
    &[Param::arg(PAYLOAD), Param::arg(HEADER), Param::arg(SECRETS)],
    &[&VERIFIED_SIGNATURE],
    |c| {
        let payload = c.r.body(c.arg(0), &PAYLOAD)?;
        let header = c.r.header(c.arg(1), &HEADER)?;
        let secrets = secrets(&c.r, c.arg(2))?;
        crate::dangerous::verify_ignoring_tolerance(payload, &header, &secrets).map(|s| signature(&s))
    },
)
.at(Place::Dangerous(name!(verify_ignoring_tolerance, verifyIgnoringTolerance)));

// ------------------------------------------------------------------ the prepared verifier

/// `new Verifier(secrets, { tolerance })` / `Verifier(secrets, *, tolerance=None)`.
pub const VERIFIER_PARAMS: &[Param] = &[Param::arg(SECRETS), Param::options(name!(options), &[TOLERANCE])];
const METHOD_PARAMS: &[Param] = &[Param::arg(PAYLOAD), Param::arg(HEADER), Param::arg(NOW)];

/// How a verifier method that runs in the core reads `(payload, header, now)`.
type MethodFn = fn(&Verifier, &[u8], &str, u64) -> Result<Out>;

/// A method of the prepared verifier.
pub(crate) struct Method {
    pub(crate) name: Name,
    pub(crate) doc: &'static str,
    /// Its parameters after the receiver.
    pub(crate) params: &'static [Param],
    /// The record kind it returns (`check` returns a code or nothing).
    pub(crate) returns: &'static [&'static Kind],
    /// `None` for the hot path (`verify`, `check`, `tryVerify`): each binding implements it
    /// natively. Every other method runs here, through [`verifier::call`], so adding one
    /// changes no binding.
    pub(crate) run: Option<MethodFn>,
}

const fn method(name: Name, doc: &'static str, returns: &'static [&'static Kind], run: Option<MethodFn>) -> Method {
    Method { name, doc, params: METHOD_PARAMS, returns, run }
}

/// The prepared verifier's methods.
pub(crate) const METHODS: &[Method] = &[
    method(
        name!(verify),
        "Verifies a `Stripe-Signature` header over the raw payload. `now` defaults to the clock.",
        &[&VERIFIED_SIGNATURE],
        None,
    ),
    method(
        name!(check),
        "The fastest path: null when the signature verifies, else the error code. Never throws for a bad signature.",
        &[],
        None,
    ),
    method(
        name!(try_verify, tryVerify),
        "Like verify, but never throws: `{ ok: false, code, message }` on failure.",
        &[&VERIFY_ATTEMPT],
        None,
    ),
    method(
        name!(verify_webhook, verifyWebhook),
        "Verifies a webhook and reads the event.",
        &[&WEBHOOK_EVENT],
        Some(verify_event),
    ),
    method(
        name!(verify_deauthorization, verifyDeauthorization),
        "Verifies an `account.application.deauthorized` webhook and reads it.",
        &[&DEAUTHORIZATION],
        Some(verify_deauth),
    ),
    method(
        name!(verify_event_notification, verifyEventNotification),
        "Verifies an event notification (a thin event) and reads it.",
        &[&EVENT_NOTIFICATION],
        Some(verify_notification),
    ),
];

/// Builds the prepared verifier from `(secrets, options)`; Python keywords are arranged
/// the same way as for every operation.
///
/// # Errors
/// `invalid_secret`, `invalid_tolerance`, `invalid_argument`.
pub fn new_verifier(args: &[Value<'_>], spelling: Spelling) -> Result<Verifier> {
    let r = Reader { spelling };
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Absent);
    if args.len() > VERIFIER_PARAMS.len() {
        return Err(Error::InvalidArgument { what: "Verifier", reason: "too many arguments" });
    }
    let o = r.options(arg(1), &name!(options), &[TOLERANCE])?;
    Verifier::new(&secrets(&r, arg(0))?, tolerance(&r, o.get(&TOLERANCE))?)
}

/// The prepared verifier's methods. Arguments are `[payload, header, now]`; the binding
/// passes exactly what the host gave, absent where nothing was.
pub mod verifier {
    use super::{signature, Out, Result, Verifier, VERIFY_ATTEMPT};
    use super::{HEADER, NOW, PAYLOAD};
    use crate::host::value::{Reader, Spelling, Value};
    use crate::host::Env;

    fn inputs<'v>(
        r: &Reader,
        payload: &'v Value<'_>,
        header: &'v Value<'_>,
        now: &Value<'_>,
        env: &dyn Env,
    ) -> Result<(&'v [u8], std::borrow::Cow<'v, str>, u64)> {
        let t = match r.opt_uint(now, &NOW, u64::MAX)? {
            Some(t) => t,
            None => env.now()?,
        };
        Ok((r.body(payload, &PAYLOAD)?, r.header(header, &HEADER)?, t))
    }

    /// `verify(payload, header, now?)`: the verified signature.
    ///
    /// # Errors
    /// Every signature error; `invalid_argument` for unusable arguments.
    pub fn verify(v: &Verifier, a: [&Value<'_>; 3], env: &dyn Env, s: Spelling) -> Result<Out> {
        let (p, h, t) = inputs(&Reader { spelling: s }, a[0], a[1], a[2], env)?;
        v.verify(p, &h, t).map(|x| signature(&x))
    }

    /// `verify` for a binding's allocation-free fast path: the `VerifiedSignature` record's
    /// fields as numbers, in the schema's field order (`timestamp`, `secret_index`), which a
    /// host writes into a reused buffer instead of building an array per call. Exact as JS
    /// numbers: a timestamp from a host is at most 2^53 - 1 and the index below 16.
    ///
    /// # Errors
    /// As [`verify`].
    pub fn verify_numbers(v: &Verifier, a: [&Value<'_>; 3], env: &dyn Env, s: Spelling) -> Result<[f64; 2]> {
        let (p, h, t) = inputs(&Reader { spelling: s }, a[0], a[1], a[2], env)?;
        let x = v.verify(p, &h, t)?;
        #[allow(clippy::cast_precision_loss)] // the timestamp was a host number or the clock
        Ok([x.timestamp() as f64, x.secret_index() as f64])
    }

    /// `check(payload, header, now?)`: `None` when it verifies, else the error code.
    #[must_use]
    pub fn check(v: &Verifier, a: [&Value<'_>; 3], env: &dyn Env, s: Spelling) -> Option<&'static str> {
        match inputs(&Reader { spelling: s }, a[0], a[1], a[2], env).and_then(|(p, h, t)| v.verify(p, &h, t)) {
            Ok(_) => None,
            Err(e) => Some(e.code()),
        }
    }

    /// `tryVerify(payload, header, now?)`: `{ ok, timestamp, secretIndex, code, message }`.
    #[must_use]
    pub fn try_verify(v: &Verifier, a: [&Value<'_>; 3], env: &dyn Env, s: Spelling) -> Out {
        match inputs(&Reader { spelling: s }, a[0], a[1], a[2], env).and_then(|(p, h, t)| v.verify(p, &h, t)) {
            Ok(x) => Out::Record(
                &VERIFY_ATTEMPT,
                vec![Out::Bool(true), Out::Int(x.timestamp()), Out::index(x.secret_index()), Out::Null, Out::Null],
            ),
            Err(e) => Out::Record(
                &VERIFY_ATTEMPT,
                vec![Out::Bool(false), Out::Null, Out::Null, Out::str(e.code()), Out::Str(e.to_string())],
            ),
        }
    }

    /// Runs method `index` of the schema's `verifier.methods` (one that the binding does not
    /// implement natively) with `[payload, header, now]`.
    ///
    /// # Errors
    /// Every signature error, the method's own (`malformed_event`, `unexpected_event_type`,
    /// `snapshot_event_given`, `event_notification_given`); `invalid_argument` for unusable
    /// arguments.
    pub fn call(v: &Verifier, index: usize, a: [&Value<'_>; 3], env: &dyn Env, s: Spelling) -> Result<Out> {
        let run = super::METHODS
            .get(index)
            .and_then(|m| m.run)
            .ok_or(crate::error::Error::Internal { what: "not a verifier method that runs in the core" })?;
        let (p, h, t) = inputs(&Reader { spelling: s }, a[0], a[1], a[2], env)?;
        run(v, p, &h, t)
    }
}

#[cfg(test)]
mod tests {
    use super::{verifier, METHODS};
    use crate::host::{OsEnv, Out, Spelling, Value};
    use crate::signature::{sign_header, SigningSecret, Tolerance, Verifier};

    /// The records that cross as flat ones (`host::flat_record`): numbers and texts in field
    /// order, UTF-16 lengths, nulls left out of the mask; a value that is not its field's
    /// declared type, or a kind with a nested record, is not flat.
    #[test]
    fn flat_records() {
        use super::{DEAUTHORIZATION, EVENT_NOTIFICATION, WEBHOOK_EVENT};
        use crate::host::flat_record;
        let mut n = [0.0; 32];
        let event = Out::Record(
            &WEBHOOK_EVENT,
            vec![
                Out::str("evt_\u{e9}"),
                Out::str("a.b"),
                Out::Null,
                Out::Bool(true),
                Out::Int(1 << 53),
                Out::Null,
                Out::Json("{\"x\":\"\u{1F600}\"}".into()),
                Out::str("{\"x\":\"\u{1F600}\"}"),
                Out::Int(7),
                Out::Int(0),
            ],
        );
        let texts = flat_record(&event, &mut n).unwrap();
        assert_eq!(texts, "evt_\u{e9}a.b{\"x\":\"\u{1F600}\"}{\"x\":\"\u{1F600}\"}");
        let mask = 0b11_1101_1011;
        #[allow(clippy::cast_precision_loss)]
        let expected = [f64::from(mask), 5.0, 3.0, 1.0, (1u64 << 53) as f64, 10.0, 10.0, 7.0, 0.0];
        assert_eq!(n[..9], expected);
        // Room for the mask and eight fields only: the general conversion.
        assert_eq!(flat_record(&event, &mut n[..9]), None);
        // A value that is not its declared type: not flat.
        let wrong = Out::Record(&DEAUTHORIZATION, vec![Out::Int(1), Out::str("ca_1"), Out::Null, Out::Bool(false)]);
        assert_eq!(flat_record(&wrong, &mut n), None);
        let right =
            Out::Record(&DEAUTHORIZATION, vec![Out::str("acct_1"), Out::str("ca_1"), Out::Null, Out::Bool(false)]);
        assert_eq!(flat_record(&right, &mut n).as_deref(), Some("acct_1ca_1"));
        assert_eq!(n[..4], [f64::from(0b1011u8), 6.0, 4.0, 0.0]);
        // A null where the field is not nullable, a nested kind: not flat.
        let null = Out::Record(&DEAUTHORIZATION, vec![Out::Null, Out::str("ca_1"), Out::Null, Out::Bool(false)]);
        assert_eq!(flat_record(&null, &mut n), None);
        let values = (0..EVENT_NOTIFICATION.fields.len()).map(|_| Out::Null).collect();
        assert_eq!(flat_record(&Out::Record(&EVENT_NOTIFICATION, values), &mut n), None);
    }

    /// Each method returns the kind the schema says it does; the hot ones are native.
    #[test]
    fn methods_return_their_declared_kinds() {
        let secret = SigningSecret::new("whsec_kinds").unwrap();
        let snapshot: &[u8] = br#"{"id":"evt_1","object":"event","type":"account.application.deauthorized","account":"acct_1","livemode":false,"created":1,"data":{"object":{"id":"ca_1","object":"application"}}}"#;
        let thin: &[u8] = br#"{"id":"evt_2","object":"v2.core.event","type":"v2.core.account.updated","livemode":false,"created":"1970-01-01T00:16:40Z"}"#;
        let v = Verifier::new(std::slice::from_ref(&secret), Tolerance::default()).unwrap();
        let kind = |o: crate::Result<Out>| match o.unwrap() {
            Out::Record(k, _) => Some(k.name),
            _ => None,
        };
        for (i, m) in METHODS.iter().enumerate() {
            let body = if m.name.snake == "verify_event_notification" { thin } else { snapshot };
            let header = sign_header(body, &secret, 1000).unwrap();
            let (p, h, t) = (Value::Bytes(body.into()), Value::Str(header.as_str().into()), Value::Int(1000));
            let a = [&p, &h, &t];
            let got = match m.name.snake {
                "verify" => kind(verifier::verify(&v, a, &OsEnv, Spelling::Camel)),
                "try_verify" => kind(Ok(verifier::try_verify(&v, a, &OsEnv, Spelling::Camel))),
                "check" => {
                    assert!(verifier::check(&v, a, &OsEnv, Spelling::Camel).is_none());
                    None
                }
                _ => kind(verifier::call(&v, i, a, &OsEnv, Spelling::Camel)),
            };
            assert_eq!(got, m.returns.first().map(|k| k.name), "{}", m.name.snake);
            assert_eq!(m.run.is_none(), ["verify", "check", "try_verify"].contains(&m.name.snake), "{}", m.name.snake);
        }
        // The numeric fast path gives the record's fields, in the kind's order.
        let header = sign_header(snapshot, &secret, 1000).unwrap();
        let (p, h, t) = (Value::Bytes(snapshot.into()), Value::Str(header.as_str().into()), Value::Int(1000));
        let names: Vec<_> = super::VERIFIED_SIGNATURE.fields.iter().map(|f| f.name.snake).collect();
        assert_eq!(names, ["timestamp", "secret_index"]);
        assert_eq!(verifier::verify_numbers(&v, [&p, &h, &t], &OsEnv, Spelling::Camel).unwrap(), [1000.0, 0.0]);
        let bad = Value::Str("t=1000,v1=00".into());
        assert_eq!(
            verifier::verify_numbers(&v, [&p, &bad, &t], &OsEnv, Spelling::Camel).unwrap_err().code(),
            "signature_mismatch"
        );
        // A hot method is not reachable through call.
        let (p, h, t) = (Value::Bytes(snapshot.into()), Value::Str("t=1".into()), Value::Int(1));
        assert_eq!(verifier::call(&v, 0, [&p, &h, &t], &OsEnv, Spelling::Camel).unwrap_err().code(), "internal");
    }
}
