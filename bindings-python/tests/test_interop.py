"""The real ``stripe`` PyPI package as the oracle."""

from __future__ import annotations

import json
import random
import time
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import stripe

import stripe_handshake as sh

SECRET = "whsec_interop_secret"
APP_SECRET = "absec_interop_secret"
NOW = int(time.time())
POOL = ["a", "Z", "0", " ", "+", "%", "&", "=", "?", "#", "/", "\\", '"', "'", "<", ">", "\n", "\t", "\x00", "\x1f",
        "\x7f", "é", "ß", "中", "😀", "\u2028", "\u2029", "\ufeff", "%20", "%2B", "+%", "&state=x"]


def random_state(r: random.Random) -> str:
    return "".join(r.choice(POOL) for _ in range(r.randrange(24)))


def js_stringify(state: Optional[str], user_id: str, account_id: str) -> str:
    """What Stripe signs: JavaScript's JSON.stringify({state, user_id, account_id})."""
    obj = {"state": state, "user_id": user_id, "account_id": account_id}
    if state is None:  # JSON.stringify drops undefined
        del obj["state"]
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def test_stripe_verify_header_accepts_what_we_sign() -> None:
    for i in range(200):
        payload = json.dumps({"id": f"evt_{i}", "object": "event", "type": "customer.created"})
        header = sh.sign_header(payload, SECRET, NOW)
        assert stripe.WebhookSignature.verify_header(payload, header, SECRET, 300)
        event = stripe.Webhook.construct_event(payload, header, SECRET)
        assert event.id == f"evt_{i}"
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.WebhookSignature.verify_header(payload + " ", header, SECRET, 300)


def test_a_body_that_is_not_utf8_is_refused_as_construct_event_refuses_it() -> None:
    # The accept twin holds "-" in a field nobody reads; the reject twin the byte 0xFF there.
    verifier = sh.Verifier([SECRET])
    good = b'{"id":"evt_1","object":"event","type":"a.b","livemode":false,"created":1,"note":"-","data":{"object":{}}}'
    bad = good.replace(b'"-"', b'"\xff"')
    for body, accepted in [(good, True), (bad, False)]:
        header = sh.sign_header(body, SECRET, NOW)
        if accepted:
            assert stripe.Webhook.construct_event(body, header, SECRET).id == "evt_1"
            assert verifier.verify_webhook(body, header, now=NOW).id == "evt_1"
            continue
        with pytest.raises(UnicodeDecodeError):
            stripe.Webhook.construct_event(body, header, SECRET)
        with pytest.raises(sh.StripeHandshakeError) as e:
            verifier.verify_webhook(body, header, now=NOW)
        assert e.value.code == "malformed_event"


def test_we_accept_what_stripe_signs() -> None:
    r = random.Random(1)
    verifier = sh.Verifier([SECRET])
    for i in range(500):
        payload = json.dumps({"id": f"evt_{i}", "note": random_state(r)}, ensure_ascii=False)
        header = stripe.WebhookSignature.generate_signature_header(payload, SECRET, NOW - i % 300)
        assert verifier.verify(payload, header, now=NOW).secret_index == 0
        assert verifier.verify(payload.encode(), header, now=NOW).timestamp == NOW - i % 300
        with pytest.raises(sh.SignatureVerificationError) as e:
            verifier.verify(payload + "x", header, now=NOW)
        assert e.value.code == "signature_mismatch"


def test_install_callbacks_signed_like_stripe_verify_and_tampering_is_refused() -> None:
    r = random.Random(2026)
    states: List[Optional[str]] = [None, "", " ", "+", "%", "&", "%zz"]
    states += [None if r.random() < 0.05 else random_state(r) for _ in range(3000)]
    naive_failures = 0
    for state in states:
        user_id = f"usr_{r.randrange(10**9):x}"
        account_id = f"acct_{r.randrange(10**9):x}"
        payload = js_stringify(state, user_id, account_id)
        assert sh.install_payload(user_id=user_id, account_id=account_id, state=state) == payload
        signature = stripe.WebhookSignature.generate_signature_header(payload, APP_SECRET, NOW)
        params = {"user_id": user_id, "account_id": account_id}
        if state is not None:
            params["state"] = state
        params["install_signature"] = signature
        query = urlencode(params)
        check: Dict[str, Any]
        if not state:
            # No state: a Marketplace install, accepted only when asked for (the key-omitted
            # form is what UI extensions sign).
            form = "omitted" if state is None else "empty"
            check = {"marketplace": "accept_ui_extension_form"}
            m = sh.verify_install_callback(query, secrets=APP_SECRET, now=NOW, **check)
            assert m.outcome == "marketplace_install" and (m.account_id, m.signed_form) == (account_id, form)
            with pytest.raises(sh.StateError) as refused:
                sh.verify_install_callback(query, secrets=APP_SECRET, now=NOW, expected_state="st")
            assert refused.value.code == "state_missing"
        else:
            check = {"expected_state": state}
            res = sh.verify_install_callback(query, secrets=APP_SECRET, now=NOW, **check)
            assert res.outcome == "installed"
            assert (res.account_id, res.state) == (account_id, state)

        # What users write by hand today with stripe-python: json.dumps with its defaults.
        try:
            naive = json.dumps({"state": state, "user_id": user_id, "account_id": account_id})
            stripe.WebhookSignature.verify_header(naive, signature, APP_SECRET, 300)
        except stripe.SignatureVerificationError:
            naive_failures += 1

        for key, value in [("account_id", account_id + "x"), ("user_id", "usr_other"), ("state", (state or "") + "x"),
                           ("install_signature", signature.replace(f"t={NOW}", f"t={NOW + 1}")),
                           ("install_signature", signature[:-1] + ("1" if signature.endswith("0") else "0"))]:
            bad = dict(params, **{key: value})
            with pytest.raises(sh.StripeHandshakeError) as e:
                sh.verify_install_callback(urlencode(bad), secrets=APP_SECRET, now=NOW, **check)
            assert e.value.code in {"signature_mismatch", "state_mismatch", "unexpected_state"}
        with pytest.raises(sh.SignatureVerificationError) as e:
            sh.verify_install_callback(query, secrets=APP_SECRET, now=NOW + 301, **check)
        assert e.value.code == "timestamp_too_old"
    # The hand-written check fails for every install: the bug this library removes.
    assert naive_failures == len(states)


