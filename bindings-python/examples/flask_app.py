"""A platform on Flask that uses stripe-handshake for all three Stripe flows.

  /install  -> Stripe Apps install link -> /stripe/install/callback (install_signature + state)
  /connect  -> Connect OAuth (Standard)  -> /stripe/oauth/callback (state, code -> token)
  /apps/connect -> Stripe Apps OAuth (an OAuth-type app) -> /stripe/apps/callback (state, ids, code -> token);
            installs from the Marketplace arrive there too, without a state
  POST /connections/refresh, /connections/deauthorize (Connect token lifecycle)
  POST /onboard -> an Account Link -> /stripe/onboarding/{return,refresh} (state; then the account retrieved)
  POST /stripe/webhook (account.application.deauthorized, a snapshot event)
  POST /stripe/events (event notifications, thin events: verified, then the event fetched)

`stripe_base` points every Stripe URL at the local emulator (tests/emulator); leave it out for Stripe.
There are no user accounts here: Flask's signed session stands in for your signed-in user, so tie
installs and connections to your user instead.
Run: PORT=5000 STRIPE_APP_SECRET=absec_... STRIPE_WEBHOOK_SECRET=whsec_... python examples/flask_app.py
"""

from __future__ import annotations

import html
import os
import json
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple, Union

from flask import Flask, Response, redirect, request, session
from werkzeug.wrappers.response import Response as Redirect

import stripe_handshake as sh
from stripe_handshake.records import ApiRequest, HttpRequest
from stripe_handshake.adapters import flask_webhook
from stripe_handshake.stores import MemoryStore


@dataclass
class Store:
    """What the platform keeps: a stand-in for your database."""

    installs: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    connections: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    app_connections: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    onboarding: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    events: list[Dict[str, Any]] = field(default_factory=list)
    notifications: list[Dict[str, Any]] = field(default_factory=list)
    # One-time stores: each state token's nonce until the token expires (a reload of a callback
    # page is then refused with state_replayed, and a code is never exchanged twice), and each
    # event id for as long as Stripe retries. MemoryStore is bounded and prunes itself; with
    # several processes use one RedisStore or PostgresStore for both (namespaces keep them apart).
    state_nonces: MemoryStore = field(default_factory=MemoryStore)
    event_ids: MemoryStore = field(default_factory=lambda: MemoryStore(max_entries=1_000_000))  # ids stay four days
    lock: threading.Lock = field(default_factory=threading.Lock)  # the dev server runs a thread per request


