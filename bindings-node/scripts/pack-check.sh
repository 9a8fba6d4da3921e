#!/usr/bin/env bash
# The npm packages as users install them (napi-rs's layout, staged by scripts/stage.mjs): the
# main package with this platform's addon package, and the main package alone, which must
# run on its WASM fallback. Each is used from ESM, CommonJS and `npx stripe-handshake`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 2 ]; then
  # The release check's tarballs: bash pack-check.sh MAIN.tgz ADDON-PACKAGE.tgz
  main=$1 plat=$2
else
  addon=$(ls stripe-handshake.*.node | head -1)
  node scripts/stage.mjs "$tmp/dist" "$addon" > "$tmp/staged.jsonl"
  read -r main plat < <(node -e "const l = require('fs').readFileSync(process.argv[1], 'utf8').trim().split('\n').map(JSON.parse)
console.log(l.find((x) => x.platform === 'any').tarball, l.find((x) => x.platform !== 'any').tarball)" "$tmp/staged.jsonl")
fi
platform_pkg=$(basename "$plat" | sed 's/-[0-9][^-]*\.tgz$//')
# Both licenses, as files, in every package.
for t in "$main" "$plat"; do
  listing=$(tar tvzf "$t")
  for l in LICENSE-MIT LICENSE-APACHE; do
    grep -q "^-.* package/$l\$" <<< "$listing" || { echo "pack-check: $(basename "$t") lacks $l"; exit 1; }
  done
done

cat > "$tmp/check.mjs" <<'JS'
import { signHeader, Verifier, StripeHandshakeError, engine } from 'stripe-handshake'
if (engine !== process.env.WANT_ENGINE) throw new Error(`engine is ${engine}, expected ${process.env.WANT_ENGINE}`)
const h = signHeader('{}', 'whsec_pack', 1000)
const v = new Verifier('whsec_pack')
if (v.verify('{}', h, 1000).timestamp !== 1000) throw new Error('verify failed')
try { v.verify('{ }', h, 1000); throw new Error('accepted a bad signature') } catch (e) { if (!(e instanceof StripeHandshakeError) || e.code !== 'signature_mismatch') throw e }
console.log(`esm ok (${engine})`)
JS
cat > "$tmp/check.cjs" <<'JS'
const sh = require('stripe-handshake')
if (sh.engine !== process.env.WANT_ENGINE) throw new Error(`engine is ${sh.engine}`)
if (sh.randomState().length !== 43) throw new Error('randomState')
if ('_selfTestPanic' in sh) throw new Error('the package holds the self-test operation')
console.log(`cjs ok (${sh.engine})`)
JS

install() { # DIR [NPM FLAGS] TARBALL...: no lifecycle scripts run, from any package
  mkdir -p "$1" && cp "$tmp/check.mjs" "$tmp/check.cjs" "$1/"
  (cd "$1" && npm init -y >/dev/null 2>&1 && shift && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$@" >/dev/null 2>&1)
}

# 1. With the addon package: the native engine, and the CLI.
install "$tmp/native" "$plat" "$main"
(cd "$tmp/native" && WANT_ENGINE=native node check.mjs && WANT_ENGINE=native node check.cjs)
printf '{"id":"evt_1","object":"event"}' > "$tmp/native/body.json"
h=$(cd "$tmp/native" && npx --no-install stripe-handshake sign --body body.json --secret whsec_pack --at 1000)
[ "$h" = "$(cd "$tmp/native" && node -e "import('stripe-handshake').then(s => console.log(s.signHeader('{\"id\":\"evt_1\",\"object\":\"event\"}', 'whsec_pack', 1000)))")" ] \
  || { echo "pack-check: npx stripe-handshake sign differs from signHeader" >&2; exit 1; }
(cd "$tmp/native" && npx --no-install stripe-handshake explain-webhook --body body.json --header "$h" --secret whsec_pack --now 1000 >/dev/null)
rc=0; (cd "$tmp/native" && npx --no-install stripe-handshake explain-webhook --body body.json --header "$h" --secret whsec_other --now 1000 >/dev/null) || rc=$?
[ "$rc" = 1 ] || { echo "pack-check: a wrong secret exited $rc, not 1" >&2; exit 1; }
echo "pack-check: npx stripe-handshake signs, verifies (exit 0) and refuses (exit 1)"

# 2. The main package alone (a platform with no addon, or --omit=optional): the WASM fallback,
#    with no setting; the CLI says it needs the addon.
# --omit=optional: what a user without an addon package gets, whatever the registry holds.
install "$tmp/fallback" --omit=optional "$main"
[ ! -e "$tmp/fallback/node_modules/$platform_pkg" ] || { echo "pack-check: the addon package was installed" >&2; exit 1; }
[ -e "$tmp/native/node_modules/$platform_pkg/package.json" ] || { echo "pack-check: $platform_pkg is not in the native install" >&2; exit 1; }
(cd "$tmp/fallback" && WANT_ENGINE=wasm node check.mjs && WANT_ENGINE=wasm node check.cjs)
rc=0; (cd "$tmp/fallback" && npx --no-install stripe-handshake help >/dev/null 2>&1) || rc=$?
[ "$rc" = 69 ] || { echo "pack-check: the CLI on the WASM fallback exited $rc, not 69" >&2; exit 1; }
echo "pack-check: the main package alone runs on the WASM fallback; its CLI exits 69 with a message"
echo "pack-check: $(du -h "$main" | cut -f1) main tarball, $(du -h "$plat" | cut -f1) addon tarball ($(basename "$plat"))"
