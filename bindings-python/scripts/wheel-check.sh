#!/usr/bin/env bash
# Build the abi3 wheel, install it into a fresh venv, import it and use it.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
maturin build --release --quiet --out "$tmp/dist" 2>&1 | grep -v '^📦\|^🔗\|^🐍\|^💻' || true
wheel=$(ls "$tmp"/dist/*.whl)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
(cd "$tmp" && "$tmp/venv/bin/python" - <<'PY'
import stripe_handshake as sh
h = sh.sign_header(b"{}", "whsec_wheel", 1000)
assert sh.verify_signature(b"{}", h, secrets="whsec_wheel", now=1000).timestamp == 1000
assert not hasattr(sh._native, "_self_test_panic"), "the wheel holds the self-test operation"
try:
    sh.verify_signature(b"{ }", h, secrets="whsec_wheel", now=1000)
    raise SystemExit("accepted a bad signature")
except sh.SignatureVerificationError as e:
    assert e.code == "signature_mismatch"
print("wheel ok")
PY
)
echo "wheel-check: $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) installs into a fresh venv and works"
