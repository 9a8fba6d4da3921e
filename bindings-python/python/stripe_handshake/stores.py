"""One-time stores: record a state token's nonce, or a webhook event's id, once, across
processes and servers, and forget it when it expires. The contract is one method::

    consume(namespace, id, expires_at) -> bool

``True`` the first time; ``False`` while an unexpired entry stands; atomic (check-and-set in one
operation); raises :class:`~stripe_handshake.errors.StoreError` (code ``store_unavailable``) when
it cannot answer, never a silent ``True``.

The core checks every entry and names its key (``one_time_entry``), holds the SQL
(``postgres_statements``) and decides what a failure is (``one_time_outcome``): these classes
only move the bytes to Redis, PostgreSQL or a dict. The clients are yours (redis-py, psycopg 3),
so the package has no database dependency; give them timeouts (redis-py ``socket_timeout``,
psycopg ``connect_timeout`` and ``options="-c statement_timeout=5000"``) so an outage is an error
rather than a wait.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, ContextManager, Dict, Optional, Protocol, Tuple

from . import _native
from .errors import InternalError, InvalidInputError, StoreError, StripeHandshakeError

__all__ = ["OneTimeStore", "MemoryStore", "RedisStore", "PostgresStore"]

Clock = Callable[[], int]


def _now() -> int:
    return int(time.time())


class OneTimeStore(Protocol):
    """What the verifiers and adapters need from a store (write your own with
    ``one_time_entry`` and ``one_time_outcome``)."""

    def consume(self, namespace: str, id: str, expires_at: int) -> bool: ...


def _unavailable(namespace: str, cause: Optional[BaseException] = None) -> StripeHandshakeError:
    """The typed StoreError the core makes for a store that failed, chained to the failure."""
    try:
        _native.one_time_outcome(None, namespace=namespace)
    except StoreError as e:
        e.__cause__ = cause
        return e
    return InternalError("internal error in stripe-handshake (a store failure was not refused); please report it")


def _positive(value: Optional[int], name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(f"{name}: it must be a positive whole number", "invalid_argument", "invalid_input")
    return value


class MemoryStore:
    """In one process's memory, for tests and a single server; thread-safe. Bounded (default
    100,000 entries): expired entries are swept as it grows, and when ``max_entries`` unexpired
    entries stand, ``consume`` raises StoreError rather than forget one (that would let a replay
    through)."""

    def __init__(self, *, max_entries: Optional[int] = None, clock: Optional[Clock] = None) -> None:
        self._max = _positive(max_entries, "max_entries", 100_000)
        self._clock = clock or _now
        self._entries: Dict[str, int] = {}
        self._since_sweep = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        t = self._clock()
        key = _native.one_time_entry(namespace, id, expires_at, now=t, prefix="").key
        with self._lock:
            until = self._entries.get(key)
            if until is not None and until > t:
                return False
            if until is None:
                self._since_sweep += 1
                if len(self._entries) >= self._max or self._since_sweep >= max(1024, len(self._entries) // 4):
                    self._entries = {k: u for k, u in self._entries.items() if u > t}
                    self._since_sweep = 0
                    if len(self._entries) >= self._max:
                        raise _unavailable(namespace)
            self._entries[key] = expires_at
            return True


class RedisStore:
    """Redis: ``SET key 1 NX EXAT expires_at``, one atomic command; Redis drops the key at its
    expiry. ``client`` is a redis-py ``Redis`` (or anything with its ``set``)."""

    def __init__(self, client: Any, *, prefix: Optional[str] = None, clock: Optional[Clock] = None) -> None:
        if not callable(getattr(client, "set", None)):
            raise InvalidInputError("client: pass a redis-py client", "invalid_argument", "invalid_input")
        self._client = client
        self._prefix = prefix
        self._clock = clock or _now

    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        key = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix=self._prefix).key
        try:
            reply = self._client.set(key, "1", nx=True, exat=expires_at)
        except Exception as e:  # the client's own errors (ConnectionError, TimeoutError, ...)
            raise _unavailable(namespace, e) from e
        if reply is True:
            return True
        if reply is None:
            return False
        raise _unavailable(namespace)  # another reply: not a Redis SET answer


class PostgresStore:
    """PostgreSQL: one ``INSERT ... ON CONFLICT ... DO UPDATE ... WHERE expired RETURNING`` per
    consume, atomic under concurrency; every ``prune_every`` consumes it deletes expired rows.

    ``connect`` returns a context manager that yields a psycopg 3 connection and commits on
    exit: a pool's ``pool.connection``, or ``lambda: psycopg.connect(dsn)``. Call ``init()`` once
    to create the table.
    """

    def __init__(
        self,
        connect: Callable[[], ContextManager[Any]],
        *,
        table: Optional[str] = None,
        clock: Optional[Clock] = None,
        prune_every: Optional[int] = None,
    ) -> None:
        if not callable(connect):
            raise InvalidInputError("connect: pass pool.connection or a function that connects", "invalid_argument", "invalid_input")
        self._connect = connect
        self._sql = _native.postgres_statements(table=table, placeholders="percent")
        self._clock = clock or _now
        self._prune_every = _positive(prune_every, "prune_every", 1000)
        self._count = 0
        self._lock = threading.Lock()

    def _run(self, namespace: str, sql: str, params: Tuple[object, ...] = ()) -> int:
        try:
            with self._connect() as conn:
                rowcount: int = conn.execute(sql, params).rowcount
                return rowcount
        except StripeHandshakeError:
            raise
        except Exception as e:  # psycopg.OperationalError and the like
            raise _unavailable(namespace, e) from e

    def init(self) -> None:
        """Creates the table if it does not exist."""
        self._run("state", self._sql.create)

    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        t = self._clock()
        _native.one_time_entry(namespace, id, expires_at, now=t)
        n = self._run(namespace, self._sql.consume, (namespace, id, expires_at, t))
        with self._lock:
            self._count += 1
            due = self._count >= self._prune_every
        if due:
            self.prune()
        if n == 1:
            return True
        if n == 0:
            return False
        raise _unavailable(namespace)

    def prune(self) -> int:
        """Deletes expired entries; returns how many."""
        with self._lock:
            self._count = 0
        return self._run("state", self._sql.prune, (self._clock(),))
