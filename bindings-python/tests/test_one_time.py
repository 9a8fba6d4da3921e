"""State tokens are one-time by default: a verifier given state keys needs a store (the nonce is
consumed before the result is returned) or the explicit ``replay="unchecked"``. A reload of the
callback page is then state_replayed, a broken or failing store a StoreError, and a refused
callback never burns the nonce (or an attacker could spend the victim's link)."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import quote

import pytest

import stripe_handshake as sh
from stripe_handshake.stores import MemoryStore

KEYS = [{"id": "k1", "key": bytes([9]) * 32}]
SESSION = "session-1"
BASE: Dict[str, Any] = {"flow": "connect_oauth", "state_keys": KEYS, "session_id": SESSION}


def token(flow: str = "connect_oauth") -> str:
    return sh.issue_state_token(keys=KEYS, flow=flow, session_id=SESSION)


def query(state: str) -> str:
    return f"code=ac_OneTime&scope=read_write&state={quote(state, safe='')}"


class Recording:
    def __init__(self, answer: Callable[[List[Tuple[str, str, int]]], Any] = lambda calls: len(calls) == 1) -> None:
        self.calls: List[Tuple[str, str, int]] = []
        self.answer = answer

    def consume(self, namespace: str, id: str, expires_at: int) -> Any:
        self.calls.append((namespace, id, expires_at))
        return self.answer(self.calls)


def test_state_keys_without_a_store_or_replay_are_refused() -> None:
    with pytest.raises(sh.InvalidInputError) as e:
        sh.verify_oauth_callback(query(token()), **BASE)
    assert e.value.code == "invalid_argument" and "store" in e.value.message
    assert sh.verify_oauth_callback(query(token()), **BASE, replay="unchecked").outcome == "authorized"
    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query(token()), **BASE, replay="yes")  # type: ignore[arg-type]
    assert sh.verify_oauth_callback(query("plain"), flow="connect_oauth", expected_state="plain").outcome == "authorized"
    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query("plain"), flow="connect_oauth", expected_state="plain", store=MemoryStore())


def test_with_a_store_the_first_use_passes_and_a_reload_is_replayed() -> None:
    store = MemoryStore()
    t = token()
    r = sh.verify_oauth_callback(query(t), **BASE, store=store)
    assert r.outcome == "authorized" and r.code == "ac_OneTime"
    assert r.state_expires_at is not None and r.state_expires_at > time.time() + 590
    with pytest.raises(sh.StateError) as e:
        sh.verify_oauth_callback(query(t), **BASE, store=store)
    assert e.value.code == "state_replayed"
    rec = Recording()
    sh.verify_oauth_callback(query(t), **BASE, store=rec)
    assert rec.calls == [("state", r.state_nonce, r.state_expires_at)]


def test_a_refused_callback_does_not_burn_the_nonce() -> None:
    rec = Recording()
    t = token()
    with pytest.raises(sh.StateError) as e:
        sh.verify_oauth_callback(query(t), **{**BASE, "session_id": "attacker"}, store=rec)
    assert e.value.code == "state_session_mismatch"
    with pytest.raises(sh.StateError):
        # (a random token ends in "AA" once in 4,096 runs: then tamper with "BB")
        sh.verify_oauth_callback(query(t[:-2] + ("AA" if t[-2:] != "AA" else "BB")), **BASE, store=rec)
    assert sh.verify_oauth_callback(f"error=access_denied&state={t}", **BASE, store=rec).outcome == "denied"
    assert rec.calls == []
    assert sh.verify_oauth_callback(query(t), **BASE, store=rec).outcome == "authorized"


def test_a_failing_or_broken_store_is_a_store_error() -> None:
    boom = ConnectionError("ECONNREFUSED")

    def fail(calls: object) -> Any:
        raise boom

    with pytest.raises(sh.StoreError) as e:
        sh.verify_oauth_callback(query(token()), **BASE, store=Recording(fail))
    assert e.value.code == "store_unavailable" and str(e.value.__cause__) == "the store failed: ConnectionError"
    answers: List[object] = ["OK", 1, None, {}]
    for answer in answers:
        with pytest.raises(sh.StoreError):
            sh.verify_oauth_callback(query(token()), **BASE, store=Recording(lambda calls: answer))  # noqa: B023
    for store in [object(), True, "redis://x", 5]:
        with pytest.raises(sh.InvalidInputError):
            sh.verify_oauth_callback(query(token()), **BASE, store=store)  # type: ignore[arg-type]
    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query(token()), **BASE, store=MemoryStore(), replay="unchecked")


def test_every_verifier_of_state_tokens_is_one_time() -> None:
    store = MemoryStore()
    now = int(time.time())
    state = token("install_link")
    sig = sh.sign_header(sh.install_payload(state=state, user_id="usr_1", account_id="acct_1"), "absec_one_time", now)
    install = f"user_id=usr_1&account_id=acct_1&state={quote(state, safe='')}&install_signature={quote(sig, safe='')}"
    io: Dict[str, Any] = {"secrets": "absec_one_time", "state_keys": KEYS, "session_id": SESSION, "store": store}
    assert sh.verify_install_callback(install, **io).outcome == "installed"
    with pytest.raises(sh.StateError):
        sh.verify_install_callback(install, **io)
    apps = f"code=ac_1&user_id=usr_1&account_id=acct_1&state={quote(token('apps_oauth'), safe='')}"
    assert sh.verify_app_callback(apps, access_type="oauth", state_keys=KEYS, session_id=SESSION, store=store).outcome == "authorized"
    with pytest.raises(sh.StateError):
        sh.verify_app_callback(apps, access_type="oauth", state_keys=KEYS, session_id=SESSION, store=store)
    link = sh.issue_state_token(keys=KEYS, flow="account_link", session_id=SESSION, data="acct_1", ttl_secs=86400)
    q = f"state={quote(link, safe='')}"
    assert sh.verify_account_link_callback(q, kind="return", state_keys=KEYS, session_id=SESSION, store=store).account_id == "acct_1"
    with pytest.raises(sh.StateError):
        sh.verify_account_link_callback(q, kind="return", state_keys=KEYS, session_id=SESSION, store=store)
    t = token()
    assert sh.verify_state_token(t, keys=KEYS, session_id=SESSION, flow="connect_oauth", store=store).flow == "connect_oauth"
    with pytest.raises(sh.StateError):
        sh.verify_state_token(t, keys=KEYS, session_id=SESSION, flow="connect_oauth", store=store)
    with pytest.raises(sh.InvalidInputError):
        sh.verify_state_token(t, keys=KEYS, session_id=SESSION, flow="connect_oauth")


def test_the_wrapped_functions_are_the_schemas_one_time_operations() -> None:
    import json

    schema = json.loads(sh._native.schema())
    ops = {op["name"] for op in schema["ops"] if op.get("one_time")}
    assert ops == set(sh.records.ONE_TIME)
    for name in ops:
        assert getattr(sh, name).__wrapped__ is getattr(sh._native, name)


def test_a_store_cannot_be_forged() -> None:
    # A boolean (or any non-store) reaches the core, which refuses it by name: by keyword or in
    # options given positionally.
    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query(token()), **BASE, store=True)  # type: ignore[arg-type]
    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query(token()), {**BASE, "store": True})  # type: ignore[arg-type,call-arg]
    with pytest.raises(sh.InvalidInputError):
        sh._native.verify_oauth_callback(query(token()), **BASE, store=MemoryStore())
    # A real store in positional options is consumed like a keyword one.
    rec = Recording()
    t = token()
    assert sh.verify_oauth_callback(query(t), {**BASE, "store": rec}).outcome == "authorized"  # type: ignore[arg-type,call-arg]
    assert len(rec.calls) == 1
    with pytest.raises(sh.StateError):
        sh.verify_oauth_callback(query(t), {**BASE, "store": rec})  # type: ignore[arg-type,call-arg]


def test_a_failed_store_names_its_class_not_what_it_carried() -> None:
    class Leaky:
        def consume(self, namespace: str, id: str, expires_at: int) -> bool:
            raise RuntimeError(f"ERR while writing stripe-handshake:state:{id}")

    with pytest.raises(sh.StoreError) as e:
        sh.verify_oauth_callback(query(token()), **BASE, store=Leaky())
    assert str(e.value.__cause__) == "the store failed: RuntimeError"
    import traceback

    assert "stripe-handshake:state:" not in "".join(traceback.format_exception(e.value))



def test_a_marketplace_authorization_consumes_its_code_by_hash() -> None:
    """An OAuth-type app's Marketplace install has no state: its code is one-time (namespace code,
    its SHA-256: never the code), so a reload is code_replayed, not a second exchange."""
    import hashlib

    q = "code=ac_Market1&user_id=usr_1&account_id=acct_1"
    with pytest.raises(sh.InvalidInputError) as e:
        sh.verify_app_callback(q, access_type="oauth", marketplace="accept")
    assert e.value.code == "invalid_argument" and "store" in e.value.message
    rec = Recording()
    r = sh.verify_app_callback(q, access_type="oauth", marketplace="accept", store=rec)
    assert r.outcome == "marketplace_authorized"
    assert rec.calls == [("code", hashlib.sha256(b"ac_Market1").hexdigest(), r.code_expires_at)]
    assert abs(r.code_expires_at - (time.time() + 300)) <= 2
    store = MemoryStore()
    sh.verify_app_callback(q, access_type="oauth", marketplace="accept", store=store)
    with pytest.raises(sh.StateError) as e2:
        sh.verify_app_callback(q, access_type="oauth", marketplace="accept", store=store)
    assert e2.value.code == "code_replayed"


def test_an_async_store_cannot_answer_a_synchronous_check() -> None:
    """A synchronous check with an async store is refused, typed, before anything is consumed."""
    inner = MemoryStore()

    class AsyncStore:
        async def consume(self, namespace: str, id: str, expires_at: int) -> bool:
            return inner.consume(namespace, id, expires_at)

    t = token()
    with pytest.raises(sh.InvalidInputError) as e:
        sh.verify_oauth_callback(query(t), **BASE, store=AsyncStore())  # type: ignore[arg-type]
    assert e.value.code == "invalid_argument" and "finish_async" in e.value.message
    assert len(inner) == 0

    class Sneaky:  # a plain method that returns a coroutine
        def consume(self, namespace: str, id: str, expires_at: int) -> Any:
            return AsyncStore().consume(namespace, id, expires_at)

    with pytest.raises(sh.InvalidInputError):
        sh.verify_oauth_callback(query(t), **BASE, store=Sneaky())
    assert len(inner) == 0, "the coroutine was closed, never run"
    assert sh.verify_oauth_callback(query(t), **BASE, store=inner).outcome == "authorized", "the nonce is still unused"
