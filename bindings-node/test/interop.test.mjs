// The real `stripe` npm package as the oracle: what it signs we verify, what we sign it
// verifies, install callbacks built the way Stripe's Node sample does verify here, and our
// Connect link matches stripe.oauth.authorizeUrl except where we differ on purpose.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Stripe from 'stripe'
import * as sh from '../index.mjs'

const stripe = new Stripe('sk_test_interop_only', { maxNetworkRetries: 0 })
const SECRET = 'whsec_interop_secret'
const APP_SECRET = 'absec_interop_secret'
const now = Math.floor(Date.now() / 1000)

// A small deterministic PRNG, so a failure can be reproduced from the printed seed.
function rng(seed) {
  let x = seed >>> 0
  return () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0), x / 2 ** 32)
}
const POOL = ['a', 'Z', '0', ' ', '+', '%', '&', '=', '?', '#', '/', '\\', '"', "'", '<', '>', '\n', '\t', '\u0000', '\u001f', '\u007f',
  'é', 'ß', '中', '😀', '\u2028', '\u2029', '\ufeff', '%20', '%2B', '+%', '&state=x']
function randomState(r) {
  const n = Math.floor(r() * 24)
  let s = ''
  for (let i = 0; i < n; i++) s += POOL[Math.floor(r() * POOL.length)]
  return s
}

test('headers from stripe.webhooks.generateTestHeaderString verify here', () => {
  const r = rng(1)
  const verifier = new sh.Verifier(SECRET)
  for (let i = 0; i < 500; i++) {
    const payload = JSON.stringify({ id: `evt_${i}`, object: 'event', type: 'account.application.deauthorized', note: randomState(r) })
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: now - i % 300 })
    assert.equal(verifier.verify(payload, header, now).secretIndex, 0)
    assert.equal(verifier.verify(Buffer.from(payload), header, now).secretIndex, 0)
    // Reject twin: one byte changed.
    assert.throws(() => verifier.verify(payload + ' ', header, now), { code: 'signature_mismatch' })
  }
})

test('headers we sign verify in stripe.webhooks.signature.verifyHeader and constructEvent', () => {
  for (let i = 0; i < 200; i++) {
    const payload = JSON.stringify({ id: `evt_${i}`, object: 'event', type: 'customer.created', data: { object: { id: `cus_${i}` } } })
    const header = sh.signHeader(payload, SECRET, now)
    assert.equal(stripe.webhooks.signature.verifyHeader(payload, header, SECRET, 300), true)
    assert.equal(stripe.webhooks.constructEvent(payload, header, SECRET).id, `evt_${i}`)
    assert.throws(() => stripe.webhooks.signature.verifyHeader(payload, header, SECRET + 'x', 300))
  }
})

