"""The one-time stores against what users run: a real Redis and a real PostgreSQL server,
started by this test on loopback (tests/services/service.sh), with redis-py and psycopg 3.
Concurrent consumes of one id yield exactly one True; expiry works; an outage is a StoreError,
never a silent accept."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import psycopg
import pytest
import redis

import stripe_handshake as sh
from stripe_handshake.stores import AsyncPostgresStore, AsyncRedisStore, MemoryStore, PostgresStore, RedisStore

SERVICE = Path(__file__).resolve().parents[2] / "tests" / "services" / "service.sh"
T = 1_700_000_000


def start(kind: str) -> Tuple[int, Callable[[], None], Callable[[], None]]:
    d = tempfile.mkdtemp(prefix=f"sh-{kind}-")
    port = int(subprocess.run(["bash", str(SERVICE), "start", kind, d], check=True, capture_output=True, text=True).stdout)

    def stop() -> None:
        subprocess.run(["bash", str(SERVICE), "stop", kind, d], check=True)

    def cleanup() -> None:
        stop()
        shutil.rmtree(d, ignore_errors=True)

    return port, stop, cleanup


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Tuple[int, Callable[[], None]]]:
    port, stop, cleanup = start("redis")
    yield port, stop
    cleanup()


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[Tuple[int, Callable[[], None]]]:
    port, stop, cleanup = start("postgres")
    yield port, stop
    cleanup()


def is_store_error(e: pytest.ExceptionInfo[BaseException]) -> bool:
    return isinstance(e.value, sh.StoreError) and e.value.code == "store_unavailable" and e.value.family == "store"


def test_memory_first_time_then_refused_until_expiry() -> None:
    t = [T]
    s = MemoryStore(clock=lambda: t[0])
    assert s.consume("state", "nonce_a", T + 600) is True
    assert s.consume("state", "nonce_a", T + 600) is False
    assert s.consume("event", "nonce_a", T + 600) is True
    s.release("event", "nonce_a")
    assert s.consume("event", "nonce_a", T + 600) is True
    s.extend("event", "nonce_a", T + 5000)
    s.extend("event", "never_claimed", T + 5000)
    t[0] = T + 4000
    assert s.consume("event", "nonce_a", T + 9000) is False
    assert s.consume("event", "never_claimed", T + 9000) is True
    t[0] = T
    assert s.consume("state", "nonce_a", T + 600) is False
    t[0] = T + 600
    assert s.consume("state", "nonce_a", T + 1200) is False  # it stands through its last second
    t[0] = T + 601
    assert s.consume("state", "nonce_a", T + 1200) is True
    with pytest.raises(sh.InvalidInputError):
        s.consume("state", "a b", T + 700)
    with pytest.raises(sh.InvalidInputError):
        s.consume("state", "n", t[0] - 1)


def test_memory_is_bounded_and_never_forgets_an_unexpired_entry() -> None:
    t = [T]
    s = MemoryStore(max_entries=3, clock=lambda: t[0])
    for i in "abc":
        assert s.consume("state", i, T + 10)
    with pytest.raises(sh.StoreError) as e:
        s.consume("state", "d", T + 10)
    assert is_store_error(e)
    assert s.consume("state", "a", T + 10) is False
    t[0] = T + 11
    assert s.consume("state", "d", T + 20) is True
    assert len(s) == 1
    with pytest.raises(sh.InvalidInputError):
        MemoryStore(max_entries=0)


def test_memory_is_one_time_across_threads() -> None:
    s = MemoryStore()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: s.consume("state", "same", int(time.time()) + 60), range(200)))
    assert answers.count(True) == 1


def test_async_redis(redis_server: Tuple[int, Callable[[], None]]) -> None:
    """AsyncRedisStore with redis.asyncio: 64 concurrent consumes of one id on 8 connections, one True."""
    import redis.asyncio as aredis

    port, _ = redis_server
    now = int(time.time())

    async def run() -> None:
        clients = [aredis.Redis(host="127.0.0.1", port=port, socket_timeout=2) for _ in range(8)]
        stores = [AsyncRedisStore(c) for c in clients]
        answers = await asyncio.gather(*(stores[i % 8].consume("state", "async_nonce", now + 600) for i in range(64)))
        assert answers.count(True) == 1
        assert 890 < await clients[0].ttl("stripe-handshake:state:async_nonce") <= 901
        assert await stores[0].consume("event", "evt_async", now + 60) is True
        await stores[1].release("event", "evt_async")
        assert await stores[0].consume("event", "evt_async", now + 60) is True
        await stores[1].extend("event", "evt_async", now + 5000)
        assert await clients[0].ttl("stripe-handshake:event:evt_async") > 5000
        dead = AsyncRedisStore(aredis.Redis(host="127.0.0.1", port=free_tcp_port(), socket_timeout=1, socket_connect_timeout=1))
        with pytest.raises(sh.StoreError) as e:
            await dead.consume("state", "outage", now + 600)
        assert is_store_error(e) and str(e.value.__cause__).startswith("the store failed: ")
        for c in clients:
            await c.aclose()

    asyncio.run(run())
    with pytest.raises(sh.InvalidInputError):
        AsyncRedisStore(object())


def free_tcp_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_async_postgres(postgres_server: Tuple[int, Callable[[], None]]) -> None:
    """AsyncPostgresStore with psycopg's AsyncConnection: concurrent consumes, expiry, prune, outage."""
    port, _ = postgres_server
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=3"
    t = [T]

    async def run() -> None:
        store = AsyncPostgresStore(lambda: psycopg.AsyncConnection.connect(dsn), clock=lambda: t[0], table="sh_async_py",
                                   prune_every=1_000_000)
        await store.init()
        answers = await asyncio.gather(*(store.consume("state", "same_nonce", T + 600) for _ in range(24)))
        assert answers.count(True) == 1
        assert await store.consume("event", "e1", T + 600) is True
        await store.release("event", "e1")
        assert await store.consume("event", "e1", T + 600) is True
        await store.extend("event", "e1", T + 700)
        t[0] = T + 601
        assert await store.consume("state", "same_nonce", T + 1200) is True  # expired: re-armed
        assert await store.consume("event", "e1", T + 1200) is False  # extended to T + 700
        t[0] = T + 1200 + 301
        assert await store.prune() == 2
        dead = AsyncPostgresStore(lambda: psycopg.AsyncConnection.connect(f"host=127.0.0.1 port={free_tcp_port()} connect_timeout=1"))
        with pytest.raises(sh.StoreError) as e:
            await dead.consume("state", "outage", int(time.time()) + 600)
        assert is_store_error(e)

    asyncio.run(run())


