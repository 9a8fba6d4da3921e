"""The webhook route adapters in the frameworks themselves: a real Flask app (Werkzeug's server)
and a real Starlette app (uvicorn) on loopback, real HTTP requests, and the real ``stripe``
package signing the deliveries. Including the mistake the adapter exists for: a handler that
read the body another way first."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import stripe
import uvicorn
from flask import Flask, request
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from werkzeug.serving import make_server

import stripe_handshake as sh
from stripe_handshake.adapters import flask_webhook, starlette_webhook
from stripe_handshake.stores import MemoryStore

SECRET = "whsec_adapter_tests_py"


def event(eid: str) -> str:
    return json.dumps({"id": eid, "object": "event", "type": "account.application.deauthorized", "account": "acct_1",
                       "livemode": False, "created": 1, "data": {"object": {"id": "ca_1", "object": "application"}}}, indent=2)


def signed(body: str, secret: str = SECRET) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, secret)  # type: ignore[no-any-return]


def post(url: str, body: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Harness:
    def __init__(self) -> None:
        self.seen: List[str] = []
        self.fail = False
        self.store = MemoryStore()

    def on_event(self, e: Any) -> None:
        if self.fail:
            raise RuntimeError("handler down")
        self.seen.append(e.id)

    def options(self) -> Dict[str, Any]:
        return {"secrets": SECRET, "store": self.store, "on_event": self.on_event, "on_error": lambda e: None}


def serve_flask(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def flask_apps() -> Iterator[Tuple[Harness, str, str]]:
    h = Harness()
    right = Flask("right")
    right.add_url_rule("/stripe/webhook", view_func=flask_webhook(**h.options()), methods=["POST"])

    wrong = Flask("wrong")

    @wrong.before_request
    def read_stream_first() -> None:  # code that read the raw stream and kept nothing
        request.stream.read()

    wrong.add_url_rule("/stripe/webhook", view_func=flask_webhook(**h.options()), methods=["POST"])
    a, b = serve_flask(right), serve_flask(wrong)
    yield h, next(a), next(b)
    for g in (a, b):
        next(g, None)


def test_flask_verifies_acts_once_and_refuses(flask_apps: Tuple[Harness, str, str]) -> None:
    h, url, wrong = flask_apps
    body = event("evt_flask_1")
    header = signed(body)
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert h.seen == ["evt_flask_1"]
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": signed(body, "whsec_other")}) == (400, {"error": "signature_mismatch"})
    # What request.json + json.dumps hands a handler: the adapter never does that.
    assert post(f"{url}/stripe/webhook", json.dumps(json.loads(body)), {"Stripe-Signature": header})[1]["error"] == "signature_mismatch"
    big = '{"x":"' + "a" * sh.MAX_WEBHOOK_BODY + '"}'
    assert post(f"{url}/stripe/webhook", big, {"Stripe-Signature": signed(big)})[0] == 413
    # Another piece of code read the stream first: named, not a mismatch; Stripe retries.
    status, answer = post(f"{wrong}/stripe/webhook", body, {"Stripe-Signature": header})
    assert (status, answer["error"]) == (500, "body_already_parsed")
    h.fail = True
    retry = event("evt_flask_retry")
    assert post(f"{url}/stripe/webhook", retry, {"Stripe-Signature": signed(retry)})[1]["error"] == "handler_failed"
    h.fail = False
    assert post(f"{url}/stripe/webhook", retry, {"Stripe-Signature": signed(retry)})[0] == 200
    assert h.seen == ["evt_flask_1", "evt_flask_retry"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def starlette_app() -> Iterator[Tuple[Harness, str, List[Tuple[str, str]]]]:
    h = Harness()
    thin_seen: List[Tuple[str, str]] = []

    async def on_thin(n: Any) -> None:  # a coroutine handler
        thin_seen.append((n.id, n.type))

    class ReadsBody(BaseHTTPMiddleware):  # a middleware that reads the body first (it is cached)
        async def dispatch(self, request: Any, call_next: Any) -> Any:
            await request.body()
            return await call_next(request)

    app = Starlette()
    app.add_route("/stripe/webhook", starlette_webhook(**h.options()), methods=["POST"])
    thin_options = {**h.options(), "on_event": on_thin, "kind": "thin"}
    app.add_route("/stripe/events", starlette_webhook(**thin_options), methods=["POST"])
    app.add_middleware(ReadsBody)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield h, f"http://127.0.0.1:{port}", thin_seen
    finally:
        server.should_exit = True
        t.join(5)


def test_starlette_verifies_acts_once_and_refuses(starlette_app: Tuple[Harness, str, List[Tuple[str, str]]]) -> None:
    h, url, thin_seen = starlette_app
    body = event("evt_starlette_1")
    header = signed(body)
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert h.seen == ["evt_starlette_1"], "a middleware that read (and cached) the body does not break it"
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": "t=1,v1=00"})[0] == 400
    thin = json.dumps({"id": "evt_thin_py", "object": "v2.core.event", "type": "v1.account.application.deauthorized",
                       "livemode": False, "created": "2025-01-01T00:00:00Z", "context": "acct_1"})
    assert post(f"{url}/stripe/events", thin, {"Stripe-Signature": signed(thin)})[0] == 200
    assert thin_seen == [("evt_thin_py", "v1.account.application.deauthorized")]
    assert post(f"{url}/stripe/events", body, {"Stripe-Signature": header})[1]["error"] == "snapshot_event_given"
    big = '{"x":"' + "a" * sh.MAX_WEBHOOK_BODY + '"}'
    assert post(f"{url}/stripe/webhook", big, {"Stripe-Signature": signed(big)})[0] == 413


def test_an_event_is_leased_then_kept_once_handled() -> None:
    from stripe_handshake.adapters import _outcome_before_handler, _Settings

    calls: List[Tuple[str, int]] = []
    inner = MemoryStore()

    class Spy:
        def consume(self, ns: str, id: str, exp: int) -> bool:
            calls.append(("consume", exp - int(time.time())))
            return inner.consume(ns, id, exp)

        def extend(self, ns: str, id: str, exp: int) -> None:
            calls.append(("extend", exp - int(time.time())))
            inner.extend(ns, id, exp)

    s = _Settings(SECRET, None, "snapshot", Spy(), lambda e: None, None)
    body = event("evt_lease_py")
    outcome, ev = _outcome_before_handler(s, body.encode(), signed(body))
    assert outcome == "act"
    s.done(ev.id)
    assert [c[0] for c in calls] == ["consume", "extend"]
    assert abs(calls[0][1] - sh.EVENT_LEASE_SECS) <= 2 and abs(calls[1][1] - sh.EVENT_RETENTION_SECS) <= 2


def test_options_are_checked() -> None:
    with pytest.raises(sh.InvalidInputError):
        flask_webhook(secrets=SECRET, store=object(), on_event=lambda e: None)  # type: ignore[arg-type]
    with pytest.raises(sh.InvalidInputError):
        starlette_webhook(secrets=SECRET, store=MemoryStore(), on_event=lambda e: None, kind="thick")
    with pytest.raises(sh.StripeHandshakeError):
        flask_webhook(secrets="", store=MemoryStore(), on_event=lambda e: None)


@pytest.fixture(scope="module")
def django_app() -> Iterator[Tuple[Harness, str]]:
    import django
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import path

    from stripe_handshake.adapters import django_webhook

    h = Harness()

    from django.views.decorators.csrf import csrf_exempt

    def read_as_stream(request: Any) -> Any:  # a view that read the stream first (request.read())
        request.read()
        return django_webhook(**h.options())(request)

    urls = [path("stripe/webhook", django_webhook(**h.options())), path("wrong/webhook", csrf_exempt(read_as_stream))]
    if not settings.configured:
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__, SECRET_KEY="x" * 50,
                           MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
        django.setup()
    globals()["urlpatterns"] = urls
    server = make_server("127.0.0.1", 0, WSGIHandler(), threaded=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield h, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_django_verifies_acts_once_and_refuses(django_app: Tuple[Harness, str]) -> None:
    h, url = django_app
    body = event("evt_django_1")
    header = signed(body)
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": header}) == (200, {"received": True})
    assert h.seen == ["evt_django_1"], "exempt from CSRF (the signature is the proof), acted on once"
    assert post(f"{url}/stripe/webhook", body, {"Stripe-Signature": signed(body, "whsec_other")}) == (400, {"error": "signature_mismatch"})
    big = '{"x":"' + "a" * sh.MAX_WEBHOOK_BODY + '"}'
    assert post(f"{url}/stripe/webhook", big, {"Stripe-Signature": signed(big)})[0] == 413
    status, answer = post(f"{url}/wrong/webhook", body, {"Stripe-Signature": header})
    assert (status, answer["error"]) == (500, "body_already_parsed")
    h.fail = True
    retry = event("evt_django_retry")
    assert post(f"{url}/stripe/webhook", retry, {"Stripe-Signature": signed(retry)})[1]["error"] == "handler_failed"
    h.fail = False
    assert post(f"{url}/stripe/webhook", retry, {"Stripe-Signature": signed(retry)})[0] == 200


def test_starlette_keeps_the_event_loop_free_and_awaits_async_stores() -> None:
    """A synchronous store and handler run in worker threads (they do I/O: never on the event
    loop); an async store (AsyncRedisStore's shape) is awaited on the loop; a failing handler's
    claim is released through the async store, so Stripe's retry is acted on."""
    threads: Dict[str, List[str]] = {"sync_store": [], "handler": [], "async_store": []}
    inner, ainner = MemoryStore(), MemoryStore()

    class SyncStore:
        def consume(self, ns: str, id: str, exp: int) -> bool:
            threads["sync_store"].append(threading.current_thread().name)
            return inner.consume(ns, id, exp)

    class AsyncStore:
        async def consume(self, ns: str, id: str, exp: int) -> bool:
            threads["async_store"].append(threading.current_thread().name)
            return ainner.consume(ns, id, exp)

        async def release(self, ns: str, id: str) -> None:
            ainner.release(ns, id)

        async def extend(self, ns: str, id: str, exp: int) -> None:
            ainner.extend(ns, id, exp)

    fail = [True]

    def handler(e: Any) -> None:
        threads["handler"].append(threading.current_thread().name)
        if fail[0] and e.id == "evt_async_fail":
            raise RuntimeError("handler down")

    app = Starlette()
    app.add_route("/sync", starlette_webhook(secrets=SECRET, store=SyncStore(), on_event=handler, on_error=lambda e: None), methods=["POST"])
    app.add_route("/async", starlette_webhook(secrets=SECRET, store=AsyncStore(), on_event=handler, on_error=lambda e: None),
                  methods=["POST"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    t = threading.Thread(target=server.run, daemon=True, name="event-loop")
    t.start()
    while not server.started:
        time.sleep(0.02)
    try:
        url = f"http://127.0.0.1:{port}"
        body = event("evt_async_1")
        assert post(f"{url}/sync", body, {"Stripe-Signature": signed(body)}) == (200, {"received": True})
        assert post(f"{url}/async", body, {"Stripe-Signature": signed(body)}) == (200, {"received": True})
        assert post(f"{url}/async", body, {"Stripe-Signature": signed(body)}) == (200, {"received": True})  # a duplicate
        failing = event("evt_async_fail")
        assert post(f"{url}/async", failing, {"Stripe-Signature": signed(failing)})[0] == 500
        fail[0] = False
        assert post(f"{url}/async", failing, {"Stripe-Signature": signed(failing)}) == (200, {"received": True})
    finally:
        server.should_exit = True
        t.join(5)
    assert threads["sync_store"] and "event-loop" not in threads["sync_store"], threads
    assert threads["handler"] and "event-loop" not in threads["handler"], threads
    assert threads["async_store"] and set(threads["async_store"]) == {"event-loop"}, threads
    assert len(threads["handler"]) == 4, "once each: the duplicate was not acted on, the released event was"


def test_a_synchronous_framework_refuses_an_async_store() -> None:
    class AsyncStore:
        async def consume(self, ns: str, id: str, exp: int) -> bool:
            return True

    with pytest.raises(sh.InvalidInputError) as e:
        flask_webhook(secrets=SECRET, store=AsyncStore(), on_event=lambda e: None)  # type: ignore[arg-type]
    assert e.value.code == "invalid_argument" and "RedisStore" in str(e.value)


def test_now_is_the_clock_of_the_check() -> None:
    """A delivery signed at a fixed time verifies on that clock and is refused off it (and on the
    system clock); a clock that is not callable is refused when the route is made."""
    t = 1_700_000_000
    body = event("evt_clock_py")
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, timestamp=t)
    seen: List[str] = []

    def app(now: Any) -> Any:
        a = Flask(__name__)
        a.add_url_rule("/hook", view_func=flask_webhook(secrets=SECRET, store=MemoryStore(), on_event=lambda e: seen.append(e.id), now=now),
                       methods=["POST"], endpoint="hook")
        return a.test_client()

    def send(client: Any) -> Tuple[int, Any]:
        r = client.post("/hook", data=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"})
        return r.status_code, r.get_json()

    assert send(app(lambda: t + 301)) == (400, {"error": "timestamp_too_old"})
    assert send(app(None))[0] == 400
    assert seen == []
    assert send(app(lambda: t + 299))[0] == 200
    assert seen == ["evt_clock_py"]
    assert send(app(lambda: float("nan")))[0] == 400  # the core refuses a clock that is not a time
    for bad in (t, "now"):
        with pytest.raises(sh.InvalidInputError, match="^now: pass a function"):
            flask_webhook(secrets=SECRET, store=MemoryStore(), on_event=lambda e: None, now=bad)  # type: ignore[arg-type]
