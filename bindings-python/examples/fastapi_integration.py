"""A Stripe App's backend in FastAPI: the install link (state bound to the browser, one-time) and the
webhook. Run: uvicorn examples.fastapi_integration:app. Tested in tests/test_integrations.py."""

import base64
import os
import secrets
from typing import Set

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse

import stripe_handshake as sh
from stripe_handshake.adapters import starlette_webhook
from stripe_handshake.flows import StripeAppFlow
from stripe_handshake.records import WebhookEvent
from stripe_handshake.stores import MemoryStore

env = os.environ  # PUBLIC_URL, STATE_KEY (32+ random bytes, base64), STRIPE_INSTALL_LINK_ID, STRIPE_APP_SECRET, STRIPE_WEBHOOK_SECRET
store = MemoryStore()  # several processes: RedisStore(redis.Redis(...))
installs = StripeAppFlow(
    access_type="install_link", link_id=env["STRIPE_INSTALL_LINK_ID"], secrets=env["STRIPE_APP_SECRET"], store=store,
    allow_list=sh.RedirectAllowList([f"{env['PUBLIC_URL']}/stripe/callback"], test_mode=env.get("STRIPE_TEST_MODE") == "1"),
    state_keys=[("k1", base64.b64decode(env["STATE_KEY"]))], base_url=env.get("STRIPE_BASE_URL"))  # unset: Stripe
accounts: Set[str] = set()  # your database


def on_event(event: WebhookEvent) -> None:
    if event.type == "account.application.deauthorized" and event.account:
        accounts.discard(event.account)


app = FastAPI()
app.add_route("/stripe/webhook", starlette_webhook(secrets=env["STRIPE_WEBHOOK_SECRET"], store=store, on_event=on_event), methods=["POST"])


@app.get("/install")
def install(request: Request) -> RedirectResponse:  # plain def: FastAPI runs it (and the store) in a thread
    sid = request.cookies.get("sid") or secrets.token_urlsafe(32)
    res = RedirectResponse(installs.start(session_id=sid), status_code=302)
    res.set_cookie("sid", sid, httponly=True, samesite="lax", secure=env["PUBLIC_URL"].startswith("https:"))
    return res


@app.get("/stripe/callback")
def callback(request: Request) -> PlainTextResponse:
    try:
        r = installs.finish(request.url.query, session_id=request.cookies.get("sid", ""))  # a reload: state_replayed
    except sh.StripeHandshakeError as e:
        return PlainTextResponse(f"This install link cannot be used ({e.code}): start again from /install.", status_code=400)
    if r.outcome == "installed":
        accounts.add(r.account_id)
    return PlainTextResponse(f"Installed on {r.account_id}." if r.outcome == "installed" else "Installation cancelled.")
