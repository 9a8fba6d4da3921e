// A panic inside the core becomes an InternalError and the addon lives on. The package has no
// way to panic on purpose: these tests load the self-test build (`just build-self-test`), the
// same binding compiled with the core's `self-test` feature, through the same wrapper.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { build } from '../api.mjs'
import shipped from '../index.mjs'

const require = createRequire(import.meta.url)
const sh = build(require('../../target/self-test/node/stripe_handshake.node'))

test('an injected panic becomes an InternalError and the process lives on', () => {
  for (let i = 0; i < 3; i++) {
    assert.throws(() => sh._selfTestPanic(), (e) => e instanceof sh.InternalError && e instanceof Error && e.code === 'internal')
  }
  // The addon still works after the panics.
  assert.equal(sh.randomState().length, 43)
})

test('the package has no self-test operation', () => {
  assert.equal('_selfTestPanic' in shipped, false)
  assert.equal('_selfTestPanic' in sh, true)
})