test('install callbacks built like Stripe’s Node sample verify, and every tampering is refused', () => {
  const r = rng(2026)
  const states = [undefined, '', ' ', '+', '%', '&', '%zz']
  for (let i = 0; i < 3000; i++) states.push(r() < 0.05 ? undefined : randomState(r))
  let verified = 0
  for (const state of states) {
    const user_id = 'usr_' + Math.floor(r() * 1e9).toString(36)
    const account_id = 'acct_' + Math.floor(r() * 1e9).toString(36)
    // Stripe's side, exactly as its docs' sample: JSON.stringify + stripe's signing helper.
    const payload = JSON.stringify({ state, user_id, account_id })
    const install_signature = stripe.webhooks.generateTestHeaderString({ payload, secret: APP_SECRET, timestamp: now })
    const url = new URL('https://platform.example/callback')
    url.searchParams.set('user_id', user_id)
    url.searchParams.set('account_id', account_id)
    if (state !== undefined) url.searchParams.set('state', state)
    url.searchParams.set('install_signature', install_signature)
    const query = url.search
    // And the docs' own check agrees with the payload we build.
    assert.equal(sh.installPayload({ userId: user_id, accountId: account_id, state }), payload)
    stripe.webhooks.signature.verifyHeader(payload, install_signature, APP_SECRET)

    let check
    if (!state) {
      // No state: a Marketplace install. Stripe's sample then signs {user_id, account_id} (key
      // omitted, the UI extension form) or "state":"", accepted only when asked for.
      const form = state === undefined ? 'omitted' : 'empty'
      check = { marketplace: 'accept_ui_extension_form' }
      const res = sh.verifyInstallCallback(query, { secrets: APP_SECRET, now, ...check })
      assert.deepEqual([res.outcome, res.accountId, res.signedForm], ['marketplace_install', account_id, form])
      assert.throws(() => sh.verifyInstallCallback(query, { secrets: APP_SECRET, now, expectedState: 'st' }), { code: 'state_missing' })
      if (form === 'omitted') {
        assert.throws(() => sh.verifyInstallCallback(query, { secrets: APP_SECRET, now, marketplace: 'accept' }), { code: 'ui_extension_form_refused' })
      }
    } else {
      check = { expectedState: state }
      const res = sh.verifyInstallCallback(query, { secrets: APP_SECRET, now, ...check })
      assert.equal(res.outcome, 'installed')
      assert.equal(res.accountId, account_id)
      assert.equal(res.state ?? undefined, state)
    }
    verified++

    // Tampered twins: each must be refused with a typed error.
    const tamper = (k, v) => {
      const u = new URL(url)
      u.searchParams.set(k, v)
      return u.search
    }
    const bad = [
      tamper('account_id', account_id + 'x'),
      tamper('user_id', 'usr_other'),
      tamper('state', (state ?? '') + 'x'),
      tamper('install_signature', install_signature.replace(/t=(\d+)/, (_, t) => `t=${Number(t) + 1}`)),
      tamper('install_signature', install_signature.slice(0, -1) + (install_signature.endsWith('0') ? '1' : '0')),
    ]
    for (const q of bad) {
      assert.throws(() => sh.verifyInstallCallback(q, { secrets: APP_SECRET, now, ...check }), (e) => e instanceof sh.StripeHandshakeError
        && ['signature_mismatch', 'state_mismatch', 'unexpected_state'].includes(e.code))
    }
    // A replay after the window is refused.
    assert.throws(() => sh.verifyInstallCallback(query, { secrets: APP_SECRET, now: now + 301, ...check }), { code: 'timestamp_too_old' })
  }
  assert.equal(verified, states.length)
})

test('our Connect link equals stripe.oauth.authorizeUrl, but for the documented differences', () => {
  const allow = new sh.RedirectAllowList(['https://platform.example/callback'])
  const params = {
    response_type: 'code',
    client_id: 'ca_interop123',
    scope: 'read_only',
    redirect_uri: 'https://platform.example/callback',
    state: 'a b+c/é😀&x=1',
    stripe_landing: 'register',
    always_prompt: true,
  }
  const ours = sh.connectOAuthLink({
    clientId: params.client_id, accountType: 'standard', scope: 'read_only', redirectUri: params.redirect_uri,
    state: params.state, stripeLanding: 'register', alwaysPrompt: true,
  }, allow)
  assert.equal(ours, stripe.oauth.authorizeUrl({ ...params }))

  // Prefill: stripe-node keeps the caller's key order; we send Stripe's documented order.
  const withUser = sh.connectOAuthLink({
    clientId: params.client_id, accountType: 'standard', scope: 'read_write',
    stripeUser: { email: 'o@x.example', business_name: 'Café & Co' },
  }, allow)
  assert.equal(withUser, stripe.oauth.authorizeUrl({
    response_type: 'code', client_id: params.client_id, scope: 'read_write', redirect_uri: params.redirect_uri,
    stripe_user: { email: 'o@x.example', business_name: 'Café & Co' },
  }))

  // Express: same path and parameters; stripe-node adds scope=read_write, which Express
  // does not use (we send none), and it writes arrays with indices (`[0]=`), where Stripe's
  // docs write `suggested_capabilities[]=` (we do).
  const express = sh.connectOAuthLink({ clientId: params.client_id, accountType: 'express', suggestedCapabilities: ['transfers'] }, allow)
  const theirs = stripe.oauth.authorizeUrl({ response_type: 'code', client_id: params.client_id, redirect_uri: params.redirect_uri,
    suggested_capabilities: ['transfers'] }, { express: true })
  assert.equal(express, 'https://connect.stripe.com/express/oauth/authorize?response_type=code&client_id=ca_interop123&redirect_uri=https%3A%2F%2Fplatform.example%2Fcallback&suggested_capabilities[]=transfers')
  assert.equal(theirs, 'https://connect.stripe.com/express/oauth/authorize?response_type=code&client_id=ca_interop123&redirect_uri=https%3A%2F%2Fplatform.example%2Fcallback&suggested_capabilities[0]=transfers&scope=read_write')

  // stripe-node accepts any redirect_uri and defaults scope to read_write; we refuse both.
  assert.throws(() => sh.connectOAuthLink({ clientId: 'ca_1', accountType: 'standard', scope: 'read_write', redirectUri: 'https://evil.example/' }, allow), { code: 'redirect_uri_not_allowed' })
  assert.throws(() => sh.connectOAuthLink({ clientId: 'ca_1', accountType: 'standard' }, allow), { code: 'invalid_argument' })
})

