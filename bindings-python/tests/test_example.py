"""The README's Flask example, driven through Flask's test client."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import List
from urllib.parse import parse_qs, urlencode, urlsplit

import stripe

import stripe_handshake as sh

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from flask_app import create_app  # noqa: E402


def test_install_and_webhook() -> None:
    installs: List[str] = []
    gone: List[str] = []
    app = create_app(app_secret="absec_ex", webhook_secret="whsec_ex", state_key=bytes(32), link_id="lnk_1",
                     on_install=installs.append, on_deauthorize=gone.append)
    client = app.test_client()
    start = client.get("/install")
    assert start.status_code == 302
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    payload = json.dumps({"state": state, "user_id": "usr_1", "account_id": "acct_1"}, separators=(",", ":"))
    sig = stripe.WebhookSignature.generate_signature_header(payload, "absec_ex")
    query = urlencode({"user_id": "usr_1", "account_id": "acct_1", "state": state, "install_signature": sig})
    ok = client.get(f"/stripe/callback?{query}")
    assert ok.get_json() == {"installed": True, "account": "acct_1"}
    # Another browser (a fresh client, another session) is refused.
    other = app.test_client().get(f"/stripe/callback?{query}")
    assert (other.status_code, other.get_json()) == (400, {"error": "state_session_mismatch"})
    cancel = client.get("/stripe/callback?error=access_denied&error_description=The+user+denied")
    assert cancel.get_json() == {"installed": False, "reason": "access_denied"}

    body = json.dumps({"id": "evt_1", "object": "event", "type": "account.application.deauthorized", "account": "acct_1",
                       "livemode": False, "created": 1, "data": {"object": {"id": "ca_1", "object": "application"}}})
    header = sh.sign_header(body, "whsec_ex", int(time.time()))
    assert client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": header}).status_code == 200
    forged = client.post("/stripe/webhook", data=body.replace("acct_1", "acct_2"), headers={"Stripe-Signature": header})
    assert (forged.status_code, forged.get_json()) == (400, {"error": "signature_mismatch"})
    assert installs == ["acct_1"] and gone == ["acct_1"]
