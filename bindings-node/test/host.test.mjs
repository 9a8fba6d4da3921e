// The host-level corpus (tests/vectors/host.json) through a JavaScript package: the Node
// addon by default, or the WASM build with SH_PACKAGE=wasm.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { runHostSuite } from '../../tests/vectors/host-runner.mjs'

const wasm = process.env.SH_PACKAGE === 'wasm'
const sh = wasm ? await import('../../bindings-wasm/pkg/index.js') : await import('../index.mjs')
if (wasm) sh.initSync(readFileSync(new URL('../../bindings-wasm/pkg/stripe_handshake_wasm_bg.wasm', import.meta.url)))

const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/host.json', import.meta.url), 'utf8'))

test(`host corpus (${wasm ? 'wasm' : 'node'})`, () => {
  const r = runHostSuite(sh, doc, { inspect })
  assert.deepEqual(r.failures, [])
  assert.ok(r.total >= 80, `only ${r.total} cases`)
})
