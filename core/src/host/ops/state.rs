//! CSRF state: plain values and signed, session-bound tokens.

use super::callback::{one_time_mode, REPLAY, STORE};
use super::{Call, OneTime, Op, Param};
use crate::error::{Error, Result};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name, Value};
use crate::state::{Flow, StateKey, StateKeys, StateTokenParams, VerifiedState};

pub(crate) const VERIFIED_STATE: Kind = Kind {
    tag: None,
    name: "VerifiedState",
    fields: &[
        field!(version: Int),
        field!(key_id, keyId: Str),
        field!(issued_at, issuedAt: Int),
        field!(expires_at, expiresAt: Int),
        field!(flow: Str),
        field!(nonce: Str),
        field!(data: Str, nullable),
        field!(mode: Str, nullable),
    ],
};

fn verified(v: &VerifiedState) -> Out {
    Out::Record(
        &VERIFIED_STATE,
        vec![
            Out::Int(u64::from(v.version())),
            Out::str(v.key_id()),
            Out::Int(v.issued_at()),
            Out::Int(v.expires_at()),
            Out::str(v.flow().as_str()),
            Out::Str(v.nonce()),
            Out::opt_str(v.data()),
            Out::opt_str(v.mode().map(crate::state::LinkMode::as_str)),
        ],
    )
}

const KEYS: Name = name!(keys);
const FLOW: Name = name!(flow);
const SESSION_ID: Name = name!(session_id, sessionId);

pub(crate) fn flow(c: &Call<'_, '_>, v: &Value<'_>) -> Result<Flow> {
    Flow::parse(c.r.str(v, &FLOW)?)
}

/// State keys: a list of `{ id, key }` objects or `(id, key)` pairs; `key` is bytes.
pub(crate) fn state_keys(c: &Call<'_, '_>, v: &Value<'_>, what: &Name) -> Result<Option<StateKeys>> {
    let Some(items) = c.r.opt_list(v, what)? else {
        return Ok(None);
    };
    let shape = || Error::InvalidArgument {
        what: what.spelled(c.r.spelling),
        reason: "each key must be { id, key } (or an (id, key) pair) with key as bytes",
    };
    let keys = items
        .iter()
        .map(|item| {
            let (id, key) = match item {
                Value::Map(_) => {
                    let o = c.r.options(item, what, &[name!(id), name!(key)])?;
                    (o.get(&name!(id)), o.get(&name!(key)))
                }
                Value::List(pair) => match pair.as_slice() {
                    [id, key] => (id, key),
                    _ => return Err(shape()),
                },
                _ => return Err(shape()),
            };
            StateKey::new(c.r.str(id, &name!(id))?, c.r.bytes(key, &name!(key))?)
        })
        .collect::<Result<Vec<_>>>()?;
    StateKeys::new(keys).map(Some)
}

fn required_keys(c: &Call<'_, '_>, v: &Value<'_>) -> Result<StateKeys> {
    state_keys(c, v, &KEYS)?.ok_or_else(|| Error::InvalidArgument {
        what: KEYS.spelled(c.r.spelling),
        reason: "it is required: pass a list of { id, key }",
    })
}

pub(crate) fn entropy(c: &Call<'_, '_>, v: &Value<'_>, what: &Name) -> Result<Option<[u8; 32]>> {
    c.r.opt_bytes(v, what)?
        .map(|b| {
            b.try_into().map_err(|_| Error::InvalidArgument {
                what: what.spelled(c.r.spelling),
                reason: "it must be exactly 32 bytes from a CSPRNG",
            })
        })
        .transpose()
}

pub(crate) const RANDOM_STATE: Op = Op::new(
    name!(random_state, randomState),
    "A fresh plain state: 32 bytes from the CSPRNG as base64url (43 characters).",
    &[],
    &[],
    |c| Ok(Out::Str(crate::state::plain_state_from_entropy(&c.env.random()?))),
);

pub(crate) const PLAIN_STATE_FROM_ENTROPY: Op = Op::new(
    name!(plain_state_from_entropy, plainStateFromEntropy),
    "A plain state from 32 bytes you supply (from a CSPRNG).",
    &[Param::arg(name!(entropy))],
    &[],
    |c| {
        let e = entropy(c, c.arg(0), &name!(entropy))?
            .ok_or(Error::InvalidArgument { what: "entropy", reason: "it is required: pass 32 bytes from a CSPRNG" })?;
        Ok(Out::Str(crate::state::plain_state_from_entropy(&e)))
    },
);

pub(crate) const CHECK_PLAIN_STATE: Op = Op::new(
    name!(check_plain_state, checkPlainState),
    "Checks a received plain state against the one in the session, in constant time; returns \
     nothing, raises StateError on a mismatch. `received` may be absent (the callback had none).",
    &[Param::arg(name!(expected)), Param::arg(name!(received))],
    &[],
    |c| {
        let received = c.r.opt_str(c.arg(1), &c.name(1))?;
        crate::state::check_plain_state(c.str(0)?, received).map(|()| Out::Unit)
    },
);

pub(crate) const ISSUE_STATE_TOKEN: Op = Op::new(
    name!(issue_state_token, issueStateToken),
    "Issues a signed, session-bound, expiring state token. `ttlSecs` defaults to 600, `now` to the \
     clock, `nonce` to 32 CSPRNG bytes; `mode` ('live', 'test', 'sandbox') rides in it to the exchange.",
    &[Param::options(
        name!(options),
        &[KEYS, FLOW, SESSION_ID, name!(ttl_secs, ttlSecs), name!(data), name!(now), name!(nonce), name!(mode)],
    )],
    &[],
    |c| {
        let o = c.options(0)?;
        let keys = required_keys(c, o.get(&KEYS))?;
        let nonce = match entropy(c, o.get(&name!(nonce)), &name!(nonce))? {
            Some(n) => n,
            None => c.env.random()?,
        };
        let ttl = c.r.opt_uint(o.get(&name!(ttl_secs, ttlSecs)), &name!(ttl_secs, ttlSecs), u64::from(u32::MAX))?;
        let p = StateTokenParams {
            flow: flow(c, o.get(&FLOW))?,
            session_id: c.r.data(o.get(&SESSION_ID), &SESSION_ID)?,
            ttl_secs: ttl.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
            data: c.r.opt_str(o.get(&name!(data)), &name!(data))?,
            mode: c.link_mode(o.get(&name!(mode)), &name!(mode))?,
        };
        crate::state::issue_state_token(&keys, &p, c.now(o.get(&name!(now)))?, &nonce).map(Out::Str)
    },
);

pub(crate) const VERIFY_STATE_TOKEN: Op = Op::new(
    name!(verify_state_token, verifyStateToken),
    "Verifies a signed state token (`token` may be absent when the callback had none).",
    &[Param::arg(name!(token)), Param::options(name!(options), &[KEYS, SESSION_ID, FLOW, name!(now), STORE, REPLAY])],
    &[&VERIFIED_STATE],
    |c| {
        let o = c.options(1)?;
        one_time_mode(c, &o, true)?;
        let keys = required_keys(c, o.get(&KEYS))?;
        let token = c.r.opt_str(c.arg(0), &c.name(0))?;
        let session = c.r.data(o.get(&SESSION_ID), &SESSION_ID)?;
        let v = crate::state::verify_state_token(
            &keys,
            token,
            session,
            flow(c, o.get(&FLOW))?,
            c.now(o.get(&name!(now)))?,
        )?;
        Ok(verified(&v))
    },
)
.one_time(&[OneTime { namespace: crate::one_time::STATE, id: name!(nonce), expires_at: name!(expires_at, expiresAt) }]);
