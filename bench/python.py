"""Python: ours against the ``stripe`` PyPI package, round-robin in the same run."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlencode

import stripe

import stripe_handshake as sh

REPS = int(os.environ.get("BENCH_REPS", "7"))


class Case:
    def __init__(self, name: str, fn: Callable[[], object], peer: Optional[str] = None) -> None:
        self.name, self.fn, self.peer = name, fn, peer
        self.iters = 1
        self.samples: List[float] = []


def bench(cases: List[Case]) -> List[Case]:
    for c in cases:
        n = 1
        while True:
            t = time.perf_counter_ns()
            for _ in range(n):
                c.fn()
            if time.perf_counter_ns() - t >= 20_000_000:
                break
            n *= 2
        c.iters = n
    for _ in range(REPS):
        for c in cases:
            fn = c.fn
            t = time.perf_counter_ns()
            for _ in range(c.iters):
                fn()
            c.samples.append((time.perf_counter_ns() - t) / c.iters)
    return cases


def median(v: List[float]) -> float:
    return sorted(v)[len(v) // 2]


def table(title: str, cases: List[Case]) -> str:
    by: Dict[str, Case] = {c.name: c for c in cases}
    lines = [f"\n### {title}\n", "| case | median ns/op | min | max | speed-up vs peer |", "| --- | ---: | ---: | ---: | --- |"]
    for c in cases:
        m = median(c.samples)
        ratio = f"**{median(by[c.peer].samples) / m:.1f}x** faster than {c.peer}" if c.peer else ""
        lines.append(f"| {c.name} | {m:.0f} | {min(c.samples):.0f} | {max(c.samples):.0f} | {ratio} |")
    return "\n".join(lines)


def event_of_size(size: int) -> bytes:
    def make(n: int) -> str:
        return json.dumps({"id": "evt_1", "type": "a.b", "livemode": False, "created": 1, "data": {"object": {"p": "x" * n}}},
                          separators=(",", ":"))
    return make(max(0, size - len(make(0)))).encode()


def ignore(fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except Exception:
            pass
    return run


def main() -> None:
    secret = "whsec_bench_secret_0123456789"
    now = int(time.time())
    out = []
    for size in (100, 2048, 65536):
        body = event_of_size(size)
        text = body.decode()
        header = sh.sign_header(body, secret, now)
        bad = header[:-1] + ("1" if header.endswith("0") else "0")
        verifier = sh.Verifier(secret)
        verify_header = stripe.WebhookSignature.verify_header
        cases = [
            Case("stripe.WebhookSignature.verify_header (valid)", lambda: verify_header(text, header, secret, 300)),
            Case("ours: Verifier.verify (valid, bytes)", lambda: verifier.verify(body, header, now=now),
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("ours: Verifier.check (valid, bytes)", lambda: verifier.check(body, header, now=now),
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("ours: verify_signature one-shot (valid, bytes)", lambda: sh.verify_signature(body, header, secrets=secret, now=now),
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("stripe.WebhookSignature.verify_header (invalid)", ignore(lambda: verify_header(text, bad, secret, 300))),
            Case("ours: Verifier.check (invalid, fast path)", lambda: verifier.check(body, bad, now=now),
                 "stripe.WebhookSignature.verify_header (invalid)"),
            Case("ours: Verifier.verify (invalid)", ignore(lambda: verifier.verify(body, bad, now=now)),
                 "stripe.WebhookSignature.verify_header (invalid)"),
            Case("stripe.Webhook.construct_event (valid)", lambda: stripe.Webhook.construct_event(text, header, secret)),
            Case("ours: Verifier.verify_webhook (valid)", lambda: verifier.verify_webhook(body, header, now=now),
                 "stripe.Webhook.construct_event (valid)"),
        ]
        out.append(table(f"Python: Stripe-Signature, {len(body)}-byte payload", bench(cases)))

    app = "absec_bench"
    state = "st_8hG2kqLm"
    payload = json.dumps({"state": state, "user_id": "usr_123", "account_id": "acct_123"}, separators=(",", ":"))
    sig = stripe.WebhookSignature.generate_signature_header(payload, app, now)
    query = urlencode({"user_id": "usr_123", "account_id": "acct_123", "state": state, "install_signature": sig})
    allow = sh.RedirectAllowList(["https://platform.example/callback"])

    def by_hand() -> None:
        q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        p = json.dumps({"state": q["state"], "user_id": q["user_id"], "account_id": q["account_id"]},
                       separators=(",", ":"), ensure_ascii=False)
        stripe.WebhookSignature.verify_header(p, q["install_signature"], app, 300)
        if q["state"] != state:
            raise ValueError("state")

    cases = [
        Case("by hand: parse_qs + json.dumps(JSON.stringify settings) + verify_header + state ==", by_hand),
        Case("ours: verify_install_callback", lambda: sh.verify_install_callback(query, secrets=app, now=now, expected_state=state),
             "by hand: parse_qs + json.dumps(JSON.stringify settings) + verify_header + state =="),
        Case("stripe.OAuth.authorize_url", lambda: stripe.OAuth.authorize_url(
            response_type="code", client_id="ca_123456", scope="read_write", redirect_uri="https://platform.example/callback", state=state)),
        Case("ours: connect_oauth_link", lambda: sh.connect_oauth_link(client_id="ca_123456", account_type="standard", scope="read_write",
                                                                        state=state, allow_list=allow), "stripe.OAuth.authorize_url"),
    ]
    out.append(table("Python: install callback and Connect link", bench(cases)))
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
