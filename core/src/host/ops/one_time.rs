//! One-time entries for the stores the packages ship (and any store a user writes): the entry
//! and its key, the PostgreSQL statements, and what a store's answer means.

use super::{Op, Param};
use crate::host::out::{field, Kind, Out};
use crate::host::value::{name, Name, Value};
use crate::one_time::{outcome, postgres_statements, OneTimeEntry, Placeholders, DEFAULT_PREFIX, DEFAULT_TABLE};

pub(crate) const ONE_TIME_ENTRY: Kind = Kind {
    tag: None,
    name: "OneTimeEntry",
    fields: &[
        field!(namespace: Str),
        field!(id: Str),
        field!(expires_at, expiresAt: Int),
        field!(key: Str),
        field!(ttl_secs, ttlSecs: Int),
    ],
};

pub(crate) const POSTGRES_STATEMENTS: Kind = Kind {
    tag: None,
    name: "PostgresStatements",
    fields: &[field!(create: Str), field!(consume: Str), field!(prune: Str), field!(release: Str), field!(extend: Str)],
};

const NAMESPACE: Name = name!(namespace);
const EXPIRES_AT: Name = name!(expires_at, expiresAt);
const PREFIX: Name = name!(prefix);
const TABLE: Name = name!(table);
const PLACEHOLDERS: Name = name!(placeholders);

pub(crate) const ONE_TIME_ENTRY_OP: Op = Op::new(
    name!(one_time_entry, oneTimeEntry),
    "Checks a one-time entry (namespace 'state' or 'event', an id, the last Unix second it must stand, not before \
     now), names its key-value key (prefix, default 'stripe-handshake:', + namespace + ':' + id) and the seconds a \
     key-value store keeps it from now (ttlSecs: through its last second plus 300 s for clocks). Stores call it \
     before they record anything.",
    &[
        Param::arg(NAMESPACE),
        Param::arg(name!(id)),
        Param::arg(EXPIRES_AT),
        Param::options(name!(options), &[name!(now), PREFIX]),
    ],
    &[&ONE_TIME_ENTRY],
    |c| {
        let o = c.options(3)?;
        let expires_at = c.r.uint(c.arg(2), &EXPIRES_AT, u64::MAX)?;
        let e = OneTimeEntry::new(c.str(0)?, c.str(1)?, expires_at, c.now(o.get(&name!(now)))?)?;
        let key = e.key(c.r.opt_str(o.get(&PREFIX), &PREFIX)?.unwrap_or(DEFAULT_PREFIX))?;
        Ok(Out::Record(
            &ONE_TIME_ENTRY,
            vec![
                Out::str(e.namespace()),
                Out::str(e.id()),
                Out::Int(e.expires_at()),
                Out::Str(key),
                Out::Int(e.ttl_secs()),
            ],
        ))
    },
);

pub(crate) const POSTGRES_STATEMENTS_OP: Op = Op::new(
    name!(postgres_statements, postgresStatements),
    "The statements of a PostgreSQL one-time store: create (the table), consume (parameters namespace, id, \
     expires_at, now; a row the first time) and prune (parameter now). table defaults to \
     'stripe_handshake_one_time'; placeholders is 'dollar' ($1, node-postgres) or 'percent' (%s, psycopg).",
    &[Param::options(name!(options), &[TABLE, PLACEHOLDERS])],
    &[&POSTGRES_STATEMENTS],
    |c| {
        let o = c.options(0)?;
        let table = c.r.opt_str(o.get(&TABLE), &TABLE)?.unwrap_or(DEFAULT_TABLE);
        let p = Placeholders::parse(c.r.str(o.get(&PLACEHOLDERS), &PLACEHOLDERS)?)?;
        let s = postgres_statements(table, p)?;
        Ok(Out::Record(
            &POSTGRES_STATEMENTS,
            vec![Out::Str(s.create), Out::Str(s.consume), Out::Str(s.prune), Out::Str(s.release), Out::Str(s.extend)],
        ))
    },
);

pub(crate) const ONE_TIME_OUTCOME: Op = Op::new(
    name!(one_time_outcome, oneTimeOutcome),
    "What a store's answer means: true is the first time; false is state_replayed for namespace 'state' and \
     false (a duplicate to acknowledge and skip) for 'event'; anything else (pass undefined/None when the store \
     failed) is store_unavailable. Never a silent accept.",
    &[Param::arg(name!(answer)), Param::options(name!(options), &[NAMESPACE])],
    &[],
    |c| {
        let o = c.options(1)?;
        let namespace = c.r.str(o.get(&NAMESPACE), &NAMESPACE)?;
        let answer = match c.arg(0) {
            Value::Bool(b) => Some(*b),
            _ => None,
        };
        outcome(answer, namespace).map(Out::Bool)
    },
);

pub(crate) const WEBHOOK_REPLY: Kind =
    Kind { tag: None, name: "WebhookReply", fields: &[field!(status: Int), field!(body: Str)] };

pub(crate) const WEBHOOK_REPLY_OP: Op = Op::new(
    name!(webhook_reply, webhookReply),
    "What a webhook endpoint answers Stripe for an outcome (the framework adapters' one table): delivered and \
     duplicate 200; body_too_large 413; body_already_parsed and handler_failed 500 (Stripe delivers again); a \
     store error 503; any other error code of this library 400. The body is JSON naming the code, never a value.",
    &[Param::arg(name!(outcome))],
    &[&WEBHOOK_REPLY],
    |c| {
        let r = crate::reply::reply(c.str(0)?)?;
        Ok(Out::Record(&WEBHOOK_REPLY, vec![Out::Int(u64::from(r.status)), Out::Str(r.body)]))
    },
);
