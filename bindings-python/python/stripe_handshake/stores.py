"""One-time stores: record a state token's nonce, or a webhook event's id, once, across
processes and servers, and forget it when it expires. The contract is one method::

    consume(namespace, id, expires_at) -> bool

``True`` the first time; ``False`` while the entry stands (through its last second,
``expires_at``); atomic (check-and-set in one operation); raises
:class:`~stripe_handshake.errors.StoreError` (code ``store_unavailable``) when it cannot answer,
never a silent ``True``. A timeout is ambiguous (the write may still land): the caller refuses,
which is the safe side for a state token.

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
from typing import Any, AsyncContextManager, Callable, Dict, Optional, Protocol, Tuple

from . import _native
from .errors import InternalError, InvalidInputError, StoreError, StripeHandshakeError

__all__ = ["OneTimeStore", "AsyncOneTimeStore", "MemoryStore", "RedisStore", "PostgresStore", "AsyncRedisStore", "AsyncPostgresStore"]

Clock = Callable[[], int]


def _now() -> int:
    return int(time.time())


class OneTimeStore(Protocol):
    """What the verifiers and adapters need from a store (write your own with
    ``one_time_entry`` and ``one_time_outcome``). The webhook adapters also call ``release``
    when a store has it: an event whose handler failed is forgotten, so Stripe's retry is acted on."""

    def consume(self, namespace: str, id: str, expires_at: int) -> bool: ...


class AsyncOneTimeStore(Protocol):
    """An async store (``AsyncRedisStore``, ``AsyncPostgresStore``): the same contract, awaited.
    For the async webhook adapter and the flows' ``finish_async``."""

    async def consume(self, namespace: str, id: str, expires_at: int) -> bool: ...


def _summary(e: BaseException) -> Exception:
    """What a failed store's own error says, without what it carried: its class only (a client's
    error can hold the command and its arguments, and the key holds a nonce not yet used)."""
    return ConnectionError(f"the store failed: {type(e).__name__}")


def _unavailable(namespace: str, cause: Optional[BaseException] = None) -> StripeHandshakeError:
    """The typed StoreError the core makes for a store that failed, chained to a summary of the
    failure."""
    try:
        _native.one_time_outcome(None, namespace=namespace)
    except StoreError as e:
        e.__cause__ = None if cause is None else _summary(cause)
        e.__suppress_context__ = True
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
    through). Anyone who can start a flow can add entries: size it for the traffic, rate-limit
    the flows, or use a shared store."""

    def __init__(self, *, max_entries: Optional[int] = None, clock: Optional[Clock] = None) -> None:
        self._max = _positive(max_entries, "max_entries", 100_000)
        self._clock = clock or _now
        self._entries: Dict[str, int] = {}
        self._since_sweep = 0
        self._earliest: Optional[int] = None  # the soonest expiry: a sweep before it finds nothing
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        t = self._clock()
        key = _native.one_time_entry(namespace, id, expires_at, now=t, prefix="").key
        with self._lock:
            until = self._entries.get(key)
            if until is not None and until >= t:  # it stands through its last second
                return False
            if until is None:
                self._since_sweep += 1
                if len(self._entries) >= self._max or self._since_sweep >= max(1024, len(self._entries) // 4):
                    if self._earliest is not None and self._earliest < t:
                        self._entries = {k: u for k, u in self._entries.items() if u >= t}
                        self._earliest = min(self._entries.values(), default=None)
                    self._since_sweep = 0
                    if len(self._entries) >= self._max:
                        raise _unavailable(namespace)
            self._entries[key] = expires_at
            if self._earliest is None or expires_at < self._earliest:
                self._earliest = expires_at
            return True

    def release(self, namespace: str, id: str) -> None:
        """Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on)."""
        key = _native.one_time_entry(namespace, id, 2**53 - 1, now=0, prefix="").key
        with self._lock:
            self._entries.pop(key, None)

    def extend(self, namespace: str, id: str, expires_at: int) -> None:
        """Moves an entry's expiry, if it stands (a lease made final once its event was handled)."""
        key = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix="").key
        with self._lock:
            if key in self._entries:
                self._entries[key] = expires_at


