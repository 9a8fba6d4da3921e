"""The host-level corpus (tests/vectors/host.json) through the Python binding: wrong types,
absent values, extreme numbers, lone surrogates, parsed bodies, printed credentials."""

import json
import pathlib
from typing import Any, Callable, Dict, List

import pytest

import stripe_handshake as sh
from stripe_handshake.stores import MemoryStore

DOC = json.loads((pathlib.Path(__file__).parents[2] / "tests" / "vectors" / "host.json").read_text())


class _Opaque:
    """Stands for a host object of another class (a URL, URLSearchParams, a Date)."""


def decode(v: Any) -> Any:
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "$bytes" in v:
        return bytes.fromhex(v["$bytes"])
    if "$undefined" in v:
        return None
    if "$float" in v:
        return float(v["$float"])
    if "$bigint" in v:
        return int(v["$bigint"])
    if "$lone_surrogate" in v:
        return v["$lone_surrogate"] + "\ud800"
    if "$function" in v:
        return lambda: None
    if "$object" in v:
        return _Opaque()
    return {k: decode(x) for k, x in v.items()}


def plain(r: Any) -> Any:
    if isinstance(r, bytes):
        return {"$bytes": r.hex()}
    if isinstance(r, sh.RecordBase):
        return {k: plain(v) for k, v in r.items()}
    if isinstance(r, list):
        return [plain(x) for x in r]
    return r


def strings(v: Any) -> List[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [s for x in v for s in strings(x)]
    if isinstance(v, dict):
        return [s for x in v.values() for s in strings(x)]
    return []


def invoke(c: Dict[str, Any]) -> Any:
    args = decode(c["args"])
    if c["op"].startswith("Verifier."):
        v = sh.Verifier(c["secrets"])
        method: Callable[..., Any] = getattr(v, c["op"].split(".", 1)[1])
        *rest, now = args
        return method(*rest, now=now)
    kwargs: Dict[str, Any] = decode(c.get("options", {}))
    if "allow_list" in c:
        al = c["allow_list"]
        kwargs["allow_list"] = sh.RedirectAllowList(al) if isinstance(al, list) else decode(al)
    fn: Callable[..., Any] = getattr(sh, c["op"])
    return fn(*args, **kwargs)


def test_host_corpus() -> None:
    failures: List[str] = []
    for c in DOC["cases"]:
        cid = f"host:{c['id']}"
        try:
            r = invoke(c)
        except sh.StripeHandshakeError as e:
            if "error" not in c:
                failures.append(f"{cid}: expected ok, got {e.code}")
                continue
            if e.code != c["error"]:
                failures.append(f"{cid}: expected {c['error']}, got {e.code}")
            if type(e).__name__ != c["class"]:
                failures.append(f"{cid}: expected {c['class']}, got {type(e).__name__}")
            for s in strings(c["args"]) + strings(c.get("options", {})):
                if len(s) >= 8 and (s in str(e) or any(s in repr(a) for a in e.args)):
                    failures.append(f"{cid}: the message echoes an argument")
            continue
        except Exception as e:  # noqa: BLE001 - any other exception is the failure under test
            failures.append(f"{cid}: untyped {type(e).__name__}")
            continue
        if "error" in c:
            failures.append(f"{cid}: expected error {c['error']}, got {plain(r)!r}")
            continue
        if "ok" in c and plain(r) != c["ok"]:
            failures.append(f"{cid}: expected {c['ok']!r}, got {plain(r)!r}")
        if c.get("ok_type") == "string" and not isinstance(r, str):
            failures.append(f"{cid}: expected a string")
        if c.get("ok_type") == "record" and not isinstance(r, sh.RecordBase):
            failures.append(f"{cid}: expected a record")
        for secret in c.get("prints_without", []):
            if secret in repr(r) or secret in str(r):
                failures.append(f"{cid}: a printed form shows a credential")
    assert failures == []
    assert len(DOC["cases"]) >= 80


def test_code_exchange_from_the_authorized_record() -> None:
    """The code keeps its provider and its state's mode: the record is the argument."""
    apps = sh.verify_oauth_callback("code=ac_AppsCode&state=s", flow="apps_oauth", expected_state="s")
    connect = sh.verify_oauth_callback("code=ac_ConnectCode&state=s", flow="connect_oauth", expected_state="s")
    assert apps.outcome == "authorized" and connect.outcome == "authorized"
    assert sh.code_exchange_request(authorization=apps, secret_key="sk_test_1").url == "https://api.stripe.com/v1/oauth/token"
    assert sh.code_exchange_request(authorization=connect, secret_key="sk_test_1").url == "https://connect.stripe.com/oauth/token"
    with pytest.raises(sh.InvalidInputError):
        sh.code_exchange_request(authorization=apps, provider="connect", secret_key="sk_test_1")
    keys = [("k1", b"\x03" * 32)]
    state = sh.issue_state_token(keys=keys, flow="apps_oauth", session_id="s1", mode="sandbox")
    sandbox = sh.verify_oauth_callback(f"code=ac_1&state={state}", flow="apps_oauth", state_keys=keys, session_id="s1",
                                       store=MemoryStore())
    assert sandbox.outcome == "authorized"
    with pytest.raises(sh.InvalidInputError) as e:
        sh.code_exchange_request(authorization=sandbox, secret_key="sk_live_1")
    assert e.value.code == "key_mode_mismatch"
    assert sh.code_exchange_request(authorization=sandbox, secret_key="sk_test_1").method == "POST"
