// The cross-language corpus (tests/vectors/*.json) and the host-level corpus (host.json)
// through the WASM package, with the same runners as the Node package.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { inspect } from 'node:util'
import { runSuite } from '../../tests/vectors/runner.mjs'
import { runHostSuite } from '../../tests/vectors/host-runner.mjs'
import * as sh from '../pkg/index.js'

sh.initSync(readFileSync(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url)))

const dir = new URL('../../tests/vectors/', import.meta.url)
const read = (f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8'))
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'error_codes.json' && f !== 'host.json').sort()
let total = 0
for (const file of files) {
  const doc = read(file)
  test(`vectors (wasm): ${doc.suite}`, () => {
    const r = runSuite(sh, doc)
    total += r.total
    assert.deepEqual(r.failures, [])
  })
}

test('the error codes are the pinned list', () => {
  assert.deepEqual([...sh.ERROR_CODES], read('error_codes.json').codes)
})

test('the corpus is whole', () => {
  assert.ok(total >= 900, `only ${total} cases ran`)
})

test('host corpus (wasm)', async () => {
  const r = await runHostSuite(sh, read('host.json'), { inspect })
  assert.deepEqual(r.failures, [])
  assert.ok(r.total >= 80, `only ${r.total} cases`)
})
