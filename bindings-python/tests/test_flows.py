"""ConnectOAuthFlow and StripeAppFlow against the local Stripe emulator (tests/emulator, a Node program written from
Stripe's documents without our core): start -> consent -> callback -> one code exchange -> token;
a reload of the callback is refused before the code is sent again; another session's callback
never exchanges; a denial is its own outcome."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import stripe_handshake as sh
from stripe_handshake.flows import AppConnected, Connected, ConnectOAuthFlow, StripeAppFlow
from stripe_handshake.stores import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://127.0.0.1:9/stripe/oauth/callback"  # never fetched: the test reads the redirect


def _start(*extra: str) -> Iterator[str]:
    p = subprocess.Popen(["node", str(ROOT / "tests/emulator/cli.mjs"), "--port", "0", "--redirect", CALLBACK, *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert p.stdout is not None
    m = re.match(r"Stripe emulator on (http://127\.0\.0\.1:\d+)", p.stdout.readline())
    assert m, "the emulator did not start"
    try:
        yield m.group(1)
    finally:
        p.terminate()
        p.wait(5)


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    yield from _start()


@pytest.fixture(scope="module")
def oauth_emulator() -> Iterator[str]:
    """An emulator whose app is OAuth-type (stripe_api_access_type: oauth): redirects carry a code."""
    yield from _start("--access-type", "oauth")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def consent(emu: str, link: str, decision: str = "approve") -> str:
    page = urllib.request.urlopen(link, timeout=10).read().decode()
    action = re.search(r'action="(/consent/[\w-]+)"', page)
    assert action
    opener = urllib.request.build_opener(NoRedirect)
    data = urllib.parse.urlencode({"decision": decision}).encode()
    try:
        opener.open(urllib.request.Request(emu + action.group(1), data=data, method="POST"), timeout=10)
    except urllib.error.HTTPError as e:
        location: str = e.headers["Location"]
        return location
    raise AssertionError("no redirect")


def exchanges(emu: str) -> int:
    log = json.loads(urllib.request.urlopen(f"{emu}/_emulator/log", timeout=10).read())
    return sum(1 for c in log["codes"] if c["used"])


def keys_of(emu: str) -> Tuple[str, str]:
    out = subprocess.run(["node", "-e", "import('./tests/emulator/emulator.mjs').then(m => { const c = m.defaultConfig(); "
                          "console.log(JSON.stringify([c.platform.clientId, c.platform.secretKeys.test, c.platform.secretKeys.live])) })"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    client_id, test, live = json.loads(out)
    return client_id, test + "|" + live


@pytest.fixture(scope="module")
def platform(emulator: str) -> Tuple[str, str, str, str]:
    client_id, keys = keys_of(emulator)
    test, live = keys.split("|")
    return emulator, client_id, test, live


def make(p: Tuple[str, str, str, str], live: bool = False) -> ConnectOAuthFlow:
    emu, client_id, test, live_key = p
    return ConnectOAuthFlow(client_id=client_id, secret_key=live_key if live else test, redirect_uri=CALLBACK,
                            allow_list=sh.RedirectAllowList([CALLBACK], test_mode=True), state_keys=[("k1", bytes([4]) * 32)],
                            store=MemoryStore(), base_url=emu)


def test_start_consent_finish_then_a_reload_sends_nothing(platform: Tuple[str, str, str, str]) -> None:
    emu = platform[0]
    f = make(platform)
    callback = consent(emu, f.start(session_id="browser-1", data="/dashboard"))
    assert callback.startswith(CALLBACK + "?")
    before = exchanges(emu)
    r = f.finish(callback, session_id="browser-1")
    assert isinstance(r, Connected) and r.token.stripe_user_id.startswith("acct_") and r.state_data == "/dashboard"
    assert exchanges(emu) == before + 1
    with pytest.raises(sh.StateError) as e:
        f.finish(callback, session_id="browser-1")
    assert e.value.code == "state_replayed"
    assert exchanges(emu) == before + 1, "the code was not sent again"


def test_other_session_denial_and_options(platform: Tuple[str, str, str, str]) -> None:
    emu = platform[0]
    f = make(platform)
    callback = consent(emu, f.start(session_id="victim"))
    before = exchanges(emu)
    with pytest.raises(sh.StateError) as e:
        f.finish(callback, session_id="attacker")
    assert e.value.code == "state_session_mismatch" and exchanges(emu) == before
    assert f.finish(callback, session_id="victim").outcome == "connected"
    denied = f.finish(consent(emu, f.start(session_id="s"), "cancel"), session_id="s")
    assert (denied.outcome, getattr(denied, "kind", None)) == ("denied", "access_denied")
    live = make(platform, live=True)
    with pytest.raises(sh.OAuthError):
        live.finish(consent(emu, live.start(session_id="s")), session_id="s")
    # With the flow's mode signed into the state, the same mistake is refused before anything is sent.
    _, client_id, _, live_key = platform
    guarded = ConnectOAuthFlow(client_id=client_id, secret_key=live_key, redirect_uri=CALLBACK, mode="test",
                               allow_list=sh.RedirectAllowList([CALLBACK], test_mode=True), state_keys=[("k1", bytes([4]) * 32)],
                               store=MemoryStore(), base_url=emu)
    cb = consent(emu, guarded.start(session_id="s"))
    n = exchanges(emu)
    with pytest.raises(sh.InvalidInputError) as e2:
        guarded.finish(cb, session_id="s")
    assert e2.value.code == "key_mode_mismatch" and exchanges(emu) == n
    # A bare query (as request.query_string gives it) works like the URL.
    bare = consent(emu, f.start(session_id="q"))
    assert f.finish(urllib.parse.urlsplit(bare).query, session_id="q").outcome == "connected"
    path = urllib.parse.urlsplit(consent(emu, f.start(session_id="p")))
    assert f.finish(f"{path.path}?{path.query}", session_id="p").outcome == "connected", "a path (Flask's request.full_path)"
    raw = urllib.parse.urlsplit(consent(emu, f.start(session_id="b"))).query.encode()
    assert f.finish(raw, session_id="b").outcome == "connected", "the query's bytes (request.query_string)"
    with pytest.raises(sh.MalformedInputError):
        f.finish(b"code=ac_\xff&state=x", session_id="b")
    with pytest.raises(sh.InvalidInputError):
        ConnectOAuthFlow(client_id="ca_1", secret_key="sk_test_1", allow_list=None, state_keys=[("k1", bytes(32))], store=MemoryStore())


def config() -> Dict[str, Any]:
    out = subprocess.run(["node", "-e", "import('./tests/emulator/emulator.mjs').then(m => console.log(JSON.stringify(m.defaultConfig())))"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    c: Dict[str, Any] = json.loads(out)
    return c


def app_flow(emu: str, **options: Any) -> StripeAppFlow:
    base: Dict[str, Any] = dict(redirect_uri=CALLBACK, allow_list=sh.RedirectAllowList([CALLBACK], test_mode=True),
                                state_keys=[("k1", bytes([5]) * 32)], store=MemoryStore(), base_url=emu)
    base.update(options)
    return StripeAppFlow(**base)


def test_app_flow_install_link(emulator: str) -> None:
    c = config()
    f = app_flow(emulator, access_type="install_link", link_id=c["app"]["linkId"], secrets=c["app"]["appSecret"])
    link = f.start(session_id="browser-1", data="plan=pro")
    assert re.match(r"http://127\.0\.0\.1:\d+/apps/install/link/lnk_demo_install\?redirect_uri=", link)
    callback = consent(emulator, link)
    tampered = re.sub(r"account_id=acct_\w+", "account_id=acct_attacker", callback)
    with pytest.raises(sh.SignatureVerificationError):
        f.finish(tampered, session_id="browser-1")
    with pytest.raises(sh.StateError) as e:
        f.finish(callback, session_id="browser-2")
    assert e.value.code == "state_session_mismatch"
    r = f.finish(callback, session_id="browser-1")
    assert r.outcome == "installed"
    assert (r.account_id, r.user_id, r.state_data) == (c["account"]["id"], c["account"]["userId"], "plan=pro")
    with pytest.raises(sh.StateError) as e:
        f.finish(callback, session_id="browser-1")
    assert e.value.code == "state_replayed"
    denied = f.finish(consent(emulator, f.start(session_id="s"), "cancel"), session_id="s")
    assert (denied.outcome, getattr(denied, "kind", None)) == ("denied", "access_denied")
    market = f"{emulator}/apps/marketplace/install?app={c['app']['id']}"
    with pytest.raises(sh.StateError) as e:
        f.finish(consent(emulator, market), session_id="s")
    assert e.value.code == "state_missing"
    accepting = app_flow(emulator, access_type="install_link", link_id=c["app"]["linkId"], secrets=c["app"]["appSecret"],
                         marketplace="accept")
    m = accepting.finish(consent(emulator, market), session_id="s")
    assert (m.outcome, getattr(m, "account_id", None)) == ("marketplace_install", c["account"]["id"])
    with pytest.raises(sh.InvalidInputError):
        app_flow(emulator, access_type="install_link", link_id=c["app"]["linkId"])  # no secrets
    with pytest.raises(sh.InvalidInputError):
        app_flow(emulator, access_type="restricted_api_key")


def test_app_flow_oauth_and_a_one_time_marketplace_code(oauth_emulator: str) -> None:
    emu, c = oauth_emulator, config()
    app = c["app"]
    f = app_flow(emu, access_type="oauth", client_id=app["clientId"], secret_key=app["secretKeys"]["test"],
                 test_link_id=app["testLinkId"], mode="test")
    link = f.start(session_id="browser-1")
    assert "/oauth/v2/chnlink_demo_test/authorize?client_id=ca_DemoAppClient&redirect_uri=" in link
    callback = consent(emu, link)
    with pytest.raises(sh.StateError):
        f.finish(callback, session_id="browser-2")
    before = exchanges(emu)
    r = f.finish(callback, session_id="browser-1")
    assert isinstance(r, AppConnected) and r.outcome == "connected"
    assert (r.account_id, r.user_id) == (c["account"]["id"], c["account"]["userId"]) and r.token.refresh_token
    assert exchanges(emu) == before + 1
    with pytest.raises(sh.StateError) as e:
        f.finish(callback, session_id="browser-1")
    assert e.value.code == "state_replayed" and exchanges(emu) == before + 1
    # The Marketplace: no state, so the code is one-time, by its hash.
    store = MemoryStore()
    seen = []

    class Spy:
        def consume(self, namespace: str, id: str, expires_at: int) -> bool:
            seen.append((namespace, id))
            return store.consume(namespace, id, expires_at)

    market = app_flow(emu, access_type="oauth", client_id=app["clientId"], secret_key=app["secretKeys"]["test"],
                      marketplace="accept", store=Spy())
    mcb = consent(emu, f"{emu}/apps/marketplace/install?app={app['id']}")
    m = market.finish(mcb, session_id="s")
    assert isinstance(m, AppConnected) and m.outcome == "marketplace_connected"
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(mcb).query)["code"][0]
    assert [(ns, len(i), code in i) for ns, i in seen] == [("code", 64, False)], "the hash, never the code"
    n = exchanges(emu)
    with pytest.raises(sh.StateError) as e:
        market.finish(mcb, session_id="s")
    assert e.value.code == "code_replayed" and exchanges(emu) == n, "a reload of a Marketplace callback sends nothing"
    with pytest.raises(sh.StripeHandshakeError):
        app_flow(emu, access_type="oauth", client_id=app["clientId"], secret_key="pk_test_1")


def test_finish_async_awaits_an_async_store_and_send(emulator: str, oauth_emulator: str) -> None:
    """finish_async: an async store (AsyncRedisStore's shape) and an async send are awaited; the
    default urllib send runs in a worker thread. One exchange per code; a reload is refused."""
    import asyncio

    c = config()
    inner = MemoryStore()

    class AsyncStore:
        async def consume(self, namespace: str, id: str, expires_at: int) -> bool:
            return inner.consume(namespace, id, expires_at)

    sent: List[str] = []

    async def send(req: Any) -> Tuple[int, bytes]:
        sent.append(req.url)
        return await asyncio.to_thread(lambda: _urllib(req))

    installs = app_flow(emulator, access_type="install_link", link_id=c["app"]["linkId"], secrets=c["app"]["appSecret"], store=AsyncStore())
    callback = consent(emulator, installs.start(session_id="a"))
    oauth = app_flow(oauth_emulator, access_type="oauth", client_id=c["app"]["clientId"], secret_key=c["app"]["secretKeys"]["test"],
                     test_link_id=c["app"]["testLinkId"], store=AsyncStore(), send=send)
    oauth_cb = consent(oauth_emulator, oauth.start(session_id="a"))
    platform = ConnectOAuthFlow(client_id=c["platform"]["clientId"], secret_key=c["platform"]["secretKeys"]["test"], redirect_uri=CALLBACK,
                                allow_list=sh.RedirectAllowList([CALLBACK], test_mode=True), state_keys=[("k1", bytes([4]) * 32)],
                                store=AsyncStore(), base_url=emulator)
    connect_cb = consent(emulator, platform.start(session_id="a"))

    async def run() -> None:
        r = await installs.finish_async(callback, session_id="a")
        assert r.outcome == "installed"
        with pytest.raises(sh.StateError):
            await installs.finish_async(callback, session_id="a")
        with pytest.raises(sh.InvalidInputError):
            installs.finish(callback, session_id="a")  # the synchronous form refuses an async store, typed
        o = await oauth.finish_async(oauth_cb, session_id="a")
        assert isinstance(o, AppConnected) and o.outcome == "connected" and sent == [f"{oauth_emulator}/v1/oauth/token"]
        k = await platform.finish_async(connect_cb, session_id="a")
        assert isinstance(k, Connected) and k.token.stripe_user_id == c["account"]["id"]
        with pytest.raises(sh.StateError) as e:
            await platform.finish_async(connect_cb, session_id="a")
        assert e.value.code == "state_replayed"

    before = exchanges(emulator)
    asyncio.run(run())
    assert exchanges(emulator) == before + 1, "one Connect exchange, none for the reload"


def _urllib(req: Any) -> Tuple[int, bytes]:
    from stripe_handshake.flows import _urllib_send

    return _urllib_send(req)
