//! What a webhook endpoint answers Stripe, for the framework adapters: one table for every
//! binding, so an Express, Fastify, Flask or Starlette route answers the same status and body
//! for the same outcome. Stripe retries a delivery that gets no 2xx, for up to three days, and
//! shows the body in the Dashboard's delivery log: refusals name their code (and for the
//! adapter's own outcomes what to do), never a value.

use crate::error::{Error, ErrorFamily, Result};

/// The largest webhook body an adapter reads (Stripe's events are far smaller).
pub const MAX_WEBHOOK_BODY: usize = 1 << 20;

/// An HTTP answer: a status and a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

fn refusal(status: u16, code: &str, message: Option<&str>) -> Reply {
    let body = match message {
        Some(m) => serde_json::json!({"error": code, "message": m}),
        None => serde_json::json!({"error": code}),
    };
    Reply { status, body: body.to_string() }
}

/// The answer for `outcome`: `delivered` and `duplicate` (acknowledged, acted on once) are 200;
/// `body_too_large` 413; `body_already_parsed` (a body parser read the request first) and
/// `handler_failed` 500, so Stripe delivers again; an error code of the store family 503 (the
/// same); an internal error 500; any other error code of this library (a signature that does not
/// verify, a malformed event, an event of the other kind) 400.
///
/// ```
/// use stripe_handshake::reply::reply;
/// assert_eq!(reply("delivered").unwrap().status, 200);
/// assert_eq!(reply("signature_mismatch").unwrap().body, r#"{"error":"signature_mismatch"}"#);
/// assert_eq!(reply("store_unavailable").unwrap().status, 503);
/// assert!(reply("teapot").is_err());
/// ```
///
/// # Errors
/// `invalid_argument` for an outcome that is neither of the above nor an error code.
pub fn reply(outcome: &str) -> Result<Reply> {
    Ok(match outcome {
        "delivered" | "duplicate" => Reply { status: 200, body: r#"{"received":true}"#.to_owned() },
        "body_too_large" => refusal(413, outcome, Some("the body is over 1 MiB; Stripe's events are far smaller")),
        "body_already_parsed" => refusal(
            500,
            outcome,
            Some(
                "a body parser read the request before the webhook handler, so its raw bytes are gone: mount the \
                 handler before express.json() (or any JSON middleware), or keep the raw body",
            ),
        ),
        "handler_failed" => {
            refusal(500, outcome, Some("the event handler failed; Stripe delivers the event again later"))
        }
        code => match Error::TABLE.iter().find(|r| r.code == code) {
            Some(r) if r.family == ErrorFamily::Store => {
                refusal(503, code, Some("the one-time store could not answer; Stripe delivers the event again later"))
            }
            // Not the request's fault: a 500, so that Stripe delivers again.
            Some(r) if r.family == ErrorFamily::Internal => refusal(500, code, None),
            Some(_) => refusal(400, code, None),
            None => {
                return Err(Error::InvalidArgument {
                    what: "outcome",
                    reason:
                        "use delivered, duplicate, body_too_large, body_already_parsed, handler_failed or an error code",
                })
            }
        },
    })
}