def _set_nx_answer(reply: object, namespace: str) -> bool:
    """What redis-py's ``SET NX`` gives: True (set: the first time) or None (it stood)."""
    if reply is True:
        return True
    if reply is None:
        return False
    raise _unavailable(namespace)  # another reply: not a Redis SET answer


def _rowcount_answer(n: int, namespace: str) -> bool:
    """What the consume statement's row count means: 1 the first time, 0 while the entry stands."""
    if n not in (0, 1):
        raise _unavailable(namespace)
    return n == 1


class _PruneCounter:
    """Counts consumes; says when a prune is due (every ``every``)."""

    def __init__(self, every: Optional[int]) -> None:
        self._every = _positive(every, "prune_every", 1000)
        self._count = 0
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            self._count += 1
            return self._count >= self._every

    def reset(self) -> None:
        with self._lock:
            self._count = 0


class _RedisOptions:
    """What the Redis stores share: the client (anything with redis-py's ``set``), the key
    prefix, the clock the TTL is counted from."""

    _CLIENT = "a Redis client"

    def __init__(self, client: Any, *, prefix: Optional[str] = None, clock: Optional[Clock] = None) -> None:
        if not callable(getattr(client, "set", None)):
            raise InvalidInputError(f"client: pass {self._CLIENT}", "invalid_argument", "invalid_input")
        self._client = client
        self._prefix = prefix
        self._clock = clock or _now


class RedisStore(_RedisOptions):
    """Redis: ``SET key 1 NX EX ttl``, one atomic command, the TTL counted from this process's
    clock (plus a grace for clocks). ``client`` is a redis-py ``Redis`` (or anything with its
    ``set``). Run Redis with ``maxmemory-policy noeviction``: an evicted nonce is a replay."""

    _CLIENT = "a redis-py client"


    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        entry = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix=self._prefix)
        try:
            reply = self._client.set(entry.key, "1", nx=True, ex=entry.ttl_secs)
        except Exception as e:  # the client's own errors (ConnectionError, TimeoutError, ...)
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself
        return _set_nx_answer(reply, namespace)

    def release(self, namespace: str, id: str) -> None:
        """Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on)."""
        key = _native.one_time_entry(namespace, id, 2**53 - 1, now=0, prefix=self._prefix).key
        try:
            self._client.delete(key)
        except Exception as e:
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself

    def extend(self, namespace: str, id: str, expires_at: int) -> None:
        """Moves an entry's expiry, if it stands: ``SET key 1 XX EX ttl``."""
        entry = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix=self._prefix)
        try:
            self._client.set(entry.key, "1", xx=True, ex=entry.ttl_secs)
        except Exception as e:
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself


