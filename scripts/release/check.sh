#!/usr/bin/env bash
# `just release-check`: builds every release artifact into dist/ from this machine (x86_64
# Linux), checks each as far as this machine can, and prints a table (artifact, size, how it
# was verified). Cross-compiling uses cargo-zigbuild with zig from PyPI (ziglang) for Linux
# and macOS, and Debian's mingw-w64 for Windows; the arm64 artifacts run under qemu-user with
# Debian's arm64 Node and Python (scripts/release/arm64-root.sh). Nothing is downloaded from
# outside crates.io, PyPI, npm and Debian's archive, except rustup's targets and the MSRV
# toolchain (rustup's server).
#
#   bash scripts/release/check.sh            everything (about 20 minutes cold on 2 cores)
#   SOAK_RUNS=R SOAK_CALLS=N bash scripts/release/check.sh   the WASM soak (default 8 runs x 3,000,000 calls per shape)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DIST=$ROOT/dist
ARM64=$ROOT/target/arm64-root
export PATH="$ROOT/.venv/bin:$HOME/.cargo/bin:$PATH"
rm -rf "$DIST" && mkdir -p "$DIST/node" "$DIST/npm" "$DIST/python" "$DIST/crate" "$DIST/wasm"
ROWS=$DIST/table.tsv
: > "$ROWS"
row() { printf '%s\t%s\t%s\n' "$1" "$(du -h "$2" | cut -f1)" "$3" >> "$ROWS"; }
say() { echo "[release-check] $*"; }
die() { echo "[release-check] FAILED: $*" >&2; exit 1; }

# ---- tools ---------------------------------------------------------------------------------
need_apt=()
command -v qemu-aarch64 >/dev/null || need_apt+=(qemu-user)
command -v x86_64-w64-mingw32-gcc >/dev/null || need_apt+=(mingw-w64)
command -v llvm-objdump >/dev/null || need_apt+=(llvm)
command -v musl-gcc >/dev/null || need_apt+=(musl-tools)
if [ ${#need_apt[@]} -gt 0 ]; then say "apt-get install ${need_apt[*]}"; apt-get install -y -q "${need_apt[@]}" >/dev/null; fi
python -c 'import ziglang' 2>/dev/null || pip install -q ziglang
python -c 'import abi3audit' 2>/dev/null || pip install -q abi3audit auditwheel
command -v cargo-zigbuild >/dev/null || cargo install cargo-zigbuild --version 0.24.1
TARGETS=(aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu)
missing=$(comm -23 <(printf '%s\n' "${TARGETS[@]}" | sort) <(rustup target list --installed | sort))
[ -z "$missing" ] || rustup target add $missing
bash scripts/release/arm64-root.sh "$ARM64"
QEMU="qemu-aarch64 -L $ARM64"

# ---- versions ------------------------------------------------------------------------------
node scripts/release/versions.mjs
VERSION=$(node -p "require('./bindings-node/package.json').version")

# ---- the crate -----------------------------------------------------------------------------
say "crate: cargo package and cargo publish --dry-run"
cargo package -q -p stripe-handshake --allow-dirty --target-dir target/package-check
cargo publish -q -p stripe-handshake --dry-run --allow-dirty --target-dir target/package-check
cp target/package-check/package/stripe-handshake-"$VERSION".crate "$DIST/crate/"
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustup toolchain list | grep -q "^$MSRV" || rustup toolchain install "$MSRV" --profile minimal
say "crate: build and test with Rust $MSRV (the rust-version)"
cargo +"$MSRV" build -q -p stripe-handshake --target-dir target/msrv
cargo +"$MSRV" test -q -p stripe-handshake --lib --target-dir target/msrv >/dev/null
row "stripe-handshake-$VERSION.crate" "$DIST/crate/stripe-handshake-$VERSION.crate" "cargo publish --dry-run; builds and passes its unit tests on Rust $MSRV"

# ---- Node addons ---------------------------------------------------------------------------
# A Windows addon imports Node-API from node.exe (as node-gyp's do): an import library made
# from the functions the addon uses (read off the Linux build), given to napi-build as
# LIBNODE_PATH (it looks for libnode.dll there and links -lnode, which finds libnode.dll.a).
cargo zigbuild -q --release -p stripe-handshake-node --target x86_64-unknown-linux-gnu.2.17
WIN=$ROOT/target/win-node-lib
mkdir -p "$WIN"
{ echo "LIBRARY node.exe"; echo "EXPORTS"
  nm -D --undefined-only target/x86_64-unknown-linux-gnu/release/libstripe_handshake_node.so | awk '$2 ~ /^(napi|node_api)_/ {print "  " $2}'; } > "$WIN/node.def"
x86_64-w64-mingw32-dlltool -d "$WIN/node.def" -D node.exe -l "$WIN/libnode.dll.a"
touch "$WIN/libnode.dll"

addon() { # TRIPLE PLATFORM -> dist/node/stripe-handshake.PLATFORM.node
  local triple=$1 platform=$2 out=$DIST/node/stripe-handshake.$2.node
  say "node addon $platform ($triple)"
  case $triple in
    *windows-gnu) LIBNODE_PATH=$WIN cargo build -q --release -p stripe-handshake-node --target "$triple"
                  cp target/"$triple"/release/stripe_handshake_node.dll "$out" ;;
    *apple-darwin) cargo zigbuild -q --release -p stripe-handshake-node --target "$triple" 2>/dev/null
                   cp target/"$triple"/release/libstripe_handshake_node.dylib "$out" ;;
    *musl) # a cdylib needs the dynamic C runtime. zig links musl's libc as "libc.so", a name
           # musl's loader reserves for itself on every musl system (Alpine, Void, …).
           RUSTFLAGS="-C target-feature=-crt-static" cargo zigbuild -q --release -p stripe-handshake-node --target "$triple"
           cp target/"$triple"/release/libstripe_handshake_node.so "$out" ;;
    *) cargo zigbuild -q --release -p stripe-handshake-node --target "$triple.2.17"
       cp target/"$triple"/release/libstripe_handshake_node.so "$out" ;;
  esac
}
addon x86_64-unknown-linux-gnu linux-x64-gnu
addon aarch64-unknown-linux-gnu linux-arm64-gnu
addon x86_64-unknown-linux-musl linux-x64-musl
addon aarch64-unknown-linux-musl linux-arm64-musl
addon x86_64-apple-darwin darwin-x64
addon aarch64-apple-darwin darwin-arm64
addon x86_64-pc-windows-gnu win32-x64-gnu

