#!/usr/bin/env python3
"""A dudect-style timing test (Reparaz, Balasch, Verbauwhede 2017): two input classes, valid
both rejected, one wrong at the first byte of the compared value and one at the last, interleaved at random; Welch's t on the timings, also after cropping the
slowest samples at several percentiles (dudect's pre-processing). |t| above 4.5 suggests a
leak; this shared 2-core machine is noisy, so this is a report, not a CI gate.

Usage: dudect.py path/to/stripe-handshake-ct [samples per scenario, default 200000]
"""

from __future__ import annotations

import math
import subprocess
import sys

SCENARIOS = ["signature", "state", "plain_state", "hmac", "control_leaky_compare"]
PERCENTILES = [None, 0.5, 0.75, 0.9]


def welch_t(a: list[int], b: list[int]) -> float:
    if len(a) < 2 or len(b) < 2:
        return math.inf  # one class lies entirely above the cut: as different as it gets

    def stats(xs: list[int]) -> tuple[float, float]:
        m = sum(xs) / len(xs)
        return m, sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    (ma, va), (mb, vb) = stats(a), stats(b)
    se = math.sqrt(va / len(a) + vb / len(b))
    return 0.0 if se == 0 else (ma - mb) / se


def main() -> int:
    binary = sys.argv[1]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    print(f"dudect: {samples} samples per scenario; |t| > 4.5 suggests a timing difference between the classes")
    for scenario in SCENARIOS:
        out = subprocess.run([binary, "dudect", scenario, str(samples)], capture_output=True, text=True, check=True).stdout
        classes: dict[str, list[int]] = {"0": [], "1": []}
        for line in out.splitlines():
            c, ns = line.split()
            classes[c].append(int(ns))
        worst = 0.0
        cells = []
        for p in PERCENTILES:
            if p is None:
                a, b = classes["0"], classes["1"]
            else:
                cut = sorted(classes["0"] + classes["1"])[int(p * (len(classes["0"]) + len(classes["1"])))]
                a = [x for x in classes["0"] if x <= cut]
                b = [x for x in classes["1"] if x <= cut]
            t = welch_t(a, b)
            worst = max(worst, abs(t))
            cells.append(f"{'all' if p is None else f'p{int(p * 100)}'} {t:+7.2f}")
        med = sorted(classes["0"])[len(classes["0"]) // 2]
        print(f"  {scenario:22s} max |t| {worst:6.2f}   ({', '.join(cells)}; median {med} ns)")
    print("control_leaky_compare is a deliberately leaky comparison: its |t| shows what a leak looks like here.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
