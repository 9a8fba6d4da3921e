# stripe-handshake: every task has a recipe here. `just` lists them.
set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# The demo: the Stripe emulator and the Node example platform on loopback; prints the URL to open.
# `just demo --headless` walks one install and one OAuth flow in Chromium and prints each step.
demo *FLAGS: build-node-addon
    node tests/e2e/demo.mjs {{FLAGS}}

# The Rust walk-through of the three flows (Stripe's side included), no servers.
demo-rust:
    cargo run -q -p stripe-handshake --example demo

# Run every test and check (what CI runs).
test: lint vectors-check test-rust ct-valgrind test-node test-wasm test-python test-e2e (demo "--headless")

# Rust: unit, corpus and doc tests.
test-rust: msrv
    PROPTEST_CASES=10000 cargo nextest run --workspace --no-fail-fast
    cargo test --workspace --doc -q

# The core builds with the workspace's rust-version (the toolchain the bootstrap installs).
msrv:
    cargo +$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml) build -q -p stripe-handshake --target-dir target/msrv

# Clippy with warnings as errors, rustdoc without warnings, formatting.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -q -- -D warnings
    cargo clippy -p stripe-handshake --features self-test -q -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps -q
    node scripts/release/versions.mjs

# Regenerate tests/vectors from the Python oracle and fail on any drift.
vectors-check:
    python3 tests/vectors/generate.py
    git diff --exit-code --stat -- tests/vectors || (echo "tests/vectors drifted from generate.py: commit the regenerated files" && exit 1)

# Regenerate tests/vectors.
vectors:
    python3 tests/vectors/generate.py

# Build the Node addon and its ESM entry (index.mjs, generated from the core's schema).
build-node-addon:
    cd bindings-node && npx napi build --platform --release --no-js --dts native.d.ts && node scripts/gen-wrapper.mjs

# Build the Node addon, then the ESM entry and the typings checks from the core's schema, and
# the WASM build the package falls back to (bindings-node/wasm/, copied by the WASM build);
# fail if napi's committed typings (native.d.ts) drift. The loader (native.cjs) is ours.
build-node: build-node-addon build-wasm
    git diff --exit-code --stat -- bindings-node/native.d.ts || (echo "napi's generated typings drifted: commit them" && exit 1)

# The panic-test builds (feature `self-test`: an operation that panics inside the core) in
# target/self-test/{node,wasm,python}. The packages never contain it; the tests load these.
build-self-test:
    cargo build -q -p stripe-handshake-node --release --features self-test
    mkdir -p target/self-test/node target/self-test/wasm target/self-test/python
    cp target/release/libstripe_handshake_node.so target/self-test/node/stripe_handshake.node
    cargo build -q -p stripe-handshake-wasm --target wasm32-unknown-unknown --profile release-wasm --features self-test
    wasm-bindgen --target web --out-dir target/self-test/wasm --out-name stripe_handshake_wasm target/wasm32-unknown-unknown/release-wasm/stripe_handshake_wasm.wasm
    cargo build -q -p stripe-handshake-python --release --features self-test
    rm -rf target/self-test/python/stripe_handshake
    cp -r bindings-python/python/stripe_handshake target/self-test/python/
    rm -f target/self-test/python/stripe_handshake/_native*.so
    cp target/release/libstripe_handshake_python.so target/self-test/python/stripe_handshake/_native.abi3.so

# Node: the corpus, interop with the stripe package, errors, panics, the example server, typings,
# the npm packages (addon package and WASM fallback); then the whole suite again on the WASM
# fallback (STRIPE_HANDSHAKE_ENGINE=wasm), which must behave identically.
test-node: build-node build-self-test
    cd bindings-node && npx tsc -p test/types && npx tsc --noEmit --strict native.d.ts
    bash bindings-node/scripts/pack-check.sh
    cd bindings-node && node --test test/
    cd bindings-node && STRIPE_HANDSHAKE_ENGINE=wasm node --test test/

# Build the Python extension into the venv.
build-python:
    cd bindings-python && maturin develop --release --quiet

# Python: build into the venv, stubs vs the module, mypy --strict, the wheel, then pytest.
test-python: build-python build-self-test
    cd /tmp && python -m mypy.stubtest stripe_handshake._native --allowlist {{justfile_directory()}}/bindings-python/.mypy-stubtest-allowlist
    cd bindings-python && mypy --strict examples python/stripe_handshake tests
    bash bindings-python/scripts/wheel-check.sh
    cd bindings-python && python -m pytest -q tests

# Build the WASM package into bindings-wasm/pkg (wasm-bindgen + wasm-opt from npm binaryen 132).
build-wasm:
    cargo build -q -p stripe-handshake-wasm --target wasm32-unknown-unknown --profile release-wasm --features schema
    cp target/wasm32-unknown-unknown/release-wasm/stripe_handshake_wasm.wasm target/wasm32-unknown-unknown/release-wasm/schema.wasm
    cargo build -q -p stripe-handshake-wasm --target wasm32-unknown-unknown --profile release-wasm
    cd bindings-wasm && node scripts/build.mjs

# WASM: the corpus and the host corpus in Node, typings (checked against the core's schema), npm pack, the edge pattern, panics, and headless Chromium (page + worker).
test-wasm: build-wasm build-self-test
    cd bindings-wasm && ../bindings-node/node_modules/.bin/tsc -p test/types
    bash bindings-wasm/scripts/pack-check.sh
    cd bindings-wasm && node --test test/

# End to end in Chromium against the local Stripe emulator: the Node, Python and edge (WASM) example platforms.
test-e2e: build-node build-wasm build-python
    cd tests && node --test --test-concurrency=1 e2e/

# The Stripe emulator alone on a loopback port (see tests/emulator/cli.mjs for options).
emulator *ARGS:
    node tests/emulator/cli.mjs {{ARGS}}

# Every release artifact into dist/ (Node addons for 7 platforms and their npm packages, abi3
# wheels and the sdist, the crate, the WASM package), each checked as far as this machine can,
# then a table; about 20 minutes cold. Not part of `just test`.
release-check: build-node
    bash scripts/release/check.sh

# Benchmarks against the official SDKs in the same run; writes docs/benchmarks.md.
bench: build-node build-wasm build-python
    bash bench/run.sh

# Fuzz every target for SECS seconds each (nightly + cargo-fuzz); crashes land in fuzz/artifacts/.
fuzz-smoke SECS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
    cd fuzz && for t in $(cargo +nightly fuzz list); do echo "== $t"; cargo +nightly fuzz run "$t" -- -max_total_time={{SECS}} -rss_limit_mb=512 -timeout=1 2>&1 | grep -E "^(Done|#[0-9]+ +DONE)|SUMMARY|panicked" || true; done

# Constant time, deterministically: valgrind memcheck with the secrets marked undefined (tests/ct).
ct-valgrind:
    cd tests/ct && cargo build --release -q && python3 check.py target/release/stripe-handshake-ct

# Constant time, statistically: a dudect-style Welch t-test per check (a report, not a gate: noisy machine).
ct-dudect SAMPLES="2000000":
    cd tests/ct && cargo build --release -q && python3 dudect.py target/release/stripe-handshake-ct {{SAMPLES}}

# Mutation testing of the core (cargo-mutants; equivalent mutants listed in .cargo/mutants.toml).
mutants:
    command -v cargo-mutants >/dev/null || cargo install cargo-mutants
    cargo mutants --package stripe-handshake -j 2 --timeout 120 -- --lib --tests
