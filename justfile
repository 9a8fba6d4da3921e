# stripe-handshake: every task has a recipe here. `just` lists them.
set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# Run the demo: the three flows end to end, with no network.
demo:
    cargo run -q -p stripe-handshake --example demo

# Run every test and check (what CI runs).
test: lint vectors-check test-rust

# Rust: unit, corpus and doc tests.
test-rust:
    cargo nextest run --workspace --no-fail-fast
    cargo test --workspace --doc -q

# Clippy with warnings as errors, rustdoc without warnings, formatting.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -q -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps -q

# Regenerate tests/vectors from the Python oracle and fail on any drift.
vectors-check:
    python3 tests/vectors/generate.py
    git diff --exit-code --stat -- tests/vectors || (echo "tests/vectors drifted from generate.py: commit the regenerated files" && exit 1)

# Regenerate tests/vectors.
vectors:
    python3 tests/vectors/generate.py
