"""The console script (``stripe-handshake``, ``python -m stripe_handshake``) as a user runs it,
with the real ``stripe`` package as the oracle for what it signs and what it explains."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe

SECRET = "whsec_cli_python"
PRETTY = json.dumps({"id": "evt_1", "object": "event", "type": "customer.created"}, indent=2)


def cli(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "stripe_handshake", *args], capture_output=True, text=True, check=False)


def test_sign_makes_a_header_stripe_python_accepts_and_only_for_those_bytes(tmp_path: Path) -> None:
    body = tmp_path / "pretty.json"
    body.write_text(PRETTY)
    t = int(time.time())
    r = cli("sign", "--body", str(body), "--secret", SECRET, "--at", str(t))
    assert r.returncode == 0, r.stderr
    header = r.stdout.strip()
    assert stripe.WebhookSignature.verify_header(PRETTY, header, SECRET, 300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(json.dumps(json.loads(PRETTY)), header, SECRET, 300)


def test_explain_webhook_names_the_reserialized_body(tmp_path: Path) -> None:
    t = int(time.time())
    ok = tmp_path / "ok.json"
    ok.write_text(PRETTY)
    header = cli("sign", "--body", str(ok), "--secret", SECRET, "--at", str(t)).stdout.strip()
    r = cli("explain-webhook", "--body", str(ok), "--header", header, "--secret", SECRET)
    assert (r.returncode, r.stdout.split(":")[0]) == (0, "verified")
    # What request.json + json.dumps hands a handler.
    changed = tmp_path / "dumped.json"
    changed.write_text(json.dumps(json.loads(PRETTY)))
    r = cli("explain-webhook", "--body", str(changed), "--header", header, "--secret", SECRET, "--json")
    assert r.returncode == 1
    assert [f["code"] for f in json.loads(r.stdout)["findings"]] == ["body_changed"]
    assert SECRET not in r.stdout and header.split("v1=")[1] not in r.stdout


def test_usage_errors_exit_2_and_help_exits_0() -> None:
    r = cli("explain-webhook", "--bodyy", "x")
    assert (r.returncode, "unknown option" in r.stderr) == (2, True)
    r = cli("sign", "--help")
    assert (r.returncode, "--at N" in r.stdout) == (0, True)
    r = cli("help", "\udcff")
    assert (r.returncode, "UTF-8" in r.stderr) == (2, True)
