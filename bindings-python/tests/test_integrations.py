"""The README's integrations, run as users run them: examples/flask_integration.py under Werkzeug's
server and examples/fastapi_integration.py under uvicorn, each driven over real HTTP against the
local Stripe emulator (a Node program written from Stripe's documents without our core): an
install for this browser; another browser's callback, a reload and a tampered account refused with
their codes; a cancel; the emulator's signed webhook acted on; a forged one (signed by the stripe
package with another secret) refused."""

from __future__ import annotations

import base64
import http.cookiejar
import importlib.util
import json
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import stripe
import uvicorn
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WEBHOOK_SECRET = "whsec_integration_test_secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def config() -> Dict[str, Any]:
    out = subprocess.run(["node", "-e", "import('./tests/emulator/emulator.mjs').then(m => console.log(JSON.stringify(m.defaultConfig())))"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    c: Dict[str, Any] = json.loads(out)
    return c


@pytest.fixture(scope="module")
def apps(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Tuple[str, Dict[str, str], Dict[str, Any]]]:
    """The emulator and both apps: {name: url}, with the emulator's webhooks sent to each."""
    c = config()
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in ("flask", "fastapi")}
    args = ["node", str(ROOT / "tests/emulator/cli.mjs"), "--port", "0"]
    for url in urls.values():
        args += ["--redirect", f"{url}/stripe/callback", "--webhook", f"{url}/stripe/webhook={WEBHOOK_SECRET}"]
    emu = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert emu.stdout is not None
    m = re.match(r"Stripe emulator on (http://127\.0\.0\.1:\d+)", emu.stdout.readline())
    assert m, "the emulator did not start"
    emu_url = m.group(1)
    stops: List[Callable[[], None]] = []
    try:
        for name, url in urls.items():
            for k, v in {"PUBLIC_URL": url, "FLASK_SECRET_KEY": "x" * 32, "STATE_KEY": base64.b64encode(bytes([9]) * 32).decode(),
                         "STRIPE_INSTALL_LINK_ID": c["app"]["linkId"], "STRIPE_APP_SECRET": c["app"]["appSecret"],
                         "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_BASE_URL": emu_url, "STRIPE_TEST_MODE": "1"}.items():
                monkeypatch_module.setenv(k, v)
            module = load(f"{name}_integration")
            port = int(url.rsplit(":", 1)[1])
            if name == "flask":
                server = make_server("127.0.0.1", port, module.app, threaded=True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                stops.append(server.shutdown)
            else:
                u = uvicorn.Server(uvicorn.Config(module.app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
                threading.Thread(target=u.run, daemon=True).start()
                while not u.started:
                    time.sleep(0.02)
                def exit_uvicorn(u: uvicorn.Server = u) -> None:
                    u.should_exit = True

                stops.append(exit_uvicorn)
        yield emu_url, urls, c
    finally:
        for stop in stops:
            stop()
        emu.terminate()
        emu.wait(5)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A cookie jar; redirects are read, not followed."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def get(self, url: str) -> Tuple[int, str, str]:
        try:
            with self.opener.open(url, timeout=10) as res:
                return res.status, res.read().decode(), res.headers.get("Location", "")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), e.headers.get("Location", "")


def consent(emu: str, link: str, decision: str = "approve") -> str:
    page = urllib.request.urlopen(link, timeout=10).read().decode()
    action = re.search(r'action="(/consent/[\w-]+)"', page)
    assert action
    status, _, location = post(emu + action.group(1), decision)
    assert status == 303
    return location


def post(url: str, decision: str) -> Tuple[int, str, str]:
    req = urllib.request.Request(url, data=f"decision={decision}".encode(), method="POST")
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=10) as res:
            return res.status, "", res.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        return e.code, "", e.headers.get("Location", "")


def deliveries(emu: str) -> List[Dict[str, Any]]:
    log: Dict[str, Any] = json.loads(urllib.request.urlopen(f"{emu}/_emulator/log", timeout=10).read())
    out: List[Dict[str, Any]] = log["deliveries"]
    return out


@pytest.mark.parametrize("name", ["flask", "fastapi"])
def test_the_readme_integration(apps: Tuple[str, Dict[str, str], Dict[str, Any]], name: str) -> None:
    emu, urls, c = apps
    app = urls[name]
    alice = Browser()
    status, _, link = alice.get(f"{app}/install")
    assert status == 302 and link.startswith(f"{emu}/apps/install/link/{c['app']['linkId']}?redirect_uri="), link
    callback = consent(emu, link)
    assert callback.startswith(f"{app}/stripe/callback?"), callback
    mallory = Browser()
    mallory.get(f"{app}/install")  # a session of her own
    assert mallory.get(callback)[:2] == (400, "This install link cannot be used (state_session_mismatch): start again from /install.")
    assert alice.get(callback)[:2] == (200, f"Installed on {c['account']['id']}.")
    assert alice.get(callback)[0:2] == (400, "This install link cannot be used (state_replayed): start again from /install.")
    tampered = re.sub(r"account_id=acct_\w+", "account_id=acct_attacker", callback)
    assert "signature_mismatch" in alice.get(tampered)[1]
    assert alice.get(consent(emu, alice.get(f"{app}/install")[2], "cancel"))[:2] == (200, "Installation cancelled.")
    # The emulator's webhook (an uninstall from the Dashboard), signed as Stripe signs.
    before = len(deliveries(emu))
    urllib.request.urlopen(urllib.request.Request(f"{emu}/_emulator/uninstall?account={c['account']['id']}", method="POST"), timeout=10)
    for _ in range(100):
        mine = [d for d in deliveries(emu)[before:] if d["url"] == f"{app}/stripe/webhook" and d.get("status") is not None]
        if mine:
            break
        time.sleep(0.05)
    assert [(d["type"], d["status"]) for d in mine] == [("account.application.deauthorized", 200)]
    # A forged delivery (another secret), signed by the stripe package: refused with its code.
    body = json.dumps({"id": "evt_forged", "object": "event", "type": "account.application.deauthorized", "account": "acct_1",
                       "created": 1, "livemode": False, "data": {"object": {}}})
    header: str = stripe.WebhookSignature.generate_signature_header(body, "whsec_other")
    req = urllib.request.Request(f"{app}/stripe/webhook", data=body.encode(), method="POST",
                                 headers={"Stripe-Signature": header, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400 and json.loads(e.value.read())["error"] == "signature_mismatch"


def test_the_readme_shows_the_integrations_as_they_are_tested() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    for name in ("flask_integration.py", "fastapi_integration.py"):
        assert (EXAMPLES / name).read_text() in readme, f"examples/{name} is not in the README verbatim"
