"""A Stripe App's backend in Flask: the install link (state bound to the browser, one-time) and the
webhook. Run: flask --app examples/flask_integration.py run. Tested in tests/test_integrations.py."""

import base64
import os
import secrets
from typing import Set

from flask import Flask, redirect, request, session
from werkzeug.wrappers import Response

import stripe_handshake as sh
from stripe_handshake.adapters import flask_webhook
from stripe_handshake.flows import StripeAppFlow
from stripe_handshake.records import WebhookEvent
from stripe_handshake.stores import MemoryStore

env = os.environ  # PUBLIC_URL, FLASK_SECRET_KEY, STATE_KEY (32+ random bytes, base64), STRIPE_INSTALL_LINK_ID, STRIPE_APP_SECRET, STRIPE_WEBHOOK_SECRET
store = MemoryStore()  # several processes: RedisStore(redis.Redis(...))
installs = StripeAppFlow(
    access_type="install_link", link_id=env["STRIPE_INSTALL_LINK_ID"], secrets=env["STRIPE_APP_SECRET"], store=store,
    allow_list=sh.RedirectAllowList([f"{env['PUBLIC_URL']}/stripe/callback"], test_mode=env.get("STRIPE_TEST_MODE") == "1"),
    state_keys=[("k1", base64.b64decode(env["STATE_KEY"]))], base_url=env.get("STRIPE_BASE_URL"))  # unset: Stripe
accounts: Set[str] = set()  # your database


def on_event(event: WebhookEvent) -> None:
    if event.type == "account.application.deauthorized" and event.account:
        accounts.discard(event.account)


app = Flask(__name__)
app.secret_key = env["FLASK_SECRET_KEY"]  # signs the session cookie that holds the browser's id
app.config.update(MAX_CONTENT_LENGTH=1 << 20, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=env["PUBLIC_URL"].startswith("https:"))
app.add_url_rule("/stripe/webhook", view_func=flask_webhook(secrets=env["STRIPE_WEBHOOK_SECRET"], store=store, on_event=on_event),
                 methods=["POST"])


@app.get("/install")
def install() -> Response:
    return redirect(installs.start(session_id=session.setdefault("sid", secrets.token_urlsafe(32))))


@app.get("/stripe/callback")
def callback() -> tuple[str, int]:
    try:
        r = installs.finish(request.query_string, session_id=session.get("sid", ""))  # a reload: state_replayed
    except sh.StripeHandshakeError as e:
        return f"This install link cannot be used ({e.code}): start again from /install.", 400
    if r.outcome == "installed":
        accounts.add(r.account_id)
    return (f"Installed on {r.account_id}." if r.outcome == "installed" else "Installation cancelled."), 200
