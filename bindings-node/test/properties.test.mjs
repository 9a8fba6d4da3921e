// Properties with fast-check, differential against stripe-node (the peer, as the oracle): on
// random payloads (any Unicode), secrets and times, what either side signs the other verifies,
// and any single change is refused by ours with a typed code. FC_RUNS raises the count.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import Stripe from 'stripe'
import * as sh from '../index.mjs'

const stripe = new Stripe('sk_test_properties')
const runs = Number(process.env.FC_RUNS ?? 300)
const NOW = 1_700_000_000

// A secret as Stripe issues them: a prefix and printable ASCII, no surrounding whitespace.
const secret = fc.tuple(fc.constantFrom('whsec_', 'absec_'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 48 }))
  .map(([p, s]) => p + s)
// Non-empty: stripe-node refuses an empty payload outright ("No webhook payload was provided").
const payload = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 })
const verifyPeer = (body, header, key, now) => stripe.webhooks.signature.verifyHeader(body, header, key, 300, undefined, now * 1000)
const skew = fc.integer({ min: -300, max: 300 })

test('ours and stripe-node verify each other, on any payload and any time inside the window', () => {
  fc.assert(fc.property(payload, secret, skew, (body, key, d) => {
    const t = NOW + d
    const ours = sh.signHeader(body, key, t)
    assert.ok(verifyPeer(body, ours, key, NOW))
    const theirs = stripe.webhooks.generateTestHeaderString({ payload: body, secret: key, timestamp: t })
    assert.equal(ours, theirs, 'the same header byte for byte')
    assert.equal(sh.verifySignature(body, theirs, { secrets: key, now: NOW }).timestamp, t)
  }), { numRuns: runs })
})

test('any single change to payload, secret, header or time is refused with a typed code', () => {
  const change = fc.constantFrom('payload', 'secret', 'header', 'time')
  fc.assert(fc.property(payload, secret, change, fc.nat(), (body, key, what, at) => {
    const header = sh.signHeader(body, key, NOW)
    let [b, k, h, now] = [body, key, header, NOW]
    const flip = (s) => {
      const i = at % Math.max(s.length, 1)
      const c = s.length ? s.charCodeAt(i) : 0x61
      return s.slice(0, i) + String.fromCharCode(c === 0x61 ? 0x62 : 0x61) + s.slice(i + 1)
    }
    if (what === 'payload') b = flip(body)
    if (what === 'secret') k = key.slice(0, 6) + flip(key.slice(6))
    if (what === 'header') {
      const i = h.indexOf('v1=') + 3 + (at % 64)
      h = h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1)
    }
    if (what === 'time') now = NOW + (at % 2 ? 1 : -1) * (301 + (at % 100_000))
    const r = new sh.Verifier(k).tryVerify(b, h, now)
    if (what === 'time') {
      assert.equal(r.code, now > NOW ? 'timestamp_too_old' : 'timestamp_in_future', JSON.stringify(r))
      // stripe-node's window is one-sided: it refuses old headers only (SECURITY-NOTES §4).
      if (now > NOW) assert.throws(() => verifyPeer(b, h, k, now))
    } else {
      assert.equal(r.ok, false)
      // Flipping half of a surrogate pair leaves a lone surrogate: refused as malformed input
      // (it has no UTF-8 bytes) rather than verified as U+FFFD.
      assert.equal(r.code, b.isWellFormed() ? 'signature_mismatch' : 'malformed_input')
      assert.throws(() => verifyPeer(b, h, k, now)) // the peer agrees
    }
  }), { numRuns: runs })
})

test('install_signature: JSON.stringify of any state and ids, byte for byte', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 })
  fc.assert(fc.property(fc.option(text, { nil: undefined }), text, text, (state, user, account) => {
    const expected = JSON.stringify({ state, user_id: user, account_id: account })
    assert.equal(sh.installPayload({ userId: user, accountId: account, state }), expected)
  }), { numRuns: runs })
})
