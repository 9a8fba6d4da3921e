#!/usr/bin/env python3
"""Constant-time check of the core under valgrind memcheck (the ctgrind method).

Each scenario of the `ct` workload marks its secret (signing secret, state key, expected
plain state, HMAC key) as undefined memory. Memcheck then reports every conditional jump and
every memory address that depends on it. A report is accepted only at a declassification
point listed below: the accept/reject decision the function exists to return, or the
format check a secret gets once when it is loaded. Anything else fails the check, and so does
a report inside the hash, MAC, comparison or encoding crates themselves.

Two guards keep the check honest: every scenario must report its decision point (proof that
the secret really reached the comparison), and a deliberately leaky comparison must be caught.

Usage: check.py path/to/stripe-handshake-ct   (exit status 0 when every scenario passes)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

# Crates whose code must never branch on, or index memory with, a secret.
PRIMITIVES = ("sha2::", "hmac::", "digest::", "subtle::", "hex::", "base64::", "<sha2", "<hmac", "<digest", "<subtle")

DECIDE = "the function's result: whether the secret matched"
CONFIG = "configuration time: the secret's format is checked once, when it is loaded"

# scenario -> (sites that must be reported, sites that may be reported); a site is the innermost
# function of our crates on the stack.
SCENARIOS = {
    # `matches` folds every (secret, v1) comparison into one `Choice` without branching; the
    # caller turns it into the mismatch error: that branch is the one declassification.
    "signature": ({"stripe_handshake::signature::Verifier::verify_candidates": DECIDE},
                  {"stripe_handshake::signature::SigningSecret::new": CONFIG}),
    "state": ({"stripe_handshake::state::verify_state_token": DECIDE + " (MAC, then the session binding)"}, {}),
    "plain_state": ({"stripe_handshake::state::check_plain_state": DECIDE}, {}),
    "hmac": ({"stripe_handshake::crypto::verify_hmac_sha256": DECIDE}, {}),
    "control_leaky_compare": ({"stripe_handshake_ct::leaky_eq": "a comparison that exits early: must be caught"}, {}),
}


def frames(error: ET.Element) -> list[str]:
    return [(f.findtext("fn") or f.findtext("obj") or "?") for f in error.iterfind("./stack/frame")]


def site(stack: list[str]) -> tuple[str, str | None]:
    """The innermost function of our crates, and a primitive crate found inside it (if any)."""
    inner = None
    for fn in stack:
        if fn.startswith(PRIMITIVES) and inner is None:
            inner = fn
        if fn.startswith(("stripe_handshake::", "stripe_handshake_ct::")):
            # Inlined generic helpers show up as e.g. `map_err<…>` frames, not as crate frames.
            return fn.split("<")[0].split("::{")[0], inner
    return "?", inner


def run(binary: str, scenario: str) -> list[tuple[str, str | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "memcheck.xml")
        proc = subprocess.run(
            ["valgrind", "--tool=memcheck", "--xml=yes", f"--xml-file={xml}", "--error-limit=no", "--num-callers=40",
             "--read-inline-info=yes", binary, "memcheck", scenario],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{scenario}: the workload failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        out = []
        for error in ET.parse(xml).getroot().iterfind("error"):
            stack = frames(error)
            fn, primitive = site(stack)
            out.append((fn, primitive, error.findtext("kind") or "?"))
        return out


def main() -> int:
    binary = sys.argv[1]
    failures = 0
    for scenario, (required, allowed) in SCENARIOS.items():
        reports = run(binary, scenario)
        by_site = Counter((fn, primitive) for fn, primitive, _ in reports)
        seen = {fn for fn, _ in by_site}
        bad = [(fn, p, n) for (fn, p), n in by_site.items() if p is not None or (fn not in required and fn not in allowed)]
        missing = [fn for fn in required if fn not in seen]
        ok = not bad and not missing
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {scenario}: {len(reports)} reports at {len(by_site)} site(s)")
        for (fn, p), n in sorted(by_site.items()):
            why = required.get(fn) or allowed.get(fn) or "NOT A DECLASSIFICATION POINT"
            where = f" inside {p}" if p else ""
            print(f"       {n:3d} × {fn}{where}: {why}")
        for fn in missing:
            print(f"       missing: {fn} never saw the secret, so the check proves nothing")
    print("constant-time check:", "passed" if failures == 0 else f"{failures} scenario(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
