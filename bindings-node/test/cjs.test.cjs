// CommonJS consumers get the same module as ESM ones.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const sh = require('..')

test('require() works and exposes the API', async () => {
  assert.equal(typeof sh.verifyWebhook, 'function')
  assert.equal(typeof sh.dangerous.verifyIgnoringTolerance, 'function')
  const esm = await import('stripe-handshake')
  assert.equal(esm.verifyWebhook, sh.verifyWebhook)
  assert.equal(esm.default, sh)
})
