//! One-time entries: what a store records so that a state token's nonce (or a webhook event's
//! id) is acted on once, across processes and servers.
//!
//! The core does no I/O. It checks an entry, names its key, holds the statements the stores
//! run, and decides what a store's answer means, so the Node and Python stores (memory, Redis,
//! PostgreSQL) run the same commands and fail the same way:
//!
//! - Redis: `SET <key> 1 NX EX <ttl>`, where `<key>` is [`OneTimeEntry::key`] and `<ttl>` is
//!   [`OneTimeEntry::ttl_secs`], counted from this process's clock (never Redis's: a Redis clock
//!   ahead would drop the key while the token still verifies): `OK` the first time, nil after.
//!   Redis must not evict these keys (`maxmemory-policy noeviction`): an evicted nonce is a
//!   replay accepted.
//! - PostgreSQL: [`postgres_statements`]: one `INSERT … ON CONFLICT … DO UPDATE … WHERE
//!   expired RETURNING` (a row the first time, or when the old entry has expired), and a
//!   `DELETE` of rows expired for longer than [`CLOCK_GRACE_SECS`] (servers' clocks differ: one
//!   ahead must not delete what another still needs) that the store runs now and then.
//!
//! An entry stands through its last second: a token verifies while `now <= expires_at`, so an
//! entry is forgotten only once `expires_at < now`.
//!
//! A store answers `true` (first time) or `false` (seen and not expired); anything else, and
//! any failure, is [`Error::StoreUnavailable`]: never a silent accept ([`outcome`]).

use crate::error::{Error, Result};

/// The namespace of state-token nonces.
pub const STATE: &str = "state";
/// The namespace of webhook event ids (`evt_…`).
pub const EVENT: &str = "event";
/// The namespace of the codes of Marketplace authorizations (OAuth-type apps installed from
/// the Marketplace, with no state to consume): kept by [`code_id`], never the code itself.
pub const CODE: &str = "code";
/// How long Stripe accepts an authorization code (seconds): five minutes, one use.
pub const CODE_LIFETIME_SECS: u64 = 5 * 60;
/// The default prefix of Redis keys.
pub const DEFAULT_PREFIX: &str = "stripe-handshake:";
/// The default PostgreSQL table.
pub const DEFAULT_TABLE: &str = "stripe_handshake_one_time";
/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 255;
/// How long a webhook adapter first claims an event (seconds): long enough for its handler; if
/// the process dies mid-handler, the claim lapses and Stripe's next retry is acted on.
pub const EVENT_LEASE_SECS: u64 = 10 * 60;
/// How long an event id is kept once its handler succeeded: Stripe retries for up to three days.
pub const EVENT_RETENTION_SECS: u64 = 4 * 24 * 60 * 60;
/// How much longer than its expiry an entry is kept, for clocks that differ between the servers
/// that check tokens and the store (Redis's TTL, PostgreSQL's pruning).
pub const CLOCK_GRACE_SECS: u64 = 300;

/// An entry to record once: a namespace, an id and when it may be forgotten.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeEntry {
    namespace: String,
    id: String,
    expires_at: u64,
    ttl_secs: u64,
}

