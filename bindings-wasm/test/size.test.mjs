// The shipped module's size: a budget that fails the build when it grows, measured on the file
// itself (not on size.json, which the build writes). The target is 60 KB gzipped; the
// module is not there (docs/benchmarks.md says what it is made of), so the budget holds what
// has been reached: today's size plus 2%, lowered as the module shrinks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const BUDGET = { raw: 466_000, gzip: 190_500 }
const bytes = readFileSync(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url))

test('the shipped module stays within its size budget', () => {
  const gzip = gzipSync(bytes, { level: 9 }).length
  assert.ok(bytes.length <= BUDGET.raw, `stripe_handshake_wasm_bg.wasm is ${bytes.length} bytes, over the budget of ${BUDGET.raw}: find what grew with twiggy (docs/benchmarks.md)`)
  assert.ok(gzip <= BUDGET.gzip, `stripe_handshake_wasm_bg.wasm is ${gzip} bytes gzipped, over the budget of ${BUDGET.gzip}`)
})

test('the build keeps the URL parser without Unicode tables (idna_adapter 1.0)', () => {
  // `cargo update` would move idna_adapter to its ICU4X line and add ~110 KB of tables; the
  // lock file pins the stub, and the redirect rules do not depend on it (docs/protocol.md §9).
  const lock = readFileSync(new URL('../../Cargo.lock', import.meta.url), 'utf8')
  const entry = lock.match(/name = "idna_adapter"\nversion = "([^"]+)"/)
  assert.ok(entry, 'Cargo.lock has no idna_adapter entry')
  assert.match(entry[1], /^1\.0\./, `idna_adapter ${entry[1]} is locked: pin it back with cargo update -p idna_adapter --precise 1.0.0`)
  assert.ok(!/name = "icu_normalizer"/.test(lock), 'ICU4X crates are in the lock file: pin idna_adapter to 1.0.0')
})