# Checks of a binary this machine cannot run: its format, architecture, the Node-API entry
# point it exports and, for glibc, the newest symbol version it needs.
glibc_max() { readelf -V "$1" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1; }
for f in "$DIST"/node/stripe-handshake.linux-*-gnu.node; do
  [ "$(printf '%s\n' "$(glibc_max "$f")" GLIBC_2.17 | sort -V | tail -1)" = GLIBC_2.17 ] || die "$(basename "$f") needs $(glibc_max "$f"), above the promised 2.17"
done
exports_entry() { # the dynamic symbols (ELF, stripped), the external ones (Mach-O), the export table (PE)
  local syms
  case $(file -b "$1") in
    ELF*) syms=$(llvm-nm -D --defined-only "$1") ;;
    Mach-O*) syms=$(llvm-nm --extern-only --defined-only "$1") ;;
    PE32*) syms=$(x86_64-w64-mingw32-objdump -p "$1" | sed -n '/Export Address Table/,/^$/p; /\[Ordinal\/Name Pointer\] Table/,/^$/p') ;;
  esac
  [[ $syms =~ (^|[[:space:]])_?napi_register_module_v1($|[[:space:]]) ]]
}
for f in "$DIST"/node/*.node; do exports_entry "$f" || die "$(basename "$f") does not export napi_register_module_v1"; done

# The corpus on an addon: the whole cross-language corpus (vectors and host cases) through the
# package's own files, the addon next to the loader, under NODE (a command).
corpus_node() { # ADDON NODE...
  local addon=$1; shift
  local w; w=$(mktemp -d)
  mkdir -p "$w/bindings-node/test"
  (cd bindings-node && cp -r package.json index.mjs index.cjs api.mjs errors.mjs stores.mjs adapters.mjs flows.mjs native.cjs wasm "$w/bindings-node/")
  cp bindings-node/test/vectors.test.mjs bindings-node/test/host.test.mjs "$w/bindings-node/test/"
  cp "$addon" "$w/bindings-node/"
  ln -s "$ROOT/tests" "$w/tests"
  # Each file run as a script (node:test still reports and sets the exit code): `--test` would
  # spawn process.execPath per file, which under qemu-user is an arm64 binary the host cannot exec.
  (cd "$w/bindings-node" && for t in test/vectors.test.mjs test/host.test.mjs; do STRIPE_HANDSHAKE_ENGINE=native "$@" "$t" || exit 1; done > "$w/out.log" 2>&1) \
    || { tail -40 "$w/out.log" >&2; die "the corpus failed on $(basename "$addon")"; }
  # The vector runner's own count (cases), then node:test's (test functions, incl. the host corpus).
  printf '%s; ' "$(grep -m1 '^vectors: ' "$w/out.log" | cut -d, -f1)"
  awk '/^# pass /{p+=$3} /^# fail /{f+=$3} END {printf "%d tests passed, %d failed", p, f}' "$w/out.log"
  rm -rf "$w"
}
say "node: corpus on linux-x64-gnu (this machine's Node $(node --version))"
r=$(corpus_node "$DIST/node/stripe-handshake.linux-x64-gnu.node" node)
row stripe-handshake.linux-x64-gnu.node "$DIST/node/stripe-handshake.linux-x64-gnu.node" "corpus on Node $(node --version): $r; needs $(glibc_max "$DIST/node/stripe-handshake.linux-x64-gnu.node")"
say "node: corpus on linux-arm64-gnu under qemu-user (Debian's arm64 Node)"
ARM_NODE_V=$($QEMU "$ARM64/usr/bin/nodejs" --version)
r=$(corpus_node "$DIST/node/stripe-handshake.linux-arm64-gnu.node" $QEMU "$ARM64/usr/bin/nodejs")
row stripe-handshake.linux-arm64-gnu.node "$DIST/node/stripe-handshake.linux-arm64-gnu.node" "corpus on Debian's arm64 Node $ARM_NODE_V under qemu-user: $r; needs $(glibc_max "$DIST/node/stripe-handshake.linux-arm64-gnu.node")"

# musl: no musl Node or Python here, so musl's own dynamic loader loads the library: a musl-gcc
# program that exports a stub of every Node-API or Python C-API symbol the library imports
# (musl binds every symbol at dlopen), dlopens it with RTLD_NOW and finds ENTRY. It proves the
# library needs nothing but musl's libc and its host's API.
musl_loads() { # LIBRARY ENTRY
  local w; w=$(mktemp -d)
  { llvm-nm -D --undefined-only "$1" | awk '$NF ~ /^(napi_|node_api_|_?Py)/ {print "void " $NF "(void) {}"}'
    cat <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  if (!dlsym(h, argv[2])) { fprintf(stderr, "no %s\n", argv[2]); return 1; }
  return 0;
}
C
  } > "$w/load.c"
  musl-gcc -rdynamic -o "$w/load" "$w/load.c"
  "$w/load" "$1" "$2"; local rc=$?
  rm -rf "$w"
  return $rc
}
musl_loads "$DIST/node/stripe-handshake.linux-x64-musl.node" napi_register_module_v1 || die "musl's loader refuses linux-x64-musl"
musl_loads "$DIST/node/stripe-handshake.linux-x64-gnu.node" napi_register_module_v1 2>/dev/null && die "musl's loader accepts the glibc addon: the musl check proves nothing"
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
row stripe-handshake.linux-x64-musl.node "$DIST/node/stripe-handshake.linux-x64-musl.node" "loaded by musl's dynamic loader with Node-API stubs (RTLD_NOW, entry found; the glibc addon refused); needs $(needed "$DIST/node/stripe-handshake.linux-x64-musl.node")"
file -b "$DIST/node/stripe-handshake.linux-arm64-musl.node" | grep -q 'ARM aarch64' || die "linux-arm64-musl is not aarch64"
row stripe-handshake.linux-arm64-musl.node "$DIST/node/stripe-handshake.linux-arm64-musl.node" "ELF aarch64, exports napi_register_module_v1; needs $(needed "$DIST/node/stripe-handshake.linux-arm64-musl.node")"
for p in darwin-x64:x86_64 darwin-arm64:arm64; do
  f=$DIST/node/stripe-handshake.${p%%:*}.node
  file -b "$f" | grep -q "Mach-O 64-bit.*${p##*:}.*shared library" || die "$f is not a ${p##*:} Mach-O library"
  row "$(basename "$f")" "$f" "Mach-O ${p##*:} dylib, exports _napi_register_module_v1 (Node-API resolved at load: -undefined dynamic_lookup)"
done
f=$DIST/node/stripe-handshake.win32-x64-gnu.node
file -b "$f" | grep -q 'PE32+ executable (DLL).*x86-64' || die "win32 addon is not a PE32+ x86-64 DLL"
imports=$(x86_64-w64-mingw32-objdump -p "$f" | sed -n 's/.*DLL Name: //p' | tr '\n' ' ')
[[ $imports == *node.exe* ]] || die "the win32 addon does not import Node-API from node.exe"
row "$(basename "$f")" "$f" "PE32+ x86-64 DLL, exports napi_register_module_v1; imports $imports"

# ---- npm packages --------------------------------------------------------------------------
say "npm: staging the main package and one package per platform"
just build-wasm >/dev/null
node bindings-node/scripts/stage.mjs "$DIST/npm" "$DIST"/node/*.node > "$DIST/npm.jsonl"
while read -r line; do
  t=$(node -p "JSON.parse(process.argv[1]).tarball" "$line"); p=$(node -p "JSON.parse(process.argv[1]).platform" "$line")
  if [ "$p" = any ]; then how="API, typings, CLI and the WASM fallback; optionalDependencies on the $(($(wc -l < "$DIST/npm.jsonl") - 1)) platform packages; pack-check installs it alone (WASM) and with its addon"
  else how="os/cpu$( [[ $p == linux-* ]] && echo /libc || true) from npm/$p; holds stripe-handshake.$p.node"; fi
  row "npm $(basename "$t")" "$t" "$how"
done < "$DIST/npm.jsonl"
bash bindings-node/scripts/pack-check.sh "$DIST/npm/stripe-handshake-$VERSION.tgz" "$DIST/npm/stripe-handshake-linux-x64-gnu-$VERSION.tgz" >/dev/null

# ---- Python wheels and the sdist -----------------------------------------------------------
wheel() { # TARGET COMPATIBILITY
  say "python wheel $1 ${2:-}"
  (cd bindings-python && maturin build -q --release --zig --target "$1" ${2:+--compatibility "$2"} -o "$DIST/python")
}
wheel x86_64-unknown-linux-gnu manylinux2014
wheel aarch64-unknown-linux-gnu manylinux2014
wheel x86_64-unknown-linux-musl musllinux_1_2
wheel aarch64-unknown-linux-musl musllinux_1_2
wheel universal2-apple-darwin
say "python wheel x86_64-pc-windows-gnu"
(cd bindings-python && maturin build -q --release --target x86_64-pc-windows-gnu -o "$DIST/python")
(cd bindings-python && maturin sdist -o "$DIST/python")
[ "$(ls "$DIST"/python/*.whl | wc -l)" = 6 ] || die "expected 6 wheels: $(ls "$DIST"/python)"
for w in "$DIST"/python/*.whl; do
  [[ $w == *cp310-abi3* ]] || die "$(basename "$w") is not an abi3 wheel for CPython 3.10+"
  abi3audit --strict "$w" >/dev/null || die "abi3audit refuses $(basename "$w")"
done
# auditwheel reads the libraries a wheel needs from this (glibc) machine, so it judges the
# manylinux wheels; the x86_64 musllinux wheel's extension is loaded by musl's loader instead.
# (`auditwheel show` exits 0 for any platform wheel: its verdict is the tag it prints.)
for w in "$DIST"/python/*manylinux*.whl; do
  arch=$(basename "$w" .whl | grep -oE '(x86_64|aarch64)$')
  auditwheel show "$w" | tr -d '\n' | grep -q "consistent with the following platform tag:\s*\"manylinux_2_17_$arch\"" \
    || die "auditwheel does not find $(basename "$w") manylinux_2_17_$arch"
done
mw=$(mktemp -d) && (cd "$mw" && unzip -q "$(ls "$DIST"/python/*musllinux*x86_64.whl)")
musl_loads "$mw/stripe_handshake/_native.abi3.so" PyInit__native || die "musl's loader refuses the musllinux x86_64 wheel"
rm -rf "$mw"

# The corpus on a wheel: installed into a directory with pytest and hypothesis, then
# bindings-python/tests/test_vectors.py and test_host.py run by PYTHON (a command).
corpus_py() { # WHEEL PLATFORM PYTHON...
  local wheel=$1 plat=$2; shift 2
  local w; w=$(mktemp -d)
  pip install -q --no-deps --target "$w/site" --platform "$plat" --only-binary=:all: --python-version 3.11 "$wheel"
  pip install -q --target "$w/site" --platform "$plat" --only-binary=:all: --python-version 3.11 pytest hypothesis
  cp -r bindings-python/tests "$w/tests"
  mkdir -p "$w/bindings-python" && mv "$w/tests" "$w/bindings-python/tests" && ln -s "$ROOT/tests" "$w/tests"
  (cd "$w/bindings-python" && PYTHONPATH=$w/site "$@" -m pytest -q -p no:cacheprovider tests/test_vectors.py tests/test_host.py > "$w/out.log" 2>&1) \
    || { tail -30 "$w/out.log" >&2; die "the corpus failed on $(basename "$wheel")"; }
  tail -1 "$w/out.log"
  rm -rf "$w"
}
for w in "$DIST"/python/*.whl; do
  b=$(basename "$w")
  case $b in
    *manylinux*x86_64*) r=$(corpus_py "$w" manylinux2014_x86_64 python); how="corpus on CPython $(python -c 'import platform; print(platform.python_version())'): $r" ;;
    *manylinux*aarch64*) r=$(corpus_py "$w" manylinux2014_aarch64 $QEMU "$ARM64/usr/bin/python3.11"); how="corpus on Debian's arm64 CPython 3.11 under qemu-user: $r" ;;
    *) how="tags checked" ;;
  esac
  case $b in
    *manylinux*) how="auditwheel show; $how" ;;
    *musllinux*x86_64*) how="loaded by musl's loader with C-API stubs (PyInit__native found)" ;;
  esac
  row "$b" "$w" "abi3audit --strict; $how"
done
say "python: the sdist builds a working wheel from source"
sd=$(ls "$DIST"/python/*.tar.gz)
w=$(mktemp -d)
python -m venv "$w/venv"
"$w/venv/bin/pip" install -q "$sd"
"$w/venv/bin/python" -c "import stripe_handshake as sh; v = sh.Verifier('whsec_s'); h = sh.sign_header(b'{}', 'whsec_s', 1000); assert v.verify(b'{}', h, now=1000).timestamp == 1000"
rm -rf "$w"
row "$(basename "$sd")" "$sd" "pip install from the sdist compiles it; verifies a signature"

# ---- WASM ----------------------------------------------------------------------------------
cp bindings-wasm/pkg/stripe_handshake_wasm_bg.wasm "$DIST/wasm/"
(cd bindings-wasm/pkg && npm pack -q --pack-destination "$DIST/wasm" >/dev/null)
row "npm $(basename "$DIST"/wasm/*.tgz)" "$(ls "$DIST"/wasm/*.tgz)" "packed from bindings-wasm/pkg, the package just test's test-wasm checks (corpus in Node and Chromium)"
say "wasm: soak (${SOAK_RUNS:-8} runs x ${SOAK_CALLS:-3000000} calls, each shape)"
r1=$(node tests/soak/wasm-soak.mjs --runs "${SOAK_RUNS:-8}" --calls "${SOAK_CALLS:-3000000}" --shape mixed) || die "the WASM soak: $r1"
r2=$(node tests/soak/wasm-soak.mjs --runs "${SOAK_RUNS:-8}" --calls "${SOAK_CALLS:-3000000}" --shape loops --package wasm) || die "the WASM soak: $r2"
row stripe_handshake_wasm_bg.wasm "$DIST/wasm/stripe_handshake_wasm_bg.wasm" "soak: $r1; $r2"

# ---- the table -----------------------------------------------------------------------------
echo
printf '%-58s %7s  %s\n' ARTIFACT SIZE VERIFIED
while IFS=$'\t' read -r a s v; do printf '%-58s %7s  %s\n' "$a" "$s" "$v"; done < "$ROWS"
