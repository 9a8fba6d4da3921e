#!/usr/bin/env python3
"""Constant-time check of the core under valgrind memcheck (the ctgrind method).

Each scenario of the `ct` workload marks its secret (signing secret, state key, expected
plain state, HMAC key) as undefined memory. Memcheck then reports every conditional jump and
every memory address that depends on it. A report is accepted only at a declassification
point marked in the core's source: the accept/reject decision the function exists to return,
or the format check a secret gets once when it is loaded. Anything else fails the check, and so does
a report inside the hash, MAC, comparison or encoding crates themselves.

Three guards keep the check honest: the judgement is self-tested on made-up stacks (an `==`
at a marked line is a leak), every scenario must report each of its decision points (proof that
the secret reached the comparison), and a deliberately leaky comparison must be judged a leak.

Usage: check.py path/to/stripe-handshake-ct   (exit status 0 when every scenario passes)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter

# A report is accepted only at a line of our crate marked in the source, on that line or the
# one above:  `// ct: declassify — …`  (the accept/reject decision the function returns), or
# `// ct: config-time — …`  (a format check run once when a secret is loaded). Between the
# marked line and the reported instruction only these inlined std helpers may stand: they turn
# the comparison's result into the returned value. Anything else there (bcmp, a slice `==`,
# sha2, hex, base64 …) means the secret itself was branched on: a leak.
GLUE = {"map_err", "ok_or", "ok_or_else", "then", "then_some", "is_ok", "is_err", "from", "into", "unwrap_or"}
MARKERS = {"ct: declassify": "decision", "ct: config-time": "config"}
OURS = ("stripe_handshake::",)

# scenario -> how many decision sites it must report (proof that the secret reached the compare)
SCENARIOS = {"signature": 1, "state": 2, "plain_state": 1, "hmac": 1}
CONTROL = "control_leaky_compare"  # an early-exit compare in the harness: must be judged a leak

Frame = tuple[str, str, int]  # function, path, line


def marker(path: str, line: int, cache: dict[str, list[str]] = {}) -> str | None:  # noqa: B006 - a cache
    if path not in cache:
        try:
            with open(path, encoding="utf-8") as f:
                cache[path] = f.read().splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    for n in (line, line - 1):
        if 1 <= n <= len(lines):
            for m, kind in MARKERS.items():
                if m in lines[n - 1]:
                    return kind
    return None


def judge(stack: list[Frame], read=marker) -> tuple[str, str]:
    """('decision' | 'config' | 'leak', where) for one memcheck report."""
    for depth, (fn, path, line) in enumerate(stack):
        if fn.startswith(OURS):
            where = f"{fn.split('<')[0]} ({os.path.basename(path)}:{line})"
            kind = read(path, line)
            inner = [f for f, _, _ in stack[:depth]]
            if kind == "config":
                return "config", where
            if kind == "decision" and all(f.split("<")[0] in GLUE for f in inner):
                return "decision", where
            what = f" via {inner[0].split('<')[0]}" if inner else ""
            return "leak", where + what
        if fn.startswith("stripe_handshake_ct::"):
            return "leak", f"{fn} ({os.path.basename(path)}:{line})"
    return "leak", stack[0][0] if stack else "?"


def self_test() -> None:
    """The judgement itself, on made-up stacks: a checker that cannot fail proves nothing."""
    marks = {("s.rs", 10): "decision", ("s.rs", 20): "config"}
    read = lambda path, line: marks.get((path, line))  # noqa: E731
    decide = ("stripe_handshake::state::check_plain_state", "s.rs", 10)
    cases = [
        ([decide], "decision"),
        ([("map_err<(), E>", "result.rs", 1), decide], "decision"),
        ([("bcmp", "", 0), ("eq<[u8], [u8]>", "cmp.rs", 1), decide], "leak"),  # `==` at a marked line
        ([("sha2::sha256::compress256", "x.rs", 1), decide], "leak"),
        ([("stripe_handshake::state::check_plain_state", "s.rs", 11)], "leak"),  # unmarked line
        ([("is_whitespace", "m.rs", 1), ("stripe_handshake::signature::SigningSecret::new", "s.rs", 20)], "config"),
        ([("stripe_handshake_ct::leaky_eq", "main.rs", 1)], "leak"),
    ]
    for stack, want in cases:
        got, where = judge(stack, read)
        assert got == want, f"self-test: {stack} judged {got} ({where}), want {want}"


def run(binary: str, scenario: str) -> list[tuple[str, str]]:
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
            stack = [
                (f.findtext("fn") or f.findtext("obj") or "?", os.path.join(f.findtext("dir") or "", f.findtext("file") or ""),
                 int(f.findtext("line") or 0))
                for f in error.iterfind("./stack/frame")
            ]
            out.append(judge(stack))
        return out


def main() -> int:
    self_test()
    binary = sys.argv[1]
    failures = 0
    for scenario, decisions in SCENARIOS.items():
        by_site = Counter(run(binary, scenario))
        leaks = [k for k in by_site if k[0] == "leak"]
        seen = sum(1 for k in by_site if k[0] == "decision")
        ok = not leaks and seen == decisions
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {scenario}: {sum(by_site.values())} reports, {seen}/{decisions} decision site(s)")
        for (kind, where), n in sorted(by_site.items()):
            print(f"       {n:3d} × {kind:8s} {where}")
        if seen != decisions:
            print(f"       expected {decisions} decision site(s): the secret must reach each comparison, or the check proves nothing")
    control = Counter(run(binary, CONTROL))
    caught = sum(n for (kind, _), n in control.items() if kind == "leak")
    print(f"{'ok  ' if caught else 'FAIL'} {CONTROL}: {caught} leak report(s) caught (an early-exit compare must be)")
    failures += not caught
    print("constant-time check:", "passed" if failures == 0 else f"{failures} scenario(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
