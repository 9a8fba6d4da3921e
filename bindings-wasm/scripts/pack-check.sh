#!/usr/bin/env bash
# `npm pack` the generated package, install it into a fresh directory, use it from Node ESM.
set -euo pipefail
cd "$(dirname "$0")/../pkg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tgz=$(npm pack --silent --pack-destination "$tmp" 2>/dev/null | tail -1)
(cd "$tmp" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --loglevel=error "./$tgz" >/dev/null 2>&1)
cat > "$tmp/check.mjs" <<'JS'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { initSync, signHeader, verifySignature, StripeHandshakeError } from 'stripe-handshake-wasm'
const require = createRequire(import.meta.url)
initSync(readFileSync(require.resolve('stripe-handshake-wasm/stripe_handshake_wasm_bg.wasm')))
const h = signHeader('{}', 'whsec_pack', 1000)
if (verifySignature('{}', h, { secrets: 'whsec_pack', now: 1000 }).timestamp !== 1000) throw new Error('verify')
try { verifySignature('{ }', h, { secrets: 'whsec_pack', now: 1000 }); throw new Error('accepted') } catch (e) { if (!(e instanceof StripeHandshakeError)) throw e }
if ('_selfTestPanic' in (await import('stripe-handshake-wasm')).default) throw new Error('the package holds the self-test operation')
console.log('wasm package ok')
JS
(cd "$tmp" && node check.mjs)
echo "pack-check: $(du -h "$tmp/$tgz" | cut -f1) tarball ($tgz) installs and works from Node ESM"