def test_connect_link_matches_stripe_authorize_url_but_for_encoding() -> None:
    allow = sh.RedirectAllowList(["https://platform.example/callback"])
    ours = sh.connect_oauth_link(client_id="ca_interop123", account_type="standard", scope="read_only", allow_list=allow,
                                 state="a b+c/é😀&x=1", stripe_landing="register", always_prompt=True,
                                 stripe_user={"email": "o@x.example", "business_name": "Café & Co"})
    theirs = stripe.OAuth.authorize_url(
        response_type="code", client_id="ca_interop123", scope="read_only", redirect_uri="https://platform.example/callback",
        state="a b+c/é😀&x=1", stripe_landing="register", always_prompt=True,
        stripe_user={"email": "o@x.example", "business_name": "Café & Co"},
    )
    o, t = urlsplit(ours), urlsplit(theirs)
    assert (o.scheme, o.netloc, o.path) == (t.scheme, t.netloc, t.path)
    # The same parameters, in the same order, once decoded.
    assert parse_qsl(o.query) == parse_qsl(t.query)
    # The documented difference: RFC 3986 %20 and literal brackets here; '+' and %5B/%5D there.
    assert "state=a%20b%2Bc" in ours and "state=a+b%2Bc" in theirs
    assert "stripe_user[email]=" in ours and "stripe_user%5Bemail%5D=" in theirs


def test_event_notifications_agree_with_stripe_parse_event_notification() -> None:
    """stripe-python reads the same envelope from every verified notification of the corpus
    (re-signed now: its verifier has no clock argument), and each library refuses the other kind."""
    import datetime
    import os

    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "vectors", "notifications.json")
    with open(path, encoding="utf-8") as f:
        cases = [c for c in json.load(f)["cases"] if c["op"] == "verify_event_notification" and "ok" in c]
    assert len(cases) >= 10
    client = stripe.StripeClient("sk_test_interop_only")
    for c in cases:
        payload = c["input"]["payload"]
        header = stripe.WebhookSignature.generate_signature_header(payload, SECRET, NOW)
        ours = sh.verify_event_notification(payload, header, secrets=SECRET, now=NOW)
        try:
            theirs = client.parse_event_notification(payload, header, SECRET)
        except KeyError:
            # stripe-python's own older fixture has a `reason` without `type`, which today's
            # stripe-python cannot read; we do not interpret `reason` (it is in `raw`).
            assert c["id"] == "python-fixture" and ours.raw["reason"] == {"id": "foo", "idempotency_key": "bar"}
            continue
        assert (ours.id, ours.type, ours.created_rfc3339, ours.livemode) == (theirs.id, theirs.type, theirs.created, theirs.livemode), c["id"]
        created = datetime.datetime.fromisoformat(theirs.created.replace("Z", "+00:00").replace("z", "+00:00").replace("t", "T"))
        assert ours.created == int(created.timestamp() // 1), c["id"]
        assert (ours.context or "") == (str(theirs.context) if theirs.context else ""), c["id"]
        related = getattr(theirs, "related_object", None)
        if related is None:
            assert ours.related_object is None, c["id"]
        else:
            assert ours.related_object is not None
            assert (ours.related_object.type, ours.related_object.url) == (related.type, related.url), c["id"]
            assert ours.related_object.id == getattr(related, "id", None), c["id"]
    # Reject twins: a thin body to construct_event / verify_webhook, a snapshot to the notification parsers.
    thin = json.dumps({"id": "evt_1", "object": "v2.core.event", "type": "v1.customer.created", "livemode": False,
                       "created": "2026-10-01T00:00:00Z",
                       "related_object": {"id": "cus_1", "type": "customer", "url": "/v1/customers/cus_1"}})
    thin_header = sh.sign_header(thin, SECRET, NOW)
    assert client.parse_event_notification(thin, thin_header, SECRET).id == "evt_1"
    with pytest.raises(sh.InvalidInputError) as e:
        sh.Verifier(SECRET).verify_webhook(thin, thin_header, now=NOW)
    assert e.value.code == "event_notification_given"
    snap = json.dumps({"id": "evt_2", "object": "event", "type": "customer.created", "livemode": False, "created": NOW,
                       "data": {"object": {}}})
    snap_header = sh.sign_header(snap, SECRET, NOW)
    with pytest.raises(ValueError):
        client.parse_event_notification(snap, snap_header, SECRET)
    with pytest.raises(sh.InvalidInputError) as e:
        sh.verify_event_notification(snap, snap_header, secrets=SECRET, now=NOW)
    assert e.value.code == "snapshot_event_given"
