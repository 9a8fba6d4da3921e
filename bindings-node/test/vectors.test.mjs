// Runs the whole cross-language corpus (tests/vectors/*.json) through a JavaScript package:
// the Node addon (bindings-wasm/test/corpus.test.mjs runs it through the WASM package).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { runSuite } from '../../tests/vectors/runner.mjs'

import * as sh from '../index.mjs'

const dir = new URL('../../tests/vectors/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'error_codes.json' && f !== 'host.json').sort()
let total = 0
const skipped = []
for (const file of files) {
  const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8'))
  test(`vectors (node): ${doc.suite}`, () => {
    const r = runSuite(sh, doc)
    total += r.total
    skipped.push(...r.skipped)
    assert.deepEqual(r.failures, [])
  })
}

test('the error codes are the pinned list', () => {
  const pinned = JSON.parse(readFileSync(new URL('error_codes.json', dir), 'utf8')).codes
  assert.deepEqual([...sh.ERROR_CODES], pinned)
})

test('the corpus is whole', () => {
  assert.ok(total >= 450, `only ${total} cases`)
  // Only inputs beyond 2^53 (which a JS number cannot hold) may differ, as invalid_argument.
  assert.ok(skipped.length <= 8, `too many cases differ only by number range: ${skipped}`)
  console.log(`vectors: ${total - skipped.length} passed, ${skipped.length} beyond 2^53 refused as invalid_argument: ${skipped.join(', ')}`)
})
