"""Framework adapters for the webhook route: they read the raw body themselves (the most common
webhook failure is a handler that verifies ``json.dumps(request.json)``), verify it, act on each
event once through a one-time store, and answer what the core's table says
(``webhook_reply``: 200, 400, 413, 500, 503). Thin: every rule is the core's.

    app.add_url_rule("/stripe/webhook", view_func=flask_webhook(secrets=..., store=..., on_event=...),
                     methods=["POST"])                                   # Flask
    app.add_route("/stripe/webhook", starlette_webhook(secrets=..., store=..., on_event=...),
                  methods=["POST"])                                      # Starlette, FastAPI
    path("stripe/webhook", django_webhook(secrets=..., store=..., on_event=...))  # Django

``kind="thin"`` takes event notifications instead of snapshot events. ``on_event`` acts on a
verified event, once; if it raises, the answer is 500 and the event is released (when the store
has ``release``), so Stripe's retry is acted on.
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import Any, Awaitable, Callable, Optional, Sequence, Tuple, Union

from . import _native
from ._verifier import Verifier
from .errors import InvalidInputError, StripeHandshakeError
from .stores import AsyncOneTimeStore, OneTimeStore

__all__ = ["django_webhook", "flask_webhook", "starlette_webhook"]

_log = logging.getLogger("stripe_handshake")

OnEvent = Callable[[Any], Union[None, Awaitable[None], Any]]


class _Settings:
    def __init__(
        self,
        secrets: Optional[Union[str, Sequence[str]]],
        verifier: Optional[Verifier],
        kind: str,
        store: Union[OneTimeStore, AsyncOneTimeStore],
        on_event: OnEvent,
        on_error: Optional[Callable[[BaseException], None]],
        asynchronous: bool = False,
        now: Optional[Callable[[], int]] = None,
    ) -> None:
        self.verifier = verifier if isinstance(verifier, Verifier) else Verifier(secrets)  # type: ignore[arg-type]
        if kind not in ("snapshot", "thin"):
            raise InvalidInputError("kind: use 'snapshot' (events) or 'thin' (event notifications)", "invalid_argument", "invalid_input")
        if not callable(getattr(store, "consume", None)):
            raise InvalidInputError(
                "store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each event is acted on once",
                "invalid_argument",
                "invalid_input",
            )
        if not asynchronous and inspect.iscoroutinefunction(getattr(store, "consume", None)):
            raise InvalidInputError(
                "store: an async store (AsyncRedisStore, AsyncPostgresStore) cannot answer a synchronous framework: pass its "
                "synchronous twin (RedisStore, PostgresStore), or use starlette_webhook",
                "invalid_argument",
                "invalid_input",
            )
        if not callable(on_event):
            raise InvalidInputError("on_event: pass the function that acts on a verified event", "invalid_argument", "invalid_input")
        if now is not None and not callable(now):
            raise InvalidInputError(
                "now: pass a function that returns the current Unix time in seconds, or leave it out for the system clock",
                "invalid_argument",
                "invalid_input",
            )
        self.now = now
        self.kind = kind
        self.store = store
        self.on_event = on_event
        told = on_error or (lambda e: _log.error("the webhook handler failed", exc_info=e))

        def safe(e: BaseException) -> None:  # a failing on_error never skips the release
            try:
                told(e)
            except Exception:
                pass

        self.on_error = safe

    def verify(self, raw: bytes, header: Optional[str]) -> Any:
        # A clock that answers something other than a time is refused by the core (invalid_argument).
        now = None if self.now is None else self.now()
        if self.kind == "thin":
            return self.verifier.verify_event_notification(raw, header, now=now)
        return self.verifier.verify_webhook(raw, header, now=now)

    @staticmethod
    def _lease() -> int:
        # Claimed for a lease first: if this process dies mid-handler, the claim lapses and
        # Stripe's next retry is acted on (kept for the retention once handled: done()).
        return int(time.time()) + _native.EVENT_LEASE_SECS

    @staticmethod
    def _claimed(answer: object) -> Union[bool, str]:
        """True the first time, False for a duplicate, or the code of what the answer means."""
        try:
            return bool(_native.one_time_outcome(answer, namespace="event"))
        except StripeHandshakeError as e:
            return e.code

    def claim(self, event_id: str) -> Union[bool, str]:
        """True the first time, False for a duplicate, or the outcome of a store failure."""
        try:
            answer = self.store.consume("event", event_id, self._lease())
        except StripeHandshakeError as e:
            return e.code
        except Exception:  # the store's own failure
            return "store_unavailable"
        return self._claimed(answer)

    def done(self, event_id: str) -> None:
        """The handler succeeded: keep the id for the retention (a store without extend keeps
        the lease only: an event retried after it may be acted on again)."""
        self._quietly(getattr(self.store, "extend", None), "event", event_id, int(time.time()) + _native.EVENT_RETENTION_SECS)

    def release(self, event_id: str) -> None:
        self._quietly(getattr(self.store, "release", None), "event", event_id)

    def _quietly(self, method: Any, *args: Any) -> None:
        if callable(method):
            try:
                method(*args)
            except Exception as e:
                self.on_error(e)

    # The same for an async framework: an async store is awaited; a synchronous one does network
    # I/O, so it runs in a worker thread, never on the event loop.
    @staticmethod
    async def _call(method: Any, *args: Any) -> Any:
        if inspect.iscoroutinefunction(method):
            return await method(*args)
        import anyio.to_thread

        r = await anyio.to_thread.run_sync(method, *args)
        return await r if inspect.isawaitable(r) else r  # a plain function that returned a coroutine

    async def aclaim(self, event_id: str) -> Union[bool, str]:
        try:
            answer = await self._call(self.store.consume, "event", event_id, self._lease())
        except StripeHandshakeError as e:
            return e.code
        except Exception:
            return "store_unavailable"
        return self._claimed(answer)

    async def adone(self, event_id: str) -> None:
        await self._aquietly(getattr(self.store, "extend", None), "event", event_id, int(time.time()) + _native.EVENT_RETENTION_SECS)

    async def arelease(self, event_id: str) -> None:
        await self._aquietly(getattr(self.store, "release", None), "event", event_id)

    async def _aquietly(self, method: Any, *args: Any) -> None:
        if callable(method):
            try:
                await self._call(method, *args)
            except Exception as e:
                self.on_error(e)


def _handler_failed(s: _Settings, event: Any, e: BaseException) -> str:
    """A handler that raised: its claim released first (Stripe's retry is acted on), told, a 500.
    A BaseException (a cancelled task, a worker being stopped) is released, then re-raised."""
    s.release(event.id)
    if not isinstance(e, Exception):
        raise e
    s.on_error(e)
    return "handler_failed"


def _handled(s: _Settings, event: Any) -> str:
    """A handler that succeeded: the event's id kept for the retention."""
    s.done(event.id)
    return "delivered"


def _settle(s: _Settings, raw: Union[bytes, str], header: Optional[str]) -> Tuple[int, str]:
    """The whole answer for a synchronous framework (Flask, Django): verify, claim, act, reply."""
    outcome, event = _outcome_before_handler(s, raw, header)
    if outcome == "act":
        try:
            s.on_event(event)
            outcome = _handled(s, event)
        except BaseException as e:
            outcome = _handler_failed(s, event, e)
    return _reply(outcome)


def _reply(outcome: str) -> Tuple[int, str]:
    r = _native.webhook_reply(outcome)
    return int(r.status), str(r.body)


def _verified(s: _Settings, raw: Union[bytes, str], header: Optional[str]) -> Tuple[str, Any]:
    """('act', event) for a verified event (not yet claimed), or (outcome, None)."""
    if isinstance(raw, str):
        return raw, None
    try:
        return "act", s.verify(raw, header)
    except StripeHandshakeError as e:
        return e.code, None


def _outcome_before_handler(s: _Settings, raw: Union[bytes, str], header: Optional[str]) -> Tuple[str, Any]:
    """('act', event), or (outcome, None) when there is nothing to act on."""
    outcome, event = _verified(s, raw, header)
    if outcome != "act":
        return outcome, None
    first = s.claim(event.id)
    if isinstance(first, str):
        return first, None
    return ("act", event) if first else ("duplicate", None)


def flask_webhook(
    *,
    store: OneTimeStore,
    on_event: Callable[[Any], Any],
    secrets: Optional[Union[str, Sequence[str]]] = None,
    verifier: Optional[Verifier] = None,
    kind: str = "snapshot",
    on_error: Optional[Callable[[BaseException], None]] = None,
    now: Optional[Callable[[], int]] = None,
) -> Callable[[], Any]:
    """A Flask view for the webhook route (POST). It reads the raw body (capped at 1 MiB), never
    ``request.json``; a body already read off the stream by other code is named
    (``body_already_parsed``), not taken for a signature mismatch."""
    s = _Settings(secrets, verifier, kind, store, on_event, on_error, now=now)

    def stripe_webhook() -> Any:
        from flask import Response, request

        n = request.content_length
        raw: Union[bytes, str]
        if n is not None and n > _native.MAX_WEBHOOK_BODY:
            raw = "body_too_large"
        elif n is None:
            # No Content-Length (chunked): read at most one byte over the cap from the stream.
            raw = request.stream.read(_native.MAX_WEBHOOK_BODY + 1)
            if len(raw) > _native.MAX_WEBHOOK_BODY:
                raw = "body_too_large"
        else:
            # Werkzeug reads at most Content-Length bytes (checked above).
            raw = request.get_data(cache=True)
            if not raw and n:
                raw = "body_already_parsed"
        status, body = _settle(s, raw, request.headers.get("Stripe-Signature"))
        response = Response(body, status=status, mimetype="application/json")
        if status == 413:
            response.headers["Connection"] = "close"
        return response

    return stripe_webhook


def starlette_webhook(
    *,
    store: Union[OneTimeStore, AsyncOneTimeStore],
    on_event: OnEvent,
    secrets: Optional[Union[str, Sequence[str]]] = None,
    verifier: Optional[Verifier] = None,
    kind: str = "snapshot",
    on_error: Optional[Callable[[BaseException], None]] = None,
    now: Optional[Callable[[], int]] = None,
) -> Callable[[Any], Awaitable[Any]]:
    """A Starlette (and FastAPI) endpoint for the webhook route (POST): it reads the raw body
    from the stream (capped at 1 MiB). An async store (``AsyncRedisStore``,
    ``AsyncPostgresStore``) and a coroutine-function ``on_event`` are awaited; a synchronous
    store or ``on_event`` runs in a worker thread (as FastAPI runs a plain ``def``), never on the
    event loop."""
    s = _Settings(secrets, verifier, kind, store, on_event, on_error, asynchronous=True, now=now)

    async def stripe_webhook(request: Any) -> Any:
        from starlette.responses import Response

        raw: Union[bytes, str]
        n = request.headers.get("content-length")
        if n is not None and n.isdigit() and int(n) > _native.MAX_WEBHOOK_BODY:
            raw = "body_too_large"
        else:
            chunks = []
            size = 0
            try:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > _native.MAX_WEBHOOK_BODY:
                        break
                    chunks.append(chunk)
                raw = "body_too_large" if size > _native.MAX_WEBHOOK_BODY else b"".join(chunks)
            except RuntimeError:  # "Stream consumed": other code read it and kept nothing
                raw = "body_already_parsed"
        outcome, event = _verified(s, raw, request.headers.get("stripe-signature"))
        if outcome == "act":
            first = await s.aclaim(event.id)
            outcome = first if isinstance(first, str) else "act" if first else "duplicate"
        if outcome == "act":
            try:
                await s._call(s.on_event, event)
                await s.adone(event.id)
                outcome = "delivered"
            except BaseException as e:
                await s.arelease(event.id)
                if not isinstance(e, Exception):
                    raise
                s.on_error(e)
                outcome = "handler_failed"
        status, body = _reply(outcome)
        headers = {"Connection": "close"} if status == 413 else None
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    return stripe_webhook


def django_webhook(
    *,
    store: OneTimeStore,
    on_event: Callable[[Any], Any],
    secrets: Optional[Union[str, Sequence[str]]] = None,
    verifier: Optional[Verifier] = None,
    kind: str = "snapshot",
    on_error: Optional[Callable[[BaseException], None]] = None,
    now: Optional[Callable[[], int]] = None,
) -> Callable[[Any], Any]:
    """A Django view for the webhook route (POST only; exempt from CSRF, since Stripe proves
    itself with the signature). It reads ``request.body`` (capped at 1 MiB); a body already read
    as a stream by other code (``request.POST``, ``request.read()``) is named
    (``body_already_parsed``), not taken for a signature mismatch."""
    from django.http import HttpResponse, HttpResponseNotAllowed
    from django.http.request import RawPostDataException
    from django.views.decorators.csrf import csrf_exempt

    s = _Settings(secrets, verifier, kind, store, on_event, on_error, now=now)

    def stripe_webhook(request: Any) -> Any:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        n = request.META.get("CONTENT_LENGTH") or ""
        raw: Union[bytes, str]
        if n.isdigit() and int(n) > _native.MAX_WEBHOOK_BODY:
            raw = "body_too_large"
        else:
            try:
                raw = request.body
            except RawPostDataException:
                raw = "body_already_parsed"
        status, body = _settle(s, raw, request.headers.get("Stripe-Signature"))
        response = HttpResponse(body, status=status, content_type="application/json")
        if status == 413:
            response["Connection"] = "close"
        return response

    exempt: Callable[[Any], Any] = csrf_exempt(stripe_webhook)
    return exempt
