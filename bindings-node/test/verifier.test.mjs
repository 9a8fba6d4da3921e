// The verifier's hot path: `check` and `verify` are functions bound to one prepared verifier
// (bindings-node/src/fast.rs in the addon: plain N-API callbacks whose data is the verifier).
// What the host corpus cannot show: how long the verifier lives. Each bound function keeps it
// alive on its own, and it is released once they are collected. Runs on both engines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Stripe from 'stripe'
import * as sh from '../index.mjs'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const { native } = createRequire(import.meta.url)('../native.cjs')
const stripe = new Stripe('sk_test_unused')
const settle = () => new Promise((resolve) => setImmediate(resolve))
const SECRET = 'whsec_fast_path_0123456789'
const now = 1_700_000_000
const body = Buffer.from('{"id":"evt_1","object":"event","type":"a.b","data":{"object":{}}}')
const header = stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret: SECRET, timestamp: now })

test('the bound functions keep their verifier alive after everything else that held it is gone', async () => {
  // Only the bound functions hold the verifier once this returns (the WASM build's are closures).
  const [check, verify] = (() => {
    const v = native.newVerifier([SECRET])
    return native.verifierBind ? native.verifierBind(v) : [
      (p, h, n) => native.verifierCheck(v, p, h, n),
      (p, h, n, o) => native.verifierVerify(v, p, h, n, o),
    ]
  })()
  for (let i = 0; i < 3; i++) {
    gc()
    await settle()
  }
  // (The addon answers null, the WASM build undefined; the wrapper says null for both.)
  assert.equal(check(body, header, now) ?? null, null)
  assert.equal(check(body, header.replace(/.$/, (c) => (c === '0' ? '1' : '0')), now), 'signature_mismatch')
  const out = new Float64Array(2)
  assert.equal(verify(body, header, now, out), undefined)
  assert.deepEqual([...out], [now, 0])
  // Reject twin: a failure comes back (the addon) or is thrown (WASM), the buffer untouched.
  out.fill(-1)
  let failure
  try { failure = verify(body, header, now + 3600, out) } catch (e) { failure = e }
  assert.equal(failure.code, 'timestamp_too_old')
  assert.deepEqual([...out], [-1, -1])
})

test('verifiers are released once collected: memory stays flat over many', async () => {
  // Sixteen secrets each (the most a verifier takes) make a leaked verifier kilobytes; the
  // bound functions' finalizers release them once V8 collects the functions.
  const secrets = [SECRET, ...Array.from({ length: 15 }, (_, i) => `${SECRET}_${i}`)]
  const round = async () => {
    for (let i = 0; i < 5000; i++) {
      const v = new sh.Verifier(secrets)
      if (v.check(body, header, now) !== null) throw new Error('the first secret signs the header')
    }
    for (let i = 0; i < 3; i++) {
      gc()
      await settle()
    }
    return process.memoryUsage().rss
  }
  await round()
  const start = await round()
  for (let i = 0; i < 8; i++) await round()
  const grown = (await round()) - start
  // 45,000 verifiers after `start`: a leak of even 1 KiB each would be 46 MB.
  assert.ok(grown < 20 * 2 ** 20, `rss grew ${(grown / 2 ** 20).toFixed(1)} MiB over 45,000 verifiers`)
})