class Refusal(Exception):
    """The platform's own refusals, shown like the library's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def stripe_call(req: Union[HttpRequest, ApiRequest]) -> Tuple[int, bytes]:
    """The core builds the request and parses the answer; any HTTP client sends it."""
    body: Optional[str] = getattr(req, "body", None)  # a POST has a form body; an API GET has none
    data = body.encode() if body is not None else None
    r = urllib.request.Request(req.url, data=data, headers=req.headers.to_dict(), method=req.method)
    try:
        with urllib.request.urlopen(r, timeout=30) as res:  # noqa: S310 - the URL comes from the core (https or loopback)
            return res.status, res.read()
    except urllib.error.HTTPError as e:  # OAuth errors arrive as 4xx with a JSON body
        return e.code, e.read()


def create_app(
    *,
    public_url: str,
    app_secret: str,
    link_id: str,
    app_client_id: str,
    client_id: str,
    secret_key: str,
    webhook_secret: str,
    state_key: bytes,
    notification_secret: Optional[str] = None,
    app_secret_key: Optional[str] = None,
    app_test_link_id: Optional[str] = None,
    app_sandbox: Optional[Dict[str, str]] = None,
    stripe_base: Optional[str] = None,
    store: Optional[Store] = None,
    expose_store: bool = False,
) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20  # Stripe's events are far smaller; refuse larger bodies (413)
    # Flask's session cookie is signed: a visitor cannot pick a session id (fixation).
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=public_url.startswith("https:"))
    origin = public_url.rstrip("/")
    db = store if store is not None else Store()
    install_callback = f"{public_url}/stripe/install/callback"
    oauth_callback = f"{public_url}/stripe/oauth/callback"
    apps_callback = f"{public_url}/stripe/apps/callback"
    onboarding_return = f"{public_url}/stripe/onboarding/return"
    onboarding_refresh = f"{public_url}/stripe/onboarding/refresh"
    # Plain http is allowed only for loopback, and only when we say so (local development).
    allow = sh.RedirectAllowList([install_callback, oauth_callback, apps_callback, onboarding_return, onboarding_refresh],
                                 test_mode=public_url.startswith("http:"))
    keys = [("k1", state_key)]  # add the next key first to rotate; old tokens still verify
    webhooks = sh.Verifier(webhook_secret)  # prepared once: the fast path
    # The event destination with thin payloads has its own secret (one destination, one kind).
    notifications = sh.Verifier(notification_secret) if notification_secret else None
    mode = sh.parse_secret_key(secret_key).mode  # a key of the other mode is refused before any request

    def session_id() -> str:
        if "sid" not in session:
            session["sid"] = secrets.token_urlsafe(16)
        sid: str = session["sid"]
        return sid

    @app.before_request
    def same_origin_forms() -> None:
        # Forms that change something must come from our own pages (CSRF), not only SameSite=Lax.
        if request.method == "POST" and request.path not in FROM_STRIPE and request.headers.get("Origin") != origin:
            raise Refusal("cross_origin", "This form must be sent from the platform's own pages.")

    def owned(account: str) -> Dict[str, Any]:
        c = db.connections.get(account)
        if c is None or c["session"] != session_id():
            raise Refusal("not_found", "No such connection in this session.")
        return c

    @app.get("/")
    def home() -> Response:
        rows = "".join(
            f'<li>{esc(a)} ({esc(c["scope"])})'
            f'<form method="post" action="/connections/refresh"><input type="hidden" name="account" value="{esc(a)}">'
            '<button id="refresh">Refresh token</button></form>'
            f'<form method="post" action="/connections/deauthorize"><input type="hidden" name="account" value="{esc(a)}">'
            '<button id="deauthorize">Disconnect</button></form></li>'
            for a, c in db.connections.items()
            if c["session"] == session_id()
        )
        installs = "".join(f"<li>{esc(a)}</li>" for a, i in db.installs.items() if i["session"] == session_id())
        return page(
            200,
            "Demo platform",
            '<h1>Demo platform</h1><p><a id="install" href="/install">Install the Stripe App</a> · '
            '<a id="connect" href="/connect">Connect with Stripe</a></p>'
            '<form method="post" action="/onboard"><label>Onboard a connected account '
            '<input id="onboard-account" name="account" placeholder="acct_…"></label> '
            '<button id="onboard">Start onboarding</button></form>'
            f'<h2>Installs</h2><ul id="installs">{installs}</ul><h2>Your connections</h2><ul id="connections">{rows}</ul>',
        )

    @app.get("/install")
    def install() -> Redirect:
        # 1. Send the user to Stripe with a state token bound to their session.
        state = sh.issue_state_token(keys=keys, flow="install_link", session_id=session_id())
        return redirect(
            sh.install_link(link_id=link_id, allow_list=allow, redirect_uri=install_callback, state=state, base_url=stripe_base)
        )

    @app.get("/stripe/install/callback")
    def install_callback_view() -> Response:
        # 2. Verify install_signature, its time window and the state from the raw query string.
        query = request.query_string.decode("utf-8", "replace")
        # The state's nonce is consumed in the store: a reload of this page is refused (state_replayed).
        r = sh.verify_install_callback(query, secrets=app_secret, state_keys=keys, session_id=session_id(),
                                       marketplace="accept", store=db.state_nonces)
        if r.outcome == "denied":
            return view(200, "denied", "Installation cancelled", f"Stripe said: {r.kind}. Nothing was installed.")
        if r.outcome == "marketplace_install":
            # Installed from the Stripe App Marketplace: nothing ties it to this browser, so it stays
            # unclaimed (never attached to this session) until a signed-in user proves they act for
            # the account, e.g. from your app's UI extension (sh.verify_ui_extension_signature).
            with db.lock:
                db.installs.setdefault(r.account_id, {"session": None, "userId": r.user_id,
                                                      "livemode": r.livemode != "false", "fromMarketplace": True})
            return view(200, "marketplace_install", "App installed from the Marketplace",
                        f"Installed on {r.account_id}; not linked to an account here yet.")
        assert r.account_id is not None
        # livemode is reported as Stripe sent it and is not signed: don't base access decisions on it.
        db.installs[r.account_id] = {"session": session_id(), "userId": r.user_id, "livemode": r.livemode != "false"}
        return view(200, "installed", "App installed", f"Installed on {r.account_id}.")

    @app.get("/connect")
    def connect() -> Redirect:
        state = sh.issue_state_token(keys=keys, flow="connect_oauth", session_id=session_id())
        link = sh.connect_oauth_link(
            client_id=client_id, account_type="standard", allow_list=allow, scope="read_write",
            redirect_uri=oauth_callback, state=state, base_url=stripe_base,
        )  # fmt: skip
        return redirect(link)

    @app.get("/stripe/oauth/callback")
    def oauth_callback_view() -> Response:
        query = request.query_string.decode("utf-8", "replace")
        r = sh.verify_oauth_callback(query, flow="connect_oauth", state_keys=keys, session_id=session_id(), store=db.state_nonces)
        if r.outcome == "denied":
            return view(200, "denied", "Connection declined", f"Stripe said: {r.kind}. Nothing was connected.")
        assert r.code is not None
        # 3. Exchange the one-time code (never retried: reusing it revokes the connection).
        # The authorized result carries the code and the token endpoint it belongs to.
        req = sh.code_exchange_request(authorization=r, secret_key=secret_key, expected_mode=mode, base_url=stripe_base)
        token = sh.parse_token_response(*stripe_call(req))
        db.connections[token.stripe_user_id] = {
            "session": session_id(), "scope": token.scope, "livemode": token.livemode,
            "accessToken": token.access_token, "refreshToken": token.refresh_token,
        }  # fmt: skip
        return view(200, "connected", "Stripe account connected", f"Connected {token.stripe_user_id} with scope {token.scope}.")

    # An OAuth-type app (stripe_api_access_type: oauth in its manifest): the access type comes
    # from your configuration, never from the callback's shape.
    @app.get("/apps/connect")
    def apps_connect() -> Redirect:
        if app_secret_key is None:
            raise Refusal("not_configured", "This platform has no OAuth-type Stripe App.")
        # A sandbox has its own link id, client id and keys; a test link its own link id; live none.
        sandbox = request.args.get("env") == "sandbox"
        if sandbox and app_sandbox is None:
            raise Refusal("not_configured", "This platform has no Stripe Apps sandbox.")
        link_mode = "sandbox" if sandbox else "test" if app_test_link_id else "live"
        client, link = (app_sandbox["client_id"], app_sandbox["link_id"]) if app_sandbox and sandbox else (app_client_id, app_test_link_id)
        # The link's environment rides in the signed state to the exchange.
        state = sh.issue_state_token(keys=keys, flow="apps_oauth", session_id=session_id(), mode=link_mode)
        return redirect(sh.apps_oauth_link(client_id=client, test_link_id=link, redirect_uri=apps_callback,
                                           state=state, base_url=stripe_base, allow_list=allow, mode=link_mode))

    @app.get("/stripe/apps/callback")
    def apps_callback_view() -> Response:
        if app_secret_key is None:
            raise Refusal("not_configured", "This platform has no OAuth-type Stripe App.")
        query = request.query_string.decode("utf-8", "replace")
        r = sh.verify_app_callback(query, access_type="oauth", state_keys=keys, session_id=session_id(), marketplace="accept",
                                   store=db.state_nonces)
        if r.outcome == "denied":
            return view(200, "denied", "Installation cancelled", f"Stripe said: {r.kind}. Nothing was installed.")
        if r.outcome not in ("authorized", "marketplace_authorized"):
            raise Refusal("unexpected", "Not an OAuth-type app callback.")
        # The code belongs to the Stripe Apps token endpoint (r.provider), exchanged once with the key
        # of the environment the signed state names (a sandbox's codes need the sandbox's key).
        state_mode: Optional[str] = r["state_mode"] if r.outcome == "authorized" else None
        key = app_sandbox["secret_key"] if app_sandbox and state_mode == "sandbox" else app_secret_key
        req = sh.code_exchange_request(authorization=r, secret_key=key, base_url=stripe_base)  # mode: the state's
        token = sh.parse_token_response(*stripe_call(req))
        if token.stripe_user_id != r.account_id:
            raise Refusal("account_mismatch", "The token is for another account than the callback named.")
        from_marketplace = r.outcome == "marketplace_authorized"
        with db.lock:
            # From the Marketplace nothing ties the install to this browser: keep it unclaimed.
            if from_marketplace and r.account_id in db.app_connections:
                return view(200, "marketplace_authorized", "Already installed", f"{r.account_id} is already installed.")
            db.app_connections[r.account_id] = {
                "session": None if from_marketplace else session_id(), "userId": r.user_id, "mode": state_mode,
                "accessToken": token.access_token, "refreshToken": token.refresh_token, "fromMarketplace": from_marketplace,
            }  # fmt: skip
        if from_marketplace:
            return view(200, "marketplace_authorized", "App installed from the Marketplace",
                        f"Installed on {r.account_id}; not linked to an account here yet.")
        return view(200, "app_authorized", "App installed", f"Installed on {r.account_id} by {r.user_id}.")

    # Account Links (the path for new Connect platforms): the return URL carries no signature,
    # so both URLs get a signed state bound to this session and naming the account.
    def onboarding_link(account: str) -> Redirect:
        req = sh.account_link_request(secret_key=secret_key, account=account, return_url=onboarding_return,
                                      refresh_url=onboarding_refresh, state_keys=keys, session_id=session_id(), mode=mode,
                                      base_url=stripe_base, allow_list=allow)
        return redirect(sh.parse_account_link_response(*stripe_call(req)).url)

    # Only for an account this session holds (never one named by the form alone): an Account
    # Link opens that account's onboarding and payout details to whoever follows it.
    @app.post("/onboard")
    def onboard() -> Redirect:
        account = request.form.get("account", "")
        owned(account)
        return onboarding_link(account)

    @app.get("/stripe/onboarding/return")
    def onboarding_return_view() -> Response:
        query = request.query_string.decode("utf-8", "replace")
        r = sh.verify_account_link_callback(query, kind="return", state_keys=keys, session_id=session_id(), store=db.state_nonces)
        # A return proves only that this browser came back: ask the API how far onboarding got.
        status, body = stripe_call(sh.retrieve_account_request(secret_key=secret_key, account=r.account_id,
                                                               expected_mode=r.state_mode or mode, base_url=stripe_base))
        account = json.loads(body) if status == 200 else {}
        if account.get("id") != r.account_id:
            return view(502, "failed", "Stripe did not answer", "Try again in a moment.", "account_unavailable")
        with db.lock:
            db.onboarding[r.account_id] = {"session": session_id(), "detailsSubmitted": account.get("details_submitted") is True,
                                           "chargesEnabled": account.get("charges_enabled") is True}
        if account.get("details_submitted") is True:
            return view(200, "onboarded", "Onboarding complete", f"{r.account_id} can take payments.")
        return view(200, "onboarding_incomplete", "Onboarding not finished", f"{r.account_id} still has requirements due.")

    @app.get("/stripe/onboarding/refresh")
    def onboarding_refresh_view() -> Response | Redirect:
        # The link expired or was used: check the state, then make a new link for the same account.
        query = request.query_string.decode("utf-8", "replace")
        r = sh.verify_account_link_callback(query, kind="refresh", state_keys=keys, session_id=session_id(), store=db.state_nonces)
        return onboarding_link(r.account_id)

    @app.post("/connections/refresh")
    def refresh() -> Response:
        account = request.form.get("account", "")
        c = owned(account)
        req = sh.refresh_request(
            provider="connect", secret_key=secret_key, refresh_token=c["refreshToken"], expected_mode=mode, base_url=stripe_base
        )
        token = sh.parse_token_response(*stripe_call(req))
        c.update(accessToken=token.access_token, refreshToken=token.refresh_token or c["refreshToken"])
        return view(200, "refreshed", "Access token refreshed", f"New access token for {account}.")

    @app.post("/connections/deauthorize")
    def deauthorize() -> Response:
        account = request.form.get("account", "")
        c = owned(account)
        req = sh.deauthorize_request(
            secret_key=secret_key, client_id=client_id, stripe_user_id=account, expected_mode=mode, base_url=stripe_base
        )
        sh.parse_deauthorize_response(*stripe_call(req), account)  # raises unless Stripe echoed this account
        # The tokens are dead now: forget them at once; the record goes when the webhook confirms.
        c.update(accessToken=None, refreshToken=None, disconnectRequested=True)
        return view(200, "disconnected", "Disconnected", f"{account} was disconnected. Stripe confirms with a webhook.")

    # 4. The webhook routes, through the adapter: it reads the raw body itself (never
    #    json.dumps(request.json)), verifies it, acts on each event once (the event id store), and
    #    answers Stripe.
    def on_event(event: Any) -> None:
        with db.lock:  # its effects and its record together: a reader never sees half of them
            if event.type == "account.application.deauthorized" and event.account:
                # Which of our applications lost access: the App (install link) or the Connect platform.
                application = event.data_object.get("id")
                if application == app_client_id:
                    db.installs.pop(event.account, None)
                if application == client_id:
                    db.connections.pop(event.account, None)
            db.events.append({"id": event.id, "type": event.type, "account": event.account})  # after its effects

    def on_notification(n: Any) -> None:
        # 5. An event notification is a pointer: verified, then the event itself fetched in its
        #    context (Stripe-Context) with a key of its mode, and acted on as the API says. A failed
        #    fetch raises: the adapter answers 500 and releases the id, so Stripe delivers it again.
        req = sh.fetch_event_request(secret_key=secret_key, event_id=n.id, livemode=n.livemode, context=n.context,
                                     base_url=stripe_base)
        status, body = stripe_call(req)
        event = json.loads(body) if status == 200 else {}
        if event.get("id") != n.id:
            raise RuntimeError(f"the event could not be fetched (HTTP {status})")
        with db.lock:
            # This destination belongs to the Connect platform's account: the platform lost access.
            if event["type"] == "v1.account.application.deauthorized" and event.get("context"):
                db.connections.pop(event["context"], None)
            db.notifications.append({"id": n.id, "type": event["type"], "context": event.get("context"), "fetched": True})

    def on_error(e: BaseException) -> None:
        app.logger.warning("stripe webhook handler failed: %s", e)

    app.add_url_rule("/stripe/webhook", view_func=flask_webhook(verifier=webhooks, store=db.event_ids, on_event=on_event,
                                                                on_error=on_error), methods=["POST"])
    if notifications is not None:
        app.add_url_rule("/stripe/events", endpoint="stripe_events", methods=["POST"],
                         view_func=flask_webhook(verifier=notifications, kind="thin", store=db.event_ids,
                                                 on_event=on_notification, on_error=on_error))

    def store_json() -> Dict[str, Any]:
        # For the demo and the tests: what the platform stored, tokens redacted.
        def redact(t: Optional[str]) -> Optional[str]:
            return f"…{t[-4:]}" if t else t

        with db.lock:  # a consistent picture: never an event whose effects are half applied
            return snapshot(redact)

    def snapshot(redact: Callable[[Optional[str]], Optional[str]]) -> Dict[str, Any]:
        return {
            "installs": {a: {k: v for k, v in i.items() if k != "session"} for a, i in db.installs.items()},
            "connections": {
                a: {**{k: v for k, v in c.items() if k != "session"}, "accessToken": redact(c["accessToken"]),
                    "refreshToken": redact(c["refreshToken"])}
                for a, c in db.connections.items()
            },
            "appConnections": {
                a: {**{k: v for k, v in c.items() if k != "session"}, "bound": c["session"] is not None,
                    "accessToken": redact(c["accessToken"]), "refreshToken": redact(c["refreshToken"])}
                for a, c in db.app_connections.items()
            },
            "onboarding": {a: {k: v for k, v in o.items() if k != "session"} for a, o in db.onboarding.items()},
            "usedNonces": len(db.state_nonces),
            "events": db.events,
            "notifications": db.notifications,
        }  # fmt: skip

    if expose_store:  # demo and tests only: what the platform stored, tokens redacted. Never in production.
        app.get("/store.json")(store_json)

    @app.errorhandler(sh.StripeHandshakeError)
    @app.errorhandler(Refusal)
    def refused(e: Exception) -> Response:
        # The code is stable and safe to show; the message says what to do next.
        return view(400, "rejected", "Request refused", str(e), getattr(e, "code", "refused"))

    return app


# The POST routes Stripe calls: they prove themselves with a Stripe-Signature, not an Origin.
FROM_STRIPE = frozenset({"/stripe/webhook", "/stripe/events"})


def esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def page(status: int, title: str, inner: str) -> Response:
    body = (
        f'<!doctype html><meta charset="utf-8"><title>{esc(title)}</title>'
        f'<body style="font-family:sans-serif;max-width:40em;margin:3em auto">{inner}</body>'
    )
    return Response(body, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def view(status: int, outcome: str, title: str, text: str, code: str = "") -> Response:
    code_line = f'<p>Code: <code id="code">{esc(code)}</code></p>' if code else ""
    return page(
        status,
        title,
        f'<main id="result" data-outcome="{esc(outcome)}"><h1>{esc(title)}</h1><p id="message">{esc(text)}</p>'
        f'{code_line}</main><p><a href="/">Back</a></p>',
    )


if __name__ == "__main__":
    env = os.environ
    port = int(env.get("PORT", "5000"))
    create_app(
        public_url=env.get("PUBLIC_URL", f"http://127.0.0.1:{port}"),
        stripe_base=env.get("STRIPE_BASE"),  # e.g. http://127.0.0.1:12111 for the emulator
        app_secret=env["STRIPE_APP_SECRET"],
        link_id=env["STRIPE_INSTALL_LINK_ID"],
        app_client_id=env["STRIPE_APP_CLIENT_ID"],
        client_id=env["STRIPE_CLIENT_ID"],
        secret_key=env["STRIPE_SECRET_KEY"],
        webhook_secret=env["STRIPE_WEBHOOK_SECRET"],
        notification_secret=env.get("STRIPE_NOTIFICATION_SECRET"),
        app_secret_key=env.get("STRIPE_APP_SECRET_KEY"),
        app_test_link_id=env.get("STRIPE_APP_TEST_LINK_ID"),
        app_sandbox={"link_id": env["STRIPE_APP_SANDBOX_LINK_ID"], "client_id": env["STRIPE_APP_SANDBOX_CLIENT_ID"],
                     "secret_key": env["STRIPE_APP_SANDBOX_SECRET_KEY"]} if env.get("STRIPE_APP_SANDBOX_LINK_ID") else None,
        state_key=bytes.fromhex(env.get("STATE_KEY_HEX", secrets.token_hex(32))),
        expose_store=env.get("DEMO_EXPOSE_STORE") == "1",
    ).run(host="127.0.0.1", port=port, threaded=True)
