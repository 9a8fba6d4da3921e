// The README's server example, driven over real HTTP on loopback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Stripe from 'stripe'
import { installPayload, signHeader } from 'stripe-handshake'
import { platform } from '../examples/server.mjs'

test('the example server verifies an install callback and a webhook', async () => {
  const stripe = new Stripe('sk_test_example')
  const installs = []
  const gone = []
  const server = platform({
    appSecret: 'absec_example', webhookSecret: 'whsec_example', stateKey: Buffer.alloc(32, 7), linkId: 'lnk_1',
    onInstall: (r) => installs.push(r.accountId), onDeauthorize: (a) => gone.push(a),
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    const start = await fetch(`${base}/install`, { redirect: 'manual' })
    assert.equal(start.status, 302)
    const cookie = start.headers.get('set-cookie').split(';')[0]
    const state = new URL(start.headers.get('location')).searchParams.get('state')
    // Stripe's side.
    const payload = JSON.stringify({ state, user_id: 'usr_1', account_id: 'acct_1' })
    assert.equal(installPayload('usr_1', 'acct_1', state), payload)
    const sig = stripe.webhooks.generateTestHeaderString({ payload, secret: 'absec_example' })
    const q = new URLSearchParams({ user_id: 'usr_1', account_id: 'acct_1', state, install_signature: sig })
    const ok = await fetch(`${base}/stripe/callback?${q}`, { headers: { cookie } })
    assert.deepEqual(await ok.json(), { installed: true, account: 'acct_1' })
    // The same callback in another browser (no session cookie) is refused.
    const other = await fetch(`${base}/stripe/callback?${q}`, { headers: { cookie: 'sid=someone-else' } })
    assert.deepEqual([other.status, await other.json()], [400, { error: 'state_session_mismatch' }])
    const cancel = await fetch(`${base}/stripe/callback?error=access_denied&error_description=The+user+denied`, { headers: { cookie } })
    assert.deepEqual(await cancel.json(), { installed: false, reason: 'access_denied' })

    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'account.application.deauthorized', account: 'acct_1',
      livemode: false, created: 1, data: { object: { id: 'ca_1', object: 'application' } } })
    const hook = await fetch(`${base}/stripe/webhook`, { method: 'POST', body, headers: { 'stripe-signature': signHeader(body, 'whsec_example', Math.floor(Date.now() / 1000)) } })
    assert.equal(hook.status, 200)
    const forged = await fetch(`${base}/stripe/webhook`, { method: 'POST', body: body.replace('acct_1', 'acct_2'), headers: { 'stripe-signature': signHeader(body, 'whsec_example', Math.floor(Date.now() / 1000)) } })
    assert.deepEqual([forged.status, await forged.json()], [400, { error: 'signature_mismatch' }])
    assert.deepEqual(installs, ['acct_1'])
    assert.deepEqual(gone, ['acct_1'])
  } finally {
    server.close()
  }
})
