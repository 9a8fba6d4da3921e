// The WASM package in Node, used the way an edge runtime uses it: initSync with a compiled
// module, synchronous calls, Date.now() and crypto.getRandomValues underneath.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const bytes = readFileSync(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url))

test('before init: every entry says to call init()/initSync(), with a typed error; after it, the same calls work', () => {
  // A fresh process: this file's other tests start the module.
  const script = `
    import * as sh from ${JSON.stringify(new URL('../pkg/index.js', import.meta.url).href)}
    import { readFileSync } from 'node:fs'
    const seen = []
    const attempts = [
      () => sh.verifySignature('{}', 't=1,v1=' + '0'.repeat(64), { secrets: 'whsec_x', now: 1 }),
      () => new sh.Verifier('whsec_x'),
      () => new sh.RedirectAllowList(['https://platform.example/cb']),
      () => sh.randomState(),
    ]
    for (const f of attempts) {
      try { f(); seen.push('no error') } catch (e) { seen.push([e instanceof sh.InvalidInputError, e.code, /init\(\)/.test(e.message) && /initSync/.test(e.message)]) }
    }
    sh.initSync(readFileSync(${JSON.stringify(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url).pathname)}))
    seen.push(sh.randomState().length, new sh.Verifier('whsec_x').check('{}', sh.signHeader('{}', 'whsec_x', 5), 5))
    console.log(JSON.stringify(seen))`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.deepEqual(JSON.parse(out), [[true, 'invalid_argument', true], [true, 'invalid_argument', true], [true, 'invalid_argument', true], [true, 'invalid_argument', true], 43, null])
})

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
