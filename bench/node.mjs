// Node: ours (napi addon and the WASM build) against the `stripe` npm package, same run.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import Stripe from '../bindings-node/node_modules/stripe/esm/stripe.esm.node.js'
import { bench, table } from './harness.mjs'

const require = createRequire(import.meta.url)
const sh = require('../bindings-node/index.cjs')
const wasm = await import('../bindings-wasm/pkg/index.js')
wasm.initSync(readFileSync(new URL('../bindings-wasm/pkg/stripe_handshake_wasm_bg.wasm', import.meta.url)))

const stripe = new Stripe('sk_test_bench')
const SECRET = 'whsec_bench_secret_0123456789'
const now = Math.floor(Date.now() / 1000)
const out = []

// A valid event envelope of exactly `size` bytes (data.object padded).
export function eventOfSize(size) {
  const make = (n) => JSON.stringify({ id: 'evt_1', type: 'a.b', livemode: false, created: 1, data: { object: { p: 'x'.repeat(n) } } })
  return make(Math.max(0, size - make(0).length))
}

for (const size of [100, 2048, 65536]) {
  const body = eventOfSize(size)
  const buf = Buffer.from(body)
  const header = sh.signHeader(buf, SECRET, now)
  const bad = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0')
  const verifier = new sh.Verifier(SECRET)
  const wverifier = new wasm.Verifier(SECRET)
  const cases = [
    { name: 'stripe.webhooks.signature.verifyHeader (valid)', fn: () => stripe.webhooks.signature.verifyHeader(buf, header, SECRET, 300) },
    { name: 'ours: verifier.verify (valid, Buffer)', peer: 'stripe.webhooks.signature.verifyHeader (valid)', fn: () => verifier.verify(buf, header, now) },
    { name: 'ours: verifier.check (valid, Buffer)', peer: 'stripe.webhooks.signature.verifyHeader (valid)', fn: () => verifier.check(buf, header, now) },
    { name: 'ours: verifySignature one-shot (valid, Buffer)', peer: 'stripe.webhooks.signature.verifyHeader (valid)', fn: () => sh.verifySignature(buf, header, { secrets: SECRET, now }) },
    { name: 'ours, WASM: verifier.verify (valid, Uint8Array)', peer: 'stripe.webhooks.signature.verifyHeader (valid)', fn: () => wverifier.verify(buf, header, now) },
    { name: 'stripe.webhooks.signature.verifyHeader (invalid, throws)', fn: () => { try { stripe.webhooks.signature.verifyHeader(buf, bad, SECRET, 300) } catch {} } },
    { name: 'ours: verifier.check (invalid, fast path)', peer: 'stripe.webhooks.signature.verifyHeader (invalid, throws)', fn: () => verifier.check(buf, bad, now) },
    { name: 'ours: verifier.tryVerify (invalid)', peer: 'stripe.webhooks.signature.verifyHeader (invalid, throws)', fn: () => verifier.tryVerify(buf, bad, now) },
    { name: 'ours: verifier.verify (invalid, throws)', peer: 'stripe.webhooks.signature.verifyHeader (invalid, throws)', fn: () => { try { verifier.verify(buf, bad, now) } catch {} } },
    { name: 'stripe.webhooks.constructEvent (valid)', fn: () => stripe.webhooks.constructEvent(buf, header, SECRET) },
    { name: 'ours: verifier.verifyWebhook (valid)', peer: 'stripe.webhooks.constructEvent (valid)', fn: () => verifier.verifyWebhook(buf, header, now) },
  ]
  out.push(table(`Node: Stripe-Signature, ${buf.length}-byte payload`, bench(cases)))
}

{
  const APP = 'absec_bench'
  const state = 'st_8hG2kqLm'
  const payload = JSON.stringify({ state, user_id: 'usr_123', account_id: 'acct_123' })
  const sig = stripe.webhooks.generateTestHeaderString({ payload, secret: APP, timestamp: now })
  const query = new URLSearchParams({ user_id: 'usr_123', account_id: 'acct_123', state, install_signature: sig }).toString()
  const allow = new sh.RedirectAllowList(['https://platform.example/callback'])
  const params = { response_type: 'code', client_id: 'ca_123456', scope: 'read_write', redirect_uri: 'https://platform.example/callback', state }
  const cases = [
    {
      name: 'Stripe sample: URLSearchParams + JSON.stringify + verifyHeader + state ===',
      fn: () => {
        const q = new URLSearchParams(query)
        const p = JSON.stringify({ state: q.get('state'), user_id: q.get('user_id'), account_id: q.get('account_id') })
        stripe.webhooks.signature.verifyHeader(p, q.get('install_signature'), APP, 300)
        if (q.get('state') !== state) throw new Error('state')
      },
    },
    { name: 'ours: verifyInstallCallback', peer: 'Stripe sample: URLSearchParams + JSON.stringify + verifyHeader + state ===', fn: () => sh.verifyInstallCallback(query, { secrets: APP, now, expectedState: state }) },
    { name: 'stripe.oauth.authorizeUrl', fn: () => stripe.oauth.authorizeUrl({ ...params }) },
    { name: 'ours: connectOAuthLink', peer: 'stripe.oauth.authorizeUrl', fn: () => sh.connectOAuthLink({ clientId: 'ca_123456', accountType: 'standard', scope: 'read_write', state }, allow) },
  ]
  out.push(table('Node: install callback and Connect link', bench(cases)))
}
console.log(out.join('\n'))
