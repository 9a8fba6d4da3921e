#!/usr/bin/env bash
# Installs what a fresh machine lacks, idempotently: each step is skipped when its tool is
# already there at the right version. Safe to run again. Called by scripts/run.sh and .ci/run.
#   scripts/bootstrap.sh                 everything the tests need
#   scripts/bootstrap.sh --demo          only what the interactive demo needs: just, the napi CLI,
#                                        the emulator's packages (no apt, no wasm tools, no test tools)
#   scripts/bootstrap.sh --demo-browser  the same plus Chromium (`demo --headless`)
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
say() { printf '[bootstrap] %s\n' "$*"; }
scope=all
case "${1:-}" in
  "") ;;
  --demo) scope=demo ;;
  --demo-browser) scope=demo-browser ;;
  *) echo "bootstrap.sh: unknown option $1 (use --demo or --demo-browser, or nothing for the tests)" >&2; exit 64 ;;
esac

# 1. Debian packages: headless Chromium + driver for the browser tests, valgrind for the
#    constant-time check, Redis and PostgreSQL servers for the one-time store tests (started by
#    the tests on loopback, never as services). NOT Debian's binaryen: its wasm-opt 108 emits
#    modules that fail at load time.
if [ "$scope" != demo ] && { [ -d bindings-wasm ] || [ -d tests/e2e ] || [ -d tests/ct ]; }; then
  pkgs=()
  command -v chromium >/dev/null || pkgs+=(chromium)
  if [ "$scope" = all ]; then
    command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
    command -v valgrind >/dev/null || pkgs+=(valgrind)
    command -v redis-server >/dev/null || pkgs+=(redis-server)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)
  fi
  if ((${#pkgs[@]})); then
    say "apt-get install ${pkgs[*]}"
    timeout 300 apt-get update -qq
    # Install the servers without starting them (the tests start their own, on a free port):
    # a policy-rc.d that refuses service starts, as in container images, removed afterwards.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
    fi
    timeout 900 apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    [ -z "$policy" ] || rm -f "$policy"
  fi
fi

# 2. Rust: the toolchain of the workspace's rust-version (the crate's promised minimum, which
#    `just test-rust` builds the core with), the wasm target and wasm-bindgen-cli at exactly the
#    crate's version (wasm binding only).
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
if [ "$scope" = all ] && [ -n "$MSRV" ] && ! rustup toolchain list | grep -q "^$MSRV-"; then
  say "rustup toolchain install $MSRV (the rust-version; rustup's server)"
  timeout 600 rustup toolchain install "$MSRV" --profile minimal >/dev/null
fi
if [ "$scope" = all ] && [ -d bindings-wasm ]; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown || {
    say "rustup target add wasm32-unknown-unknown (rustup's server: if this fails, the wasm build cannot run here)"
    timeout 300 rustup target add wasm32-unknown-unknown
  }
  [ -f Cargo.lock ] || cargo generate-lockfile -q
  WBV=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
  if [ -n "$WBV" ] && [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBV" ]; then
    say "cargo install wasm-bindgen-cli $WBV (about 5 minutes, once)"
    timeout 1500 cargo install -q wasm-bindgen-cli --version "$WBV" --force
  fi
fi

# 3. Python: one venv with just (rust-just wheel), maturin, the test tools and the stripe oracle.
[ -x .venv/bin/python ] || { say "python3 -m venv .venv"; python3 -m venv .venv; }
if [ "$scope" = all ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-dev.txt
else
  # The demo runs `just`, nothing else from the venv: the pinned line of the same file.
  .venv/bin/pip install -q --disable-pip-version-check "$(grep '^rust-just==' scripts/requirements-dev.txt)"
fi

# 4. Node: napi CLI, typescript, the stripe oracle, playwright-core, binaryen (npm install, not npm ci:
#    the npm mirror lacks some pinned optional packages).
#    bindings-node/examples/nextjs: Next.js for the README's integration test (its own
#    stripe-handshake is packed from bindings-node again by the test, once the addon is built).
dirs=(bindings-node bindings-wasm tests bindings-node/examples/nextjs)
[ "$scope" = all ] || dirs=(bindings-node tests) # the napi CLI; the emulator's stripe and playwright-core
for d in "${dirs[@]}"; do
  if [ -f "$d/package.json" ]; then
    (cd "$d" && timeout 600 npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
say "done"