impl std::fmt::Debug for OneTimeEntry {
    /// The namespace and expiry only: an id may be an unused nonce.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneTimeEntry")
            .field("namespace", &self.namespace)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl OneTimeEntry {
    /// Checks an entry: `namespace` is 1 to 32 of `a-z`, `0-9`, `_`; `id` is 1 to 255 printable
    /// ASCII bytes (nonces are base64url, event ids `evt_…`); `expires_at` is not before `now`
    /// (an entry that has expired protects nothing: its token was refused before).
    ///
    /// ```
    /// use stripe_handshake::one_time::OneTimeEntry;
    /// let e = OneTimeEntry::new("state", "n0nce", 1_700_000_600, 1_700_000_000).unwrap();
    /// assert_eq!(e.key("stripe-handshake:").unwrap(), "stripe-handshake:state:n0nce");
    /// assert_eq!(e.ttl_secs(), 600 + 1 + 300);
    /// assert_eq!(OneTimeEntry::new("state", "n0nce", 4, 5).unwrap_err().code(), "invalid_argument");
    /// assert_eq!(OneTimeEntry::new("State", "n", 9, 5).unwrap_err().code(), "invalid_argument");
    /// ```
    ///
    /// # Errors
    /// `invalid_argument` for a namespace, an id or an expiry outside these rules.
    pub fn new(namespace: &str, id: &str, expires_at: u64, now: u64) -> Result<Self> {
        if namespace.is_empty()
            || namespace.len() > 32
            || !namespace.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::InvalidArgument {
                what: "namespace",
                reason: "it must be 1 to 32 of a-z, 0-9 and _ (state, event)",
            });
        }
        if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidArgument {
                what: "id",
                reason: "it must be 1 to 255 printable ASCII characters (a state nonce, an evt_ id)",
            });
        }
        if expires_at < now {
            return Err(Error::InvalidArgument {
                what: "expires_at",
                reason: "it must not be before now: an expired entry protects nothing (its token is refused anyway)",
            });
        }
        // Through the last second, plus the clocks' grace.
        let ttl_secs = expires_at.saturating_sub(now).saturating_add(1).saturating_add(CLOCK_GRACE_SECS);
        Ok(Self { namespace: namespace.to_owned(), id: id.to_owned(), expires_at, ttl_secs })
    }

    /// The namespace.
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The last Unix second the entry must stand (its token's expiry).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Seconds a key-value store keeps the entry, from now: through its last second, plus
    /// [`CLOCK_GRACE_SECS`].
    #[must_use]
    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// The Redis (or key-value store) key: `prefix`, the namespace, `:`, the id. The prefix
    /// is at most 64 printable ASCII bytes; it may be empty.
    ///
    /// # Errors
    /// `invalid_argument` for another prefix.
    pub fn key(&self, prefix: &str) -> Result<String> {
        if prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidArgument {
                what: "prefix",
                reason: "it must be at most 64 printable ASCII characters",
            });
        }
        Ok(format!("{prefix}{}:{}", self.namespace, self.id))
    }
}

/// How a PostgreSQL driver writes parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholders {
    /// `$1, $2, …` (node-postgres).
    Dollar,
    /// `%s` (psycopg).
    Percent,
}

impl Placeholders {
    /// Parses `"dollar"` or `"percent"`.
    ///
    /// # Errors
    /// `invalid_argument` for another string.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "dollar" => Ok(Self::Dollar),
            "percent" => Ok(Self::Percent),
            _ => Err(Error::InvalidArgument {
                what: "placeholders",
                reason: "use dollar ($1: node-postgres) or percent (%s: psycopg)",
            }),
        }
    }

    fn nth(self, n: u8) -> String {
        match self {
            Self::Dollar => format!("${n}"),
            Self::Percent => "%s".to_owned(),
        }
    }
}

/// The statements a PostgreSQL store runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostgresStatements {
    /// Creates the table if it does not exist (no parameters).
    pub create: String,
    /// Records an entry: parameters namespace, id, expires_at, now. Returns one row the first
    /// time (or when the old entry has expired: `expires_at < now`), none while it stands.
    /// Atomic: concurrent calls for one entry return one row between them.
    pub consume: String,
    /// Deletes entries expired for longer than [`CLOCK_GRACE_SECS`]: parameter now.
    pub prune: String,
    /// Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on):
    /// parameters namespace, id.
    pub release: String,
    /// Moves an entry's expiry (an event claimed for a short lease, kept once handled):
    /// parameters namespace, id, expires_at.
    pub extend: String,
}

