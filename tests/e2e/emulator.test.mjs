// The emulator's own contract (what Stripe's documents say), checked over HTTP with no browser,
// and the Stripe Apps OAuth lifecycle driven through the Node binding against it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHmac } from 'node:crypto'
import Stripe from 'stripe'
import * as sh from '../../bindings-node/index.mjs'
import { CODE_TTL_SECS } from '../emulator/emulator.mjs'
import { emulator, getJson, waitFor } from './harness.mjs'

const REDIRECT = 'http://127.0.0.1:9/callback'
const stripe = new Stripe('sk_test_oracle')

/** Follows the consent page like a user who clicks `decision`; returns the redirect's query. */
async function authorize(emu, path, decision = 'approve') {
  const page = await fetch(emu.url + path)
  assert.equal(page.status, 200, await page.clone().text())
  const action = /action="([^"]+)"/.exec(await page.text())[1]
  const answer = await fetch(emu.url + action, { method: 'POST', body: `decision=${decision}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual' })
  assert.equal(answer.status, 303)
  const location = answer.headers.get('location')
  assert.ok(location.startsWith(`${REDIRECT}?`), location)
  return location.slice(REDIRECT.length)
}

const post = (url, key, form) => fetch(url, {
  method: 'POST',
  headers: { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(form),
})

describe('the emulator', () => {
  let emu, hooks, received
  before(async () => {
    emu = await emulator()
    emu.config.app.redirectUris = [REDIRECT, 'https://example.com/cb']
    emu.config.platform.redirectUris = [REDIRECT]
    received = []
    hooks = createServer((req, res) => {
      const chunks = []
      req.on('data', (c) => chunks.push(c)).on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), header: req.headers['stripe-signature'] })
        res.end('ok')
      })
    })
    await new Promise((r) => hooks.listen(0, '127.0.0.1', r))
    emu.config.webhooks = [{ url: `http://127.0.0.1:${hooks.address().port}/hook`, secret: 'whsec_emulator_test' }]
  })
  after(async () => {
    await emu.close()
    hooks.close()
  })

  test('install redirects carry an install_signature that stripe-node verifies over JSON.stringify({state,user_id,account_id})', async () => {
    const q = new URLSearchParams(await authorize(emu, `/apps/install/link/${emu.config.app.linkId}?state=s%201`))
    assert.deepEqual([...q.keys()], ['user_id', 'account_id', 'state', 'install_signature', 'livemode'])
    assert.equal(q.get('livemode'), 'false')
    const payload = JSON.stringify({ state: q.get('state'), user_id: q.get('user_id'), account_id: q.get('account_id') })
    assert.ok(stripe.webhooks.signature.verifyHeader(payload, q.get('install_signature'), emu.config.app.appSecret, 300))
    // The same by hand from Stripe's documented scheme (node:crypto), so stripe-node is not its own judge.
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(q.get('install_signature'))
    assert.equal(createHmac('sha256', emu.config.app.appSecret).update(`${t}.${payload}`).digest('hex'), v1)
    assert.equal(payload, `{"state":"s 1","user_id":"${emu.config.account.userId}","account_id":"${emu.config.account.id}"}`)
    assert.throws(() => stripe.webhooks.signature.verifyHeader(payload.replace('s 1', 's 2'), q.get('install_signature'), emu.config.app.appSecret, 300))
    // No state sent: signed in the configured form, "state":null (the Ruby sample) by default, or
    // with the key left out as the Node sample does (the UI extension form).
    const bare = new URLSearchParams(await authorize(emu, `/apps/install/link/${emu.config.app.linkId}`))
    assert.equal(bare.get('state'), null)
    const nulled = JSON.stringify({ state: null, user_id: bare.get('user_id'), account_id: bare.get('account_id') })
    assert.ok(stripe.webhooks.signature.verifyHeader(nulled, bare.get('install_signature'), emu.config.app.appSecret, 300))
    emu.config.app.statelessForm = 'omitted'
    try {
      const omitted = new URLSearchParams(await authorize(emu, `/apps/marketplace/install?app=${emu.config.app.id}`))
      assert.equal(omitted.get('state'), null)
      const unsigned = JSON.stringify({ user_id: omitted.get('user_id'), account_id: omitted.get('account_id') })
      assert.ok(stripe.webhooks.signature.verifyHeader(unsigned, omitted.get('install_signature'), emu.config.app.appSecret, 300))
      assert.throws(() => stripe.webhooks.signature.verifyHeader(nulled, omitted.get('install_signature'), emu.config.app.appSecret, 300))
    } finally {
      emu.config.app.statelessForm = 'null'
    }
  })

  test('a cancelled install comes back with access_denied and no state; a denied OAuth keeps state', async () => {
    const q = new URLSearchParams(await authorize(emu, `/apps/install/link/${emu.config.app.linkId}?state=abc`, 'cancel'))
    assert.deepEqual(Object.fromEntries(q), { error: 'access_denied', error_description: 'The user cancelled the installation' })
    const o = new URLSearchParams(await authorize(emu, `/oauth/authorize?response_type=code&client_id=${emu.config.platform.clientId}&scope=read_only&state=abc`, 'cancel'))
    assert.deepEqual(Object.fromEntries(o), { error: 'access_denied', error_description: 'The user denied your request', state: 'abc' })
  })

  test('redirect_uri must equal an allowed entry byte for byte; the first entry is the default', async () => {
    const link = `/apps/install/link/${emu.config.app.linkId}`
    for (const bad of [`${REDIRECT}/`, REDIRECT.toUpperCase(), `${REDIRECT}?x=1`, 'https://example.com/cb/', 'https://EXAMPLE.com/cb', `${REDIRECT}#f`]) {
      const res = await fetch(`${emu.url}${link}?redirect_uri=${encodeURIComponent(bad)}`)
      assert.equal(res.status, 400, bad)
      assert.match(await res.text(), /Invalid redirect_uri/)
    }
    assert.equal((await fetch(`${emu.url}${link}?redirect_uri=${encodeURIComponent('https://example.com/cb')}`)).status, 200)
    assert.match(await authorize(emu, link), /^\?user_id=/) // no redirect_uri: the first entry
    assert.equal((await fetch(`${emu.url}/apps/install/link/lnk_unknown`)).status, 404)
  })

  test('Connect codes: one use, 5 minutes, a reuse revokes the connection and sends the webhook', async () => {
    const { platform } = emu.config
    const code = () => authorize(emu, `/oauth/authorize?response_type=code&client_id=${platform.clientId}&scope=read_write`).then((q) => new URLSearchParams(q).get('code'))
    const token = `${emu.url}/oauth/token`
    const c1 = await code()
    const ok = await post(token, platform.secretKeys.test, { grant_type: 'authorization_code', code: c1 })
    const body = await ok.json()
    assert.equal(ok.status, 200)
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'livemode', 'refresh_token', 'scope', 'stripe_publishable_key', 'stripe_user_id', 'token_type'])
    assert.equal((await fetch(`${emu.url}/v1/account`, { headers: { Authorization: `Bearer ${body.access_token}` } })).status, 200)
    const hooksBefore = received.length
    const again = await post(token, platform.secretKeys.test, { grant_type: 'authorization_code', code: c1 })
    assert.deepEqual([again.status, (await again.json()).error], [400, 'invalid_grant'])
    assert.equal((await fetch(`${emu.url}/v1/account`, { headers: { Authorization: `Bearer ${body.access_token}` } })).status, 401)
    await waitFor(() => received.length > hooksBefore, { what: 'the deauthorization webhook' })
    const hook = received.at(-1)
    // The delivery verifies with stripe-node and with our verifier, over the raw (pretty-printed) bytes.
    assert.equal(stripe.webhooks.constructEvent(hook.body, hook.header, 'whsec_emulator_test').type, 'account.application.deauthorized')
    const d = sh.verifyDeauthorization(hook.body, hook.header, { secrets: 'whsec_emulator_test' })
    assert.deepEqual([d.accountId, d.applicationId], [emu.config.account.id, platform.clientId])

    const c2 = await code()
    await fetch(`${emu.url}/_emulator/advance?seconds=${CODE_TTL_SECS + 1}`, { method: 'POST' })
    const late = await post(token, platform.secretKeys.test, { grant_type: 'authorization_code', code: c2 })
    assert.deepEqual(await late.json(), { error: 'invalid_grant', error_description: `Authorization code expired: ${c2}` })
    const unknown = await post(token, platform.secretKeys.test, { grant_type: 'authorization_code', code: 'ac_nope' })
    assert.equal((await unknown.json()).error, 'invalid_grant')
  })

  test('keys: publishable, restricted and unknown keys are refused; a code only works in its mode', async () => {
    const { platform, app } = emu.config
    const c = new URLSearchParams(await authorize(emu, `/oauth/authorize?response_type=code&client_id=${platform.clientId}&scope=read_write`)).get('code')
    for (const [key, status, error] of [['pk_test_x', 401, 'invalid_request'], ['rk_test_x', 401, 'invalid_request'], ['sk_test_other', 401, 'invalid_client'], [app.secretKeys.test, 401, 'invalid_client'], [platform.secretKeys.live, 400, 'invalid_grant']]) {
      const res = await post(`${emu.url}/oauth/token`, key, { grant_type: 'authorization_code', code: c })
      assert.deepEqual([res.status, (await res.json()).error], [status, error], key)
    }
    const none = await fetch(`${emu.url}/oauth/token`, { method: 'POST', body: 'grant_type=authorization_code' })
    assert.deepEqual([none.status, (await none.json()).error], [401, 'invalid_request'])
    const grant = await post(`${emu.url}/oauth/token`, platform.secretKeys.test, { grant_type: 'client_credentials' })
    assert.equal((await grant.json()).error, 'unsupported_grant_type')
    // The code was not spent by the refused attempts.
    assert.equal((await post(`${emu.url}/oauth/token`, platform.secretKeys.test, { grant_type: 'authorization_code', code: c })).status, 200)
  })

  test('Stripe Apps OAuth through the Node binding: 1 h access tokens, refresh tokens that roll', async () => {
    const { app } = emu.config
    const allow = new sh.RedirectAllowList([REDIRECT], { testMode: true })
    const state = sh.randomState()
    const link = sh.appsOAuthLink({ clientId: app.clientId, testLinkId: app.testLinkId, redirectUri: REDIRECT, state, baseUrl: emu.url }, allow)
    const query = await authorize(emu, link.slice(emu.url.length))
    const cb = sh.verifyOAuthCallback(query, { flow: 'apps_oauth', expectedState: state })
    const send = async (r) => {
      const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body })
      return [res.status, new Uint8Array(await res.arrayBuffer())]
    }
    const key = app.secretKeys.test
    const issuedAt = (await getJson(`${emu.url}/_emulator/log`)).now
    const t1 = sh.parseTokenResponse(...await send(sh.codeExchangeRequest({ provider: 'apps', secretKey: key, code: cb.code, expectedMode: 'test', baseUrl: emu.url })))
    assert.deepEqual([t1.scope, t1.livemode, t1.tokenType, t1.stripeUserId], ['stripe_apps', false, 'bearer', emu.config.account.id])
    const bearer = (t) => fetch(`${emu.url}/v1/account`, { headers: { Authorization: `Bearer ${t}` } }).then((r) => r.status)
    assert.equal(await bearer(t1.accessToken), 200)
    // The binding's expiry helper and the emulator agree on the hour.
    const expiry = sh.appsTokenExpiry(issuedAt, { now: issuedAt + 3600 - 301 })
    assert.equal(expiry.accessExpiresAt, issuedAt + 3600)
    assert.equal(expiry.needsRefresh, false)
    await fetch(`${emu.url}/_emulator/advance?seconds=3601`, { method: 'POST' })
    assert.equal(await bearer(t1.accessToken), 401)

    const t2 = sh.parseTokenResponse(...await send(sh.refreshRequest({ provider: 'apps', secretKey: key, refreshToken: t1.refreshToken, baseUrl: emu.url })))
    assert.notEqual(t2.refreshToken, t1.refreshToken)
    assert.equal(await bearer(t2.accessToken), 200)
    // The old refresh token rolled away: a typed OAuthError, not a generic failure.
    const stale = await send(sh.refreshRequest({ provider: 'apps', secretKey: key, refreshToken: t1.refreshToken, baseUrl: emu.url }))
    assert.throws(() => sh.parseTokenResponse(...stale), (e) => e instanceof sh.OAuthError && e.code === 'oauth_error' && e.oauthKind === 'invalid_grant')
    // A live key is refused by the binding before any request: the flow is in test mode.
    assert.throws(() => sh.refreshRequest({ provider: 'apps', secretKey: app.secretKeys.live, refreshToken: t2.refreshToken, expectedMode: 'test', baseUrl: emu.url }), { code: 'key_mode_mismatch' })
  })
})
