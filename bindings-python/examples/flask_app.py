"""A platform's two Stripe endpoints with Flask: the install callback and the webhook.

Run: STRIPE_APP_SECRET=absec_... STRIPE_WEBHOOK_SECRET=whsec_... flask --app examples/flask_app run
"""

from __future__ import annotations

import os
import secrets
from typing import Callable, Optional

from flask import Flask, Response, jsonify, redirect, request, session
from werkzeug.wrappers.response import Response as Redirect

import stripe_handshake as sh


def create_app(
    *,
    app_secret: str,
    webhook_secret: str,
    state_key: bytes,
    link_id: str = "your_install_link_id",
    on_install: Optional[Callable[[str], None]] = None,
    on_deauthorize: Optional[Callable[[str], None]] = None,
) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    allow = sh.RedirectAllowList(["http://localhost:5000/stripe/callback"], test_mode=True)
    keys = [("k1", state_key)]
    webhooks = sh.Verifier(webhook_secret)  # prepared once: the fast path

    def session_id() -> str:
        if "sid" not in session:
            session["sid"] = secrets.token_urlsafe(16)
        sid: str = session["sid"]
        return sid

    @app.get("/install")
    def install() -> Redirect:
        # 1. Send the user to Stripe with a state token bound to their session.
        state = sh.issue_state_token(keys=keys, flow="install_link", session_id=session_id())
        return redirect(sh.install_link(link_id=link_id, state=state, allow_list=allow))

    @app.get("/stripe/callback")
    def callback() -> tuple[Response, int]:
        # 2. Verify install_signature, the time window and state from the raw query string.
        query = request.query_string.decode("utf-8", "replace")
        result = sh.verify_install_callback(query, secrets=app_secret, state_keys=keys, session_id=session_id())
        if result.outcome == "denied":
            return jsonify(installed=False, reason=result.kind), 200
        assert result.account_id is not None
        if on_install:
            on_install(result.account_id)  # also: refuse a second use of result.state_nonce
        return jsonify(installed=True, account=result.account_id), 200

    @app.post("/stripe/webhook")
    def webhook() -> tuple[Response, int]:
        # 3. Verify the raw body bytes, never re-serialized JSON.
        event = webhooks.verify_webhook(request.get_data(), request.headers.get("Stripe-Signature", ""))
        if event.type == "account.application.deauthorized" and event.account and on_deauthorize:
            on_deauthorize(event.account)
        return jsonify(received=True), 200

    @app.errorhandler(sh.StripeHandshakeError)
    def refused(e: sh.StripeHandshakeError) -> tuple[Response, int]:
        return jsonify(error=e.code), 400

    return app


if __name__ == "__main__":
    create_app(
        app_secret=os.environ["STRIPE_APP_SECRET"],
        webhook_secret=os.environ["STRIPE_WEBHOOK_SECRET"],
        state_key=bytes.fromhex(os.environ.get("STATE_KEY_HEX", secrets.token_hex(32))),
    ).run(port=5000)
