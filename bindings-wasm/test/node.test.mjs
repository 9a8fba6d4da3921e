// The WASM package in Node, used the way an edge runtime uses it: initSync with a compiled
// module, synchronous calls, Date.now() and crypto.getRandomValues underneath.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

const bytes = readFileSync(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url))

test('synchronous verification after initSync with a compiled module', async () => {
  const sh = await import('../pkg/index.js')
  sh.initSync(new WebAssembly.Module(bytes))
  const header = sh.signHeader('{"id":"evt_1"}', 'whsec_edge', Math.floor(Date.now() / 1000))
  const verifier = new sh.Verifier('whsec_edge')
  assert.equal(verifier.verify('{"id":"evt_1"}', header).secretIndex, 0) // now = Date.now()
  assert.deepEqual(verifier.tryVerify('{"id":"evt_2"}', header).code, 'signature_mismatch')
  assert.equal(verifier.check('{"id":"evt_1"}', header), null)
  assert.equal(verifier.check('{"id":"evt_2"}', header), 'signature_mismatch')
  assert.throws(() => verifier.verify('{"id":"evt_2"}', header), (e) => e instanceof sh.SignatureVerificationError && e instanceof Error && e.code === 'signature_mismatch')
  const a = sh.randomState()
  assert.equal(a.length, 43)
  assert.notEqual(a, sh.randomState())
  assert.deepEqual([...sh.ERROR_CODES], JSON.parse(readFileSync(new URL('../../tests/vectors/error_codes.json', import.meta.url))).codes)
})

test('credentials are hidden from JSON and inspection', async () => {
  const sh = await import('../pkg/index.js')
  sh.initSync(bytes)
  const req = sh.codeExchangeRequest({ provider: 'connect', secretKey: 'sk_test_hide_me', code: 'ac_1' })
  assert.ok(req.headers.Authorization.startsWith('Basic '))
  assert.ok(!JSON.stringify(req).includes(req.headers.Authorization.slice(6)))
})
