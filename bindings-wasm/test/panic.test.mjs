// On wasm32 a panic traps: the call surfaces as InternalError, the instance is poisoned,
// and a new instance (here a new worker, as an edge runtime would start) works again. The
// package cannot panic on purpose: the panicking instance is the self-test build
// (`just build-self-test`) behind the package's own wrapper.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'

const selfTest = new URL('../../target/self-test/wasm/', import.meta.url)

test('a panic becomes InternalError, and a new instance works', async () => {
  const raw = await import(new URL('stripe_handshake_wasm.js', selfTest).href)
  raw.initSync({ module: readFileSync(new URL('stripe_handshake_wasm_bg.wasm', selfTest)) })
  const { build } = await import('../pkg/api.mjs')
  const sh = build(raw)
  assert.equal(sh.randomState().length, 43)
  assert.throws(() => sh._selfTestPanic(), (e) => e instanceof sh.InternalError && e.code === 'internal' && /initialize a new one/.test(e.message))

  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads')
    import(${JSON.stringify(new URL('../pkg/index.js', import.meta.url).href)}).then((sh) => {
      sh.initSync(require('node:fs').readFileSync(${JSON.stringify(new URL('../pkg/stripe_handshake_wasm_bg.wasm', import.meta.url).pathname)}))
      const h = sh.signHeader('{}', 'whsec_x', 1000)
      parentPort.postMessage(sh.verifySignature('{}', h, { secrets: 'whsec_x', now: 1000 }).timestamp)
    })`, { eval: true })
  const [result] = await Promise.all([new Promise((r) => worker.once('message', r))])
  await worker.terminate()
  assert.equal(result, 1000)
})

test('the package has no self-test operation', async () => {
  const pkg = await import('../pkg/index.js')
  assert.equal('_selfTestPanic' in pkg.default, false)
})
