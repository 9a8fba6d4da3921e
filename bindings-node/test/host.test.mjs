// The host-level corpus (tests/vectors/host.json) through a JavaScript package: the Node
// addon (bindings-wasm/test/corpus.test.mjs runs it through the WASM package).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { runHostSuite } from '../../tests/vectors/host-runner.mjs'

import * as sh from '../index.mjs'

const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/host.json', import.meta.url), 'utf8'))

test(`host corpus (node)`, () => {
  const r = runHostSuite(sh, doc, { inspect })
  assert.deepEqual(r.failures, [])
  assert.ok(r.total >= 80, `only ${r.total} cases`)
})
