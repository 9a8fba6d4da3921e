"""The Flask example platform through Flask's test client (the full flows run in tests/e2e)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
import re
from typing import TYPE_CHECKING, Optional, Tuple
from urllib.parse import parse_qs, urlencode, urlsplit

import stripe

import stripe_handshake as sh

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from flask_app import Store, create_app  # noqa: E402

if TYPE_CHECKING:
    from werkzeug.test import TestResponse


def outcome(res: "TestResponse") -> Tuple[int, Optional[str]]:
    m = re.search(r'data-outcome="(\w+)"', res.get_data(as_text=True))
    return res.status_code, m.group(1) if m else None


def test_install_and_webhook() -> None:
    store = Store()
    app = create_app(public_url="http://127.0.0.1:5000", app_secret="absec_ex", link_id="lnk_1", app_client_id="ca_app", client_id="ca_1",
                     secret_key="sk_test_1", webhook_secret="whsec_ex", state_key=bytes(32), store=store)
    client = app.test_client()
    start = client.get("/install")
    assert start.status_code == 302
    link = parse_qs(urlsplit(start.headers["Location"]).query)
    assert link["redirect_uri"] == ["http://127.0.0.1:5000/stripe/install/callback"]
    state = link["state"][0]
    payload = json.dumps({"state": state, "user_id": "usr_1", "account_id": "acct_1"}, separators=(",", ":"))
    sig = stripe.WebhookSignature.generate_signature_header(payload, "absec_ex")
    query = urlencode({"user_id": "usr_1", "account_id": "acct_1", "state": state, "install_signature": sig})
    # Another browser (a fresh client, another session) is refused.
    assert outcome(app.test_client().get(f"/stripe/install/callback?{query}")) == (400, "rejected")
    assert outcome(client.get(f"/stripe/install/callback?{query}")) == (200, "installed")
    assert outcome(client.get(f"/stripe/install/callback?{query}")) == (400, "rejected")  # replayed
    cancel = client.get("/stripe/install/callback?error=access_denied&error_description=The+user+denied")
    assert outcome(cancel) == (200, "denied")
    assert list(store.installs) == ["acct_1"]

    body = json.dumps({"id": "evt_1", "object": "event", "type": "account.application.deauthorized", "account": "acct_1",
                       "livemode": False, "created": 1, "data": {"object": {"id": "ca_app", "object": "application"}}})
    header = sh.sign_header(body, "whsec_ex", int(time.time()))
    assert client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": header}).status_code == 200
    forged = client.post("/stripe/webhook", data=body.replace("acct_1", "acct_2"), headers={"Stripe-Signature": header})
    assert (forged.status_code, forged.get_json()) == (400, {"error": "signature_mismatch"})  # the adapter's answer
    assert store.installs == {} and [e["account"] for e in store.events] == ["acct_1"]
    # Stripe retries deliveries: the same event is handled once.
    assert client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": header}).status_code == 200
    assert len(store.events) == 1
    # Forms that change something must come from the platform's own pages.
    cross = client.post("/connections/refresh", data={"account": "acct_1"}, headers={"Origin": "https://evil.example"})
    assert outcome(cross) == (400, "rejected") and "cross_origin" in cross.get_data(as_text=True)
    assert client.get("/store.json").status_code == 404  # only with expose_store