def test_redis(redis_server: Tuple[int, Callable[[], None]]) -> None:
    port, stop = redis_server
    clients = [redis.Redis(host="127.0.0.1", port=port, socket_timeout=2) for _ in range(8)]
    stores = [RedisStore(c) for c in clients]
    now = int(time.time())
    with ThreadPoolExecutor(16) as pool:
        answers: List[bool] = list(pool.map(lambda i: stores[i % 8].consume("state", "same_nonce", now + 600), range(64)))
    assert answers.count(True) == 1
    assert clients[0].get("stripe-handshake:state:same_nonce") == b"1"
    assert stores[0].consume("state", "released", now + 60) is True
    stores[1].release("state", "released")
    assert stores[0].consume("state", "released", now + 60) is True
    stores[1].extend("state", "released", now + 5000)
    assert clients[0].ttl("stripe-handshake:state:released") > 5000
    stores[1].extend("state", "absent", now + 5000)
    assert clients[0].exists("stripe-handshake:state:absent") == 0
    ttl = clients[0].ttl("stripe-handshake:state:same_nonce")
    assert 890 < ttl <= 901  # through the last second, plus 300 s for clocks
    assert RedisStore(clients[1], prefix="app1:").consume("state", "same_nonce", now + 600) is True
    # The TTL is counted from this process's clock, never Redis's.
    assert RedisStore(clients[2], clock=lambda: now - 1000).consume("event", "evt_clock", now + 600) is True
    assert 1890 < clients[0].ttl("stripe-handshake:event:evt_clock") <= 1901
    # Redis forgets a key at its TTL (the expiry itself is Redis's: shown with PEXPIRE).
    assert stores[0].consume("event", "evt_short", now + 60) is True
    assert stores[0].consume("event", "evt_short", now + 60) is False
    clients[0].pexpire("stripe-handshake:event:evt_short", 50)
    time.sleep(0.15)
    assert stores[0].consume("event", "evt_short", now + 60) is True

    class Broken:
        def set(self, *a: object, **k: object) -> object:
            return "OK"  # a raw reply where redis-py gives True: not an answer

    with pytest.raises(sh.StoreError) as e:
        RedisStore(Broken()).consume("state", "x", now + 60)
    assert is_store_error(e)
    with pytest.raises(sh.InvalidInputError):
        RedisStore(object())
    stop()
    with pytest.raises(sh.StoreError) as e:
        stores[3].consume("state", "after_outage", now + 600)
    assert is_store_error(e) and str(e.value.__cause__).startswith("the store failed: ")


