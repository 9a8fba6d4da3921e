"""Python: ours against the ``stripe`` PyPI package, round-robin in the same run."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlencode

import stripe

import stripe_handshake as sh

REPS = int(os.environ.get("BENCH_REPS", "11"))


class Case:
    """One benchmark case: a statement run in a loop of its own (as timeit does).

    The statement is compiled into a function generated for this case alone, so the loop
    calls the measured code directly: no lambda in between (whose call would add the same
    constant to both sides and shrink every ratio), and no call site shared between cases
    (CPython 3.11 specialises each call site for the callee it sees).
    """

    def __init__(self, name: str, stmt: str, peer: Optional[str] = None) -> None:
        self.name, self.stmt, self.peer = name, stmt, peer
        self.iters = 1
        self.samples: List[float] = []
        self.loop: Callable[[int], None] = lambda n: None

    def compile(self, namespace: Dict[str, object]) -> None:
        body = "\n".join("        " + line for line in self.stmt.splitlines())
        src = f"def loop(n):\n    for _ in range(n):\n{body}\n"
        scope: Dict[str, object] = dict(namespace)
        exec(compile(src, f"<case {self.name}>", "exec"), scope)
        self.loop = scope["loop"]  # type: ignore[assignment]


def time_once(c: Case, n: int) -> int:
    t = time.perf_counter_ns()
    c.loop(n)
    return time.perf_counter_ns() - t


def bench(cases: List[Case], namespace: Dict[str, object]) -> List[Case]:
    for c in cases:
        c.compile(namespace)
        n = 1
        while time_once(c, n) < 20_000_000:
            n *= 2
        c.iters = n
    for c in cases:
        time_once(c, c.iters)  # warm-up repetition, not recorded
    for _ in range(REPS):
        for c in cases:
            c.samples.append(time_once(c, c.iters) / c.iters)
    return cases


def median(v: List[float]) -> float:
    return sorted(v)[len(v) // 2]


def speed_up(c: Case, peer: Case) -> Tuple[float, float, float]:
    """The median of the per-repetition ratios peer/ours, and their range."""
    ratios = [p / o for p, o in zip(peer.samples, c.samples)]
    return median(ratios), min(ratios), max(ratios)


def table(title: str, cases: List[Case]) -> str:
    by: Dict[str, Case] = {c.name: c for c in cases}
    lines = [f"\n### {title}\n", "| case | median ns/op | min | max | speed-up vs peer (median, range) |",
             "| --- | ---: | ---: | ---: | --- |"]
    for c in cases:
        m = median(c.samples)
        ratio = ""
        if c.peer:
            r, lo, hi = speed_up(c, by[c.peer])
            ratio = f"**{r:.1f}x** ({lo:.1f}–{hi:.1f}) vs {c.peer}"
        lines.append(f"| {c.name} | {m:.0f} | {min(c.samples):.0f} | {max(c.samples):.0f} | {ratio} |")
    return "\n".join(lines)


def event_of_size(size: int) -> bytes:
    def make(n: int) -> str:
        return json.dumps({"id": "evt_1", "type": "a.b", "livemode": False, "created": 1, "data": {"object": {"p": "x" * n}}},
                          separators=(",", ":"))
    return make(max(0, size - len(make(0)))).encode()


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
        ns: Dict[str, object] = {"stripe": stripe, "sh": sh, "verify_header": stripe.WebhookSignature.verify_header,
                                 "construct_event": stripe.Webhook.construct_event, "verifier": verifier, "body": body,
                                 "text": text, "header": header, "bad": bad, "secret": secret, "now": now}
        cases = [
            Case("stripe.WebhookSignature.verify_header (valid)", "verify_header(text, header, secret, 300)"),
            Case("ours: Verifier.verify (valid, bytes)", "verifier.verify(body, header, now=now)",
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("ours: Verifier.check (valid, bytes)", "verifier.check(body, header, now=now)",
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("ours: verify_signature one-shot (valid, bytes)", "sh.verify_signature(body, header, secrets=secret, now=now)",
                 "stripe.WebhookSignature.verify_header (valid)"),
            Case("stripe.WebhookSignature.verify_header (invalid)",
                 "try:\n    verify_header(text, bad, secret, 300)\nexcept Exception:\n    pass"),
            Case("ours: Verifier.check (invalid, fast path)", "verifier.check(body, bad, now=now)",
                 "stripe.WebhookSignature.verify_header (invalid)"),
            Case("ours: Verifier.verify (invalid)", "try:\n    verifier.verify(body, bad, now=now)\nexcept Exception:\n    pass",
                 "stripe.WebhookSignature.verify_header (invalid)"),
            Case("stripe.Webhook.construct_event (valid)", "construct_event(text, header, secret)"),
            Case("ours: Verifier.verify_webhook (valid)", "verifier.verify_webhook(body, header, now=now)",
                 "stripe.Webhook.construct_event (valid)"),
        ]
        out.append(table(f"Python: Stripe-Signature, {len(body)}-byte payload", bench(cases, ns)))

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

    ns2: Dict[str, object] = {"stripe": stripe, "sh": sh, "by_hand": by_hand, "query": query, "app": app, "now": now,
                              "state": state, "allow": allow}
    cases = [
        Case("by hand: parse_qs + json.dumps(JSON.stringify settings) + verify_header + state ==", "by_hand()"),
        Case("ours: verify_install_callback", "sh.verify_install_callback(query, secrets=app, now=now, expected_state=state)",
             "by hand: parse_qs + json.dumps(JSON.stringify settings) + verify_header + state =="),
        Case("stripe.OAuth.authorize_url",
             "stripe.OAuth.authorize_url(response_type='code', client_id='ca_123456', scope='read_write',"
             " redirect_uri='https://platform.example/callback', state=state)"),
        Case("ours: connect_oauth_link",
             "sh.connect_oauth_link(client_id='ca_123456', account_type='standard', scope='read_write', state=state, allow_list=allow)",
             "stripe.OAuth.authorize_url"),
    ]
    out.append(table("Python: install callback and Connect link", bench(cases, ns2)))
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
