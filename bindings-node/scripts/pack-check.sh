#!/usr/bin/env bash
# `npm pack`, install the tarball into a fresh directory, and use it from ESM and CommonJS.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tgz=$(npm pack --silent --pack-destination "$tmp" 2>/dev/null | tail -1)
(cd "$tmp" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --loglevel=error "./$tgz" >/dev/null 2>&1)
cat > "$tmp/check.mjs" <<'JS'
import { signHeader, Verifier, StripeHandshakeError } from 'stripe-handshake'
const h = signHeader('{}', 'whsec_pack', 1000)
const v = new Verifier('whsec_pack')
if (v.verify('{}', h, 1000).timestamp !== 1000) throw new Error('verify failed')
try { v.verify('{ }', h, 1000); throw new Error('accepted a bad signature') } catch (e) { if (!(e instanceof StripeHandshakeError)) throw e }
console.log('esm ok')
JS
cat > "$tmp/check.cjs" <<'JS'
const sh = require('stripe-handshake')
if (sh.randomState().length !== 43) throw new Error('randomState')
if ('_selfTestPanic' in sh) throw new Error('the package holds the self-test operation')
console.log('cjs ok')
JS
(cd "$tmp" && node check.mjs && node check.cjs)
# `npx stripe-handshake`: the package's bin, installed as a user gets it.
printf '{"id":"evt_1","object":"event"}' > "$tmp/body.json"
h=$(cd "$tmp" && npx --no-install stripe-handshake sign --body body.json --secret whsec_pack --at 1000)
[ "$h" = "$(cd "$tmp" && node -e "import('stripe-handshake').then(s => console.log(s.signHeader('{\"id\":\"evt_1\",\"object\":\"event\"}', 'whsec_pack', 1000)))")" ] \
  || { echo "pack-check: npx stripe-handshake sign differs from signHeader" >&2; exit 1; }
(cd "$tmp" && npx --no-install stripe-handshake explain-webhook --body body.json --header "$h" --secret whsec_pack --now 1000 >/dev/null)
rc=0; (cd "$tmp" && npx --no-install stripe-handshake explain-webhook --body body.json --header "$h" --secret whsec_other --now 1000 >/dev/null) || rc=$?
[ "$rc" = 1 ] || { echo "pack-check: a wrong secret exited $rc, not 1" >&2; exit 1; }
echo "pack-check: npx stripe-handshake signs, verifies (exit 0) and refuses (exit 1)"
echo "pack-check: $(du -h "$tmp/$tgz" | cut -f1) tarball ($tgz) installs and works"