def test_postgres(postgres_server: Tuple[int, Callable[[], None]]) -> None:
    port, stop = postgres_server
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=3"
    t = [T]
    store = PostgresStore(lambda: psycopg.connect(dsn), clock=lambda: t[0], prune_every=1_000_000)
    store.init()
    store.init()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: store.consume("state", "same_nonce", T + 600), range(48)))
    assert answers.count(True) == 1
    assert store.consume("event", "same_nonce", T + 600) is True
    store.release("event", "same_nonce")
    assert store.consume("event", "same_nonce", T + 600) is True
    assert store.consume("event", "extended", T + 600) is True
    store.extend("event", "extended", T + 700)
    with psycopg.connect(dsn) as conn:
        ext = conn.execute("SELECT expires_at FROM stripe_handshake_one_time WHERE namespace = 'event' AND id = 'extended'").fetchone()
    assert ext is not None and ext[0] == T + 700
    store.release("event", "extended")
    assert store.consume("state", "same_nonce", T + 600) is False
    t[0] = T + 600
    assert store.consume("state", "same_nonce", T + 1200) is False  # it stands through its last second
    t[0] = T + 601
    assert store.consume("state", "same_nonce", T + 1200) is True
    assert store.consume("state", "same_nonce", T + 1200) is False
    for i in range(20):
        store.consume("event", f"evt_{i}", t[0] + 5)
    t[0] += 6
    assert store.prune() == 0  # expired, but within the clocks' grace
    t[0] += 300
    assert store.prune() == 21
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM stripe_handshake_one_time").fetchone()
    assert row is not None and row[0] == 1
    pruning = PostgresStore(lambda: psycopg.connect(dsn), clock=lambda: t[0], prune_every=3, table="sh_pruning_py")
    pruning.init()
    pruning.consume("event", "a", t[0] + 1)
    t[0] += 302
    pruning.consume("event", "b", t[0] + 1)
    pruning.consume("event", "c", t[0] + 1)
    with psycopg.connect(dsn) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM sh_pruning_py ORDER BY id").fetchall()]
    assert ids == ["b", "c"]
    with pytest.raises(sh.InvalidInputError):
        PostgresStore(lambda: psycopg.connect(dsn), table="x; DROP TABLE y")
    stop()
    with pytest.raises(sh.StoreError) as e:
        store.consume("state", "after_outage", t[0] + 600)
    assert is_store_error(e) and str(e.value.__cause__).startswith("the store failed: ")