class _PostgresOptions:
    """What the PostgreSQL stores share: how to connect, the statements (from the core), the
    clock, and when to prune."""

    def __init__(
        self,
        connect: Callable[[], Any],
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
        self._prunes = _PruneCounter(prune_every)


class PostgresStore(_PostgresOptions):
    """PostgreSQL: one ``INSERT ... ON CONFLICT ... DO UPDATE ... WHERE expired RETURNING`` per
    consume, atomic under concurrency; every ``prune_every`` consumes it deletes long-expired
    rows (a failed prune never changes an answer).

    ``connect`` returns a context manager that yields a psycopg 3 connection and commits on
    exit: a pool's ``pool.connection``, or ``lambda: psycopg.connect(dsn)``. Call ``init()`` once
    to create the table.
    """

    def _run(self, namespace: str, sql: str, params: Tuple[object, ...] = ()) -> int:
        try:
            with self._connect() as conn:
                rowcount: int = conn.execute(sql, params).rowcount
                return rowcount
        except StripeHandshakeError:
            raise
        except Exception as e:  # psycopg.OperationalError and the like
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself

    def init(self) -> None:
        """Creates the table if it does not exist."""
        self._run("state", self._sql.create)

    def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        t = self._clock()
        _native.one_time_entry(namespace, id, expires_at, now=t)
        first = _rowcount_answer(self._run(namespace, self._sql.consume, (namespace, id, expires_at, t)), namespace)
        if self._prunes.due():
            try:  # the answer stands whatever the prune does: its failure is only lost space
                self.prune()
            except StripeHandshakeError:
                pass
        return first

    def release(self, namespace: str, id: str) -> None:
        """Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on)."""
        _native.one_time_entry(namespace, id, 2**53 - 1, now=0)
        self._run(namespace, self._sql.release, (namespace, id))

    def extend(self, namespace: str, id: str, expires_at: int) -> None:
        """Moves an entry's expiry, if it stands."""
        _native.one_time_entry(namespace, id, expires_at, now=self._clock())
        self._run(namespace, self._sql.extend, (namespace, id, expires_at))

    def prune(self) -> int:
        """Deletes entries expired for longer than the clocks' grace (300 s); returns how many."""
        self._prunes.reset()
        return self._run("state", self._sql.prune, (self._clock(),))


class AsyncRedisStore(_RedisOptions):
    """:class:`RedisStore` for asyncio: the same commands, awaited, with a ``redis.asyncio``
    client. For the async webhook adapter (``starlette_webhook``) and the flows' ``finish_async``;
    the synchronous checks need a synchronous store."""

    _CLIENT = "a redis.asyncio client"


    async def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        entry = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix=self._prefix)
        try:
            reply = await self._client.set(entry.key, "1", nx=True, ex=entry.ttl_secs)
        except Exception as e:  # the client's own errors (ConnectionError, TimeoutError, ...)
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself
        return _set_nx_answer(reply, namespace)

    async def release(self, namespace: str, id: str) -> None:
        """Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on)."""
        key = _native.one_time_entry(namespace, id, 2**53 - 1, now=0, prefix=self._prefix).key
        try:
            await self._client.delete(key)
        except Exception as e:
            raise _unavailable(namespace, e)

    async def extend(self, namespace: str, id: str, expires_at: int) -> None:
        """Moves an entry's expiry, if it stands: ``SET key 1 XX EX ttl``."""
        entry = _native.one_time_entry(namespace, id, expires_at, now=self._clock(), prefix=self._prefix)
        try:
            await self._client.set(entry.key, "1", xx=True, ex=entry.ttl_secs)
        except Exception as e:
            raise _unavailable(namespace, e)


class AsyncPostgresStore(_PostgresOptions):
    """:class:`PostgresStore` for asyncio: the same statements, awaited. ``connect`` returns an
    async context manager that yields a psycopg 3 ``AsyncConnection`` and commits on exit: an
    ``AsyncConnectionPool``'s ``pool.connection``, or ``lambda: psycopg.AsyncConnection.connect(dsn)``
    (a coroutine of a connection, awaited, then used as its context manager). Call ``await init()``
    once to create the table."""

    async def _run(self, namespace: str, sql: str, params: Tuple[object, ...] = ()) -> int:
        try:
            c = self._connect()
            if not hasattr(c, "__aenter__"):
                c = await c  # psycopg.AsyncConnection.connect(dsn) is a coroutine of a connection
            manager: AsyncContextManager[Any] = c
            async with manager as conn:
                rowcount: int = (await conn.execute(sql, params)).rowcount
                return rowcount
        except StripeHandshakeError:
            raise
        except Exception as e:  # psycopg.OperationalError and the like
            raise _unavailable(namespace, e)  # chained to a summary of e, never e itself

    async def init(self) -> None:
        """Creates the table if it does not exist."""
        await self._run("state", self._sql.create)

    async def consume(self, namespace: str, id: str, expires_at: int) -> bool:
        t = self._clock()
        _native.one_time_entry(namespace, id, expires_at, now=t)
        first = _rowcount_answer(await self._run(namespace, self._sql.consume, (namespace, id, expires_at, t)), namespace)
        if self._prunes.due():
            try:  # the answer stands whatever the prune does: its failure is only lost space
                await self.prune()
            except StripeHandshakeError:
                pass
        return first

    async def release(self, namespace: str, id: str) -> None:
        """Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on)."""
        _native.one_time_entry(namespace, id, 2**53 - 1, now=0)
        await self._run(namespace, self._sql.release, (namespace, id))

    async def extend(self, namespace: str, id: str, expires_at: int) -> None:
        """Moves an entry's expiry, if it stands."""
        _native.one_time_entry(namespace, id, expires_at, now=self._clock())
        await self._run(namespace, self._sql.extend, (namespace, id, expires_at))

    async def prune(self) -> int:
        """Deletes entries expired for longer than the clocks' grace (300 s); returns how many."""
        self._prunes.reset()
        return await self._run("state", self._sql.prune, (self._clock(),))
