// The README's server example, driven over real HTTP on loopback.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Stripe from 'stripe'
import { installPayload, signHeader } from 'stripe-handshake'
import { memoryStore, platform } from '../examples/server.mjs'

test('the example platform verifies an install callback and a webhook (the full flows run in tests/e2e)', async () => {
  const stripe = new Stripe('sk_test_example')
  const store = memoryStore()
  const server = platform({
    publicUrl: 'http://127.0.0.1:3000', app: { linkId: 'lnk_1', clientId: 'ca_app', secret: 'absec_example' },
    connect: { clientId: 'ca_1', secretKey: 'sk_test_1' }, webhookSecret: 'whsec_example', stateKey: Buffer.alloc(32, 7), store,
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${server.address().port}`
  const outcome = async (res) => [res.status, /data-outcome="(\w+)"/.exec(await res.text())?.[1]]
  try {
    const start = await fetch(`${base}/install`, { redirect: 'manual' })
    assert.equal(start.status, 302)
    const cookie = start.headers.get('set-cookie').split(';')[0]
    const state = new URL(start.headers.get('location')).searchParams.get('state')
    // Stripe's side.
    const payload = JSON.stringify({ state, user_id: 'usr_1', account_id: 'acct_1' })
    assert.equal(installPayload({ userId: 'usr_1', accountId: 'acct_1', state }), payload)
    const sig = stripe.webhooks.generateTestHeaderString({ payload, secret: 'absec_example' })
    const q = new URLSearchParams({ user_id: 'usr_1', account_id: 'acct_1', state, install_signature: sig })
    assert.equal(new URL(start.headers.get('location')).searchParams.get('redirect_uri'), 'http://127.0.0.1:3000/stripe/install/callback')
    // The same callback in another browser (another session cookie) is refused.
    const other = await fetch(`${base}/stripe/install/callback?${q}`, { headers: { cookie: 'sid=AAAAAAAAAAAAAAAAAAAAAA' } })
    assert.deepEqual(await outcome(other), [400, 'rejected'])
    const ok = await fetch(`${base}/stripe/install/callback?${q}`, { headers: { cookie } })
    assert.deepEqual(await outcome(ok), [200, 'installed'])
    const cancel = await fetch(`${base}/stripe/install/callback?error=access_denied&error_description=The+user+denied`, { headers: { cookie } })
    assert.deepEqual(await outcome(cancel), [200, 'denied'])
    assert.deepEqual(Object.keys(store.installs), ['acct_1'])

    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'account.application.deauthorized', account: 'acct_1',
      livemode: false, created: 1, data: { object: { id: 'ca_app', object: 'application' } } })
    const hook = await fetch(`${base}/stripe/webhook`, { method: 'POST', body, headers: { 'stripe-signature': signHeader(body, 'whsec_example', Math.floor(Date.now() / 1000)) } })
    assert.equal(hook.status, 200)
    const forged = await fetch(`${base}/stripe/webhook`, { method: 'POST', body: body.replace('acct_1', 'acct_2'), headers: { 'stripe-signature': signHeader(body, 'whsec_example', Math.floor(Date.now() / 1000)) } })
    assert.deepEqual([forged.status, await forged.json()], [400, { error: 'signature_mismatch' }], 'the adapter\'s answer')
    assert.deepEqual(store.events.map((e) => [e.type, e.account]), [['account.application.deauthorized', 'acct_1']])
    assert.deepEqual(store.installs, {})
    // Stripe retries deliveries: the same event is handled once.
    await fetch(`${base}/stripe/webhook`, { method: 'POST', body, headers: { 'stripe-signature': signHeader(body, 'whsec_example', Math.floor(Date.now() / 1000)) } })
    assert.equal(store.events.length, 1)
    // Forms that change something must come from the platform's own pages; a forged session cookie is ignored.
    const cross = await fetch(`${base}/connections/refresh`, { method: 'POST', body: 'account=acct_1', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' } })
    assert.deepEqual(await outcome(cross), [400, 'rejected'])
    assert.ok(/sid=[\w-]{22}\.[0-9a-f]{64}/.test(cookie), cookie)
    assert.equal((await fetch(`${base}/store.json`)).status, 404) // only with exposeStore
  } finally {
    server.close()
  }
})

test('the example platform: a trace that throws never changes an outcome', async () => {
  const logged = []
  const error = console.error
  console.error = (m) => logged.push(String(m))
  const server = platform({
    publicUrl: 'http://127.0.0.1:3000', app: { linkId: 'lnk_1', clientId: 'ca_app', secret: 'absec_example' },
    connect: { clientId: 'ca_1', secretKey: 'sk_test_1' }, webhookSecret: 'whsec_example', stateKey: Buffer.alloc(32, 7),
    trace: { record() { throw new Error('record broke') }, render() { throw new Error('render broke') } },
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    const start = await fetch(`${base}/install`, { redirect: 'manual' })
    assert.equal(start.status, 302) // the link is built although its trace step threw
    const refused = await fetch(`${base}/stripe/install/callback?user_id=usr_1`)
    assert.equal(refused.status, 400) // a refusal stays a refusal: not a 500, not a crash
    assert.match(await refused.text(), /data-outcome="rejected"/)
    const home = await fetch(`${base}/`)
    assert.equal(home.status, 200)
    assert.match(await home.text(), /<h1>Demo platform<\/h1>/)
    assert.ok(logged.some((m) => m === 'trace record failed: record broke'), logged.join('\n'))
    assert.ok(logged.some((m) => m === 'trace render failed: render broke'), logged.join('\n'))
  } finally {
    console.error = error
    server.close()
  }
})