// Event notifications: stripe-node's parseEventNotification reads the same envelope from
// every verified notification of the corpus, and each library refuses the other kind.
test('event notifications: stripe.parseEventNotification agrees on every corpus envelope, and both refuse the other kind', async () => {
  const { readFileSync } = await import('node:fs')
  const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/notifications.json', import.meta.url), 'utf8'))
  const accepted = doc.cases.filter((c) => c.op === 'verify_event_notification' && c.ok)
  assert.ok(accepted.length >= 10, `${accepted.length}`)
  for (const c of accepted) {
    const i = c.input
    const secret = i.secrets[c.ok.secret_index]
    const ours = sh.verifyEventNotification(i.payload, i.header, { secrets: i.secrets, now: i.now, tolerance: i.tolerance })
    const theirs = stripe.parseEventNotification(i.payload, i.header, secret, i.tolerance, undefined, i.now)
    assert.equal(ours.id, theirs.id, c.id)
    assert.equal(ours.type, theirs.type, c.id)
    assert.equal(ours.createdRfc3339, theirs.created, c.id)
    assert.equal(ours.created, Math.floor(Date.parse(theirs.created) / 1000), `${c.id}: created as Date.parse reads it`)
    assert.equal(ours.livemode, theirs.livemode, c.id)
    assert.equal(ours.context ?? '', theirs.context ? theirs.context.toString() : '', c.id)
    assert.deepEqual(ours.relatedObject && { ...ours.relatedObject }, theirs.related_object
      ? { id: theirs.related_object.id ?? null, type: theirs.related_object.type, url: theirs.related_object.url } : null, c.id)
    assert.equal(ours.snapshotEvent, theirs.snapshot_event ?? null, c.id)
  }
  // Reject twins: what we sign as a thin event, stripe-node's constructEvent refuses; a
  // snapshot event, its parseEventNotification refuses; ours refuses each the same way.
  const thin = JSON.stringify({ id: 'evt_1', object: 'v2.core.event', type: 'v1.customer.created', livemode: false, created: '2026-10-01T00:00:00Z' })
  const thinHeader = sh.signHeader(thin, SECRET, now)
  assert.throws(() => stripe.webhooks.constructEvent(thin, thinHeader, SECRET), /thin event notification/)
  assert.throws(() => sh.verifyWebhook(thin, thinHeader, { secrets: SECRET, now }), { code: 'event_notification_given' })
  assert.equal(stripe.parseEventNotification(thin, thinHeader, SECRET).id, 'evt_1')
  const snap = JSON.stringify({ id: 'evt_2', object: 'event', type: 'customer.created', livemode: false, created: now, data: { object: {} } })
  const snapHeader = sh.signHeader(snap, SECRET, now)
  assert.throws(() => stripe.parseEventNotification(snap, snapHeader, SECRET), /constructEvent/)
  assert.throws(() => sh.verifyEventNotification(snap, snapHeader, { secrets: SECRET, now }), { code: 'snapshot_event_given' })
  // What stripe-node signs for a notification verifies here; a changed byte does not.
  const header = stripe.webhooks.generateTestHeaderString({ payload: thin, secret: SECRET, timestamp: now })
  assert.equal(new sh.Verifier(SECRET).verifyEventNotification(thin, header, now).id, 'evt_1')
  assert.throws(() => new sh.Verifier(SECRET).verifyEventNotification(thin + ' ', header, now), { code: 'signature_mismatch' })
})
