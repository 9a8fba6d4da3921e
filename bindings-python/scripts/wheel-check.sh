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
# The console script, installed as a user gets it (pipx run does the same in its own venv).
printf '{"id":"evt_1","object":"event"}' > "$tmp/body.json"
h=$("$tmp/venv/bin/stripe-handshake" sign --body "$tmp/body.json" --secret whsec_wheel --at 1000)
[ "$h" = "$("$tmp/venv/bin/python" -c 'import stripe_handshake as sh; print(sh.sign_header(b"{\"id\":\"evt_1\",\"object\":\"event\"}", "whsec_wheel", 1000))')" ] \
  || { echo "wheel-check: the stripe-handshake script signs differently from sign_header" >&2; exit 1; }
"$tmp/venv/bin/stripe-handshake" explain-webhook --body "$tmp/body.json" --header "$h" --secret whsec_wheel --now 1000 >/dev/null
rc=0; "$tmp/venv/bin/python" -m stripe_handshake explain-webhook --body "$tmp/body.json" --header "$h" --secret whsec_other --now 1000 >/dev/null || rc=$?
[ "$rc" = 1 ] || { echo "wheel-check: a wrong secret exited $rc, not 1" >&2; exit 1; }
echo "wheel-check: the stripe-handshake script and python -m stripe_handshake sign, verify (exit 0) and refuse (exit 1)"
echo "wheel-check: $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) installs into a fresh venv and works"