/// The statements of a PostgreSQL store on `table` (1 to 63 of `a-z`, `0-9`, `_`, not
/// starting with a digit: it is written into the SQL, so it is never user input).
///
/// ```
/// use stripe_handshake::one_time::{postgres_statements, Placeholders};
/// let s = postgres_statements("stripe_handshake_one_time", Placeholders::Dollar).unwrap();
/// assert!(s.consume.contains("ON CONFLICT (namespace, id) DO UPDATE"));
/// assert!(s.consume.ends_with("RETURNING 1"));
/// assert!(postgres_statements("t; DROP TABLE x", Placeholders::Dollar).is_err());
/// ```
///
/// # Errors
/// `invalid_argument` for another table name.
pub fn postgres_statements(table: &str, p: Placeholders) -> Result<PostgresStatements> {
    let ok = !table.is_empty()
        && table.len() <= 63
        && !table.starts_with(|c: char| c.is_ascii_digit())
        && table.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(Error::InvalidArgument {
            what: "table",
            reason: "it must be 1 to 63 of a-z, 0-9 and _, not starting with a digit",
        });
    }
    let [a, b, c, d] = [p.nth(1), p.nth(2), p.nth(3), p.nth(4)];
    Ok(PostgresStatements {
        create: format!(
            "CREATE TABLE IF NOT EXISTS {table} (namespace text NOT NULL, id text NOT NULL, \
             expires_at bigint NOT NULL, PRIMARY KEY (namespace, id))"
        ),
        consume: format!(
            "INSERT INTO {table} AS t (namespace, id, expires_at) VALUES ({a}, {b}, {c}) \
             ON CONFLICT (namespace, id) DO UPDATE SET expires_at = EXCLUDED.expires_at \
             WHERE t.expires_at < {d} RETURNING 1"
        ),
        prune: format!("DELETE FROM {table} WHERE expires_at + {CLOCK_GRACE_SECS} < {a}", a = p.nth(1)),
        release: format!("DELETE FROM {table} WHERE namespace = {a} AND id = {b}", a = p.nth(1), b = p.nth(2)),
        // The parameters in the order they appear (psycopg's %s are positional).
        extend: format!(
            "UPDATE {table} AS t SET expires_at = v.e FROM (VALUES ({a}, {b}, {c}::bigint)) AS v(n, i, e) \
             WHERE t.namespace = v.n AND t.id = v.i",
            a = p.nth(1),
            b = p.nth(2),
            c = p.nth(3)
        ),
    })
}

/// What a store's answer means for an entry of `namespace`: `Some(true)` is the first time;
/// `Some(false)` is a state nonce used again ([`Error::StateReplayed`]), a Marketplace
/// authorization's code used again ([`Error::CodeReplayed`]) or, for other namespaces (event
/// ids), a duplicate to acknowledge and skip (`Ok(false)`); `None` (the
/// store failed, or answered something that is not a boolean) is
/// [`Error::StoreUnavailable`].
///
/// ```
/// use stripe_handshake::one_time::outcome;
/// assert_eq!(outcome(Some(true), "state"), Ok(true));
/// assert_eq!(outcome(Some(false), "state").unwrap_err().code(), "state_replayed");
/// assert_eq!(outcome(Some(false), "code").unwrap_err().code(), "code_replayed");
/// assert_eq!(outcome(Some(false), "event"), Ok(false));
/// assert_eq!(outcome(None, "event").unwrap_err().code(), "store_unavailable");
/// ```
///
/// # Errors
/// As above.
pub fn outcome(answer: Option<bool>, namespace: &str) -> Result<bool> {
    match answer {
        Some(true) => Ok(true),
        Some(false) if namespace == STATE => Err(Error::StateReplayed),
        Some(false) if namespace == CODE => Err(Error::CodeReplayed),
        Some(false) => Ok(false),
        None => Err(Error::StoreUnavailable { reason: "it failed or gave an answer that is not true or false" }),
    }
}

/// The one-time id of an authorization code: its SHA-256 in lowercase hex. A store keeps this,
/// never the code: a code is a credential until it is exchanged, and a store is read by more
/// people than the code should be.
///
/// ```
/// use stripe_handshake::one_time::code_id;
/// assert_eq!(code_id("ac_1"), "cb4166b90e8b02da9b1b633932172f036b46eb8581bd1502572010393ddf3f0f");
/// ```
#[must_use]
pub fn code_id(code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(code.as_bytes()))
}
