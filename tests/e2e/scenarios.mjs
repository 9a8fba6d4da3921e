// The end-to-end scenarios every example platform must pass, in Chromium against the emulator.
// A platform is anything that serves the same routes: /install, /connect, the two callbacks,
// /connections/{refresh,deauthorize}, /stripe/webhook, /stripe/events (event notifications) and
// /store.json (what it stored).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { NOTIFICATION_SECRET, emulator, getJson, launchBrowser, result, runFlow, waitFor } from './harness.mjs'

/**
 * @param {string} name
 * @param {(emu) => Promise<{ base: string, stop: () => Promise<void> }>} start  starts the platform, wired to emu
 * @param {{ foreignSessionCodes: string[], foreignConnectCodes: string[], replayedConnectCodes: string[],
 *   consumeCallback: (base: string, callbackUrl: string) => Promise<Response> }} expect
 *   the codes a platform shows for a callback opened in another browser and for a replayed one, and
 *   how to hand a callback straight to the platform's server with no session (what an attacker can do)
 */
export function platformScenarios(name, start, expect) {
  describe(name, () => {
    let emu, platform, browser
    const store = () => getJson(`${platform.base}/store.json`)
    const log = () => getJson(`${emu.url}/_emulator/log`)
    const account = () => emu.config.account.id
    const fresh = async () => (await browser.newContext()).newPage()
    // Each test signs in to Stripe as its own account, so no test can pass on another's records.
    const useAccount = (tag) => {
      emu.config.account = { id: `acct_1${tag}`, userId: `usr_1${tag}`, name: `${tag} (test)` }
      return emu.config.account.id
    }
    const tokens = async () => (await log()).grants.flatMap((g) => g.tokens)

    before(async () => {
      emu = await emulator()
      platform = await start(emu)
      browser = await launchBrowser()
    })
    after(async () => {
      await browser?.close()
      await platform?.stop()
      await emu?.close()
    })

    test('install: connect → approve → redirect → install verified and stored', async () => {
      useAccount('Installed')
      const page = await fresh()
      const r = await runFlow(page, `${platform.base}/install`)
      assert.equal(r.outcome, 'installed', r.text)
      assert.match(r.text, new RegExp(account()))
      const s = await store()
      assert.equal(s.installs[account()].userId, emu.config.account.userId)
      assert.equal(s.installs[account()].livemode, false)
      await page.context().close()
    })

    test('install from the Marketplace (no state): accepted as its own outcome, never tied to this browser', async () => {
      const acct = useAccount('Marketplace')
      const page = await fresh()
      const r = await runFlow(page, `${emu.url}/apps/marketplace/install?app=${emu.config.app.id}`)
      assert.equal(r.outcome, 'marketplace_install', r.text)
      const s = await store()
      assert.equal(s.installs[acct].fromMarketplace, true)
      assert.equal(s.installs[acct].userId, emu.config.account.userId)
      assert.equal(s.installs[acct].session ?? null, null)
      await page.context().close()
    })

    test('install from the Marketplace signed in the UI extension form: refused, nothing stored', async () => {
      const acct = useAccount('UiForm')
      emu.config.app.statelessForm = 'omitted'
      try {
        const page = await fresh()
        const r = await runFlow(page, `${emu.url}/apps/marketplace/install?app=${emu.config.app.id}`)
        assert.deepEqual(pick(r), { outcome: 'rejected', code: 'ui_extension_form_refused' })
        assert.equal((await store()).installs[acct], undefined)
        await page.context().close()
      } finally {
        emu.config.app.statelessForm = 'null'
      }
    })

    test('an OAuth-type app: link → consent → code with the ids → state checked → exchanged at the Apps endpoint', async () => {
      const acct = useAccount('OAuthApp')
      const page = await fresh()
      const r = await runFlow(page, `${platform.base}/apps/connect`)
      assert.equal(r.outcome, 'app_authorized', r.text)
      const s = await store()
      assert.deepEqual([s.appConnections[acct].userId, s.appConnections[acct].bound, s.appConnections[acct].fromMarketplace, s.appConnections[acct].mode],
        [emu.config.account.userId, true, false, 'test'])
      const grant = (await log()).grants.at(-1)
      assert.deepEqual([grant.provider, grant.client, grant.account], ['apps', emu.config.app.clientId, acct])
      await page.context().close()
    })

    test('a sandbox link: its own link id and client id, the mode carried in the state to an exchange with the sandbox key', async () => {
      const acct = useAccount('Sandbox')
      const page = await fresh()
      const r = await runFlow(page, `${platform.base}/apps/connect?env=sandbox`)
      assert.equal(r.outcome, 'app_authorized', r.text)
      assert.match(page.url(), /\/stripe\/apps\/callback/)
      assert.equal((await store()).appConnections[acct].mode, 'sandbox')
      const grant = (await log()).grants.at(-1)
      assert.deepEqual([grant.client, grant.account], [emu.config.app.sandbox.clientId, acct])
      await page.context().close()
    })

    test('an OAuth-type app installed from the Marketplace: no state, accepted as its own outcome, unclaimed', async () => {
      const acct = useAccount('OAuthMarket')
      const { app } = emu.config
      const saved = [app.accessType, app.redirectUris]
      app.accessType = 'oauth'
      app.redirectUris = [app.redirectUris.find((u) => u.endsWith('/stripe/apps/callback')), ...app.redirectUris]
      try {
        const page = await fresh()
        const r = await runFlow(page, `${emu.url}/apps/marketplace/install?app=${app.id}`)
        assert.equal(r.outcome, 'marketplace_authorized', r.text)
        const s = await store()
        assert.deepEqual([s.appConnections[acct].bound, s.appConnections[acct].fromMarketplace], [false, true])
        await page.context().close()
      } finally {
        [app.accessType, app.redirectUris] = saved
      }
    })

    test('an OAuth-type app callback without install_signature is never taken as an install; a forged code is refused', async () => {
      const acct = useAccount('OAuthForged')
      // An install-link callback route given an OAuth-shaped query: it still demands the signature.
      const page = await fresh()
      await page.goto(`${platform.base}/stripe/install/callback?code=ac_forged&user_id=usr_1&account_id=${acct}&stripe_user_id=${acct}&state=x`)
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'missing_parameter' })
      // The OAuth-type route given a code with a state from nowhere: the state check refuses it before any exchange.
      const before = (await log()).codes.length
      await page.goto(`${platform.base}/stripe/apps/callback?code=ac_forged&user_id=usr_1&account_id=${acct}&stripe_user_id=${acct}&state=forged`)
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'state_malformed' })
      assert.equal((await log()).codes.length, before)
      assert.equal((await store()).appConnections[acct], undefined)
      await page.context().close()
    })

    test('install: cancel → typed denial shown, nothing stored', async () => {
      const acct = useAccount('Cancelled')
      const page = await fresh()
      const before = await store()
      const r = await runFlow(page, `${platform.base}/install`, { decision: 'cancel' })
      assert.equal(r.outcome, 'denied', r.text)
      assert.match(r.text, /access_denied/)
      const after = await store()
      assert.equal(after.installs[acct], undefined)
      assert.deepEqual(after.installs, before.installs)
      await page.context().close()
    })

    test('install: a tampered callback is rejected, a replayed one too', async () => {
      useAccount('Tampered')
      const page = await fresh()
      const callback = await runFlow(page, `${platform.base}/install`, { hold: true })
      const u = new URL(callback)
      assert.equal(u.searchParams.get('account_id'), account())
      const before = await store()

      const tampered = new URL(callback)
      tampered.searchParams.set('account_id', 'acct_1Attacker')
      await page.goto(tampered.href)
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'signature_mismatch' })
      assert.equal((await store()).installs.acct_1Attacker, undefined)

      const noSignature = new URL(callback)
      noSignature.searchParams.delete('install_signature')
      await page.goto(noSignature.href)
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'missing_parameter' })

      await page.goto(callback)
      assert.equal((await result(page)).outcome, 'installed')
      await page.goto(callback)
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'state_replayed' })
      assert.equal((await store()).usedNonces, before.usedNonces + 1)
      await page.context().close()
    })

    test('install: state from another browser session is rejected', async () => {
      const acct = useAccount('Victim')
      const victim = await fresh()
      const callback = await runFlow(victim, `${platform.base}/install`, { hold: true })
      const before = await store()
      const attacker = await fresh() // another browser profile: other cookies, other sessionStorage
      await attacker.goto(callback)
      const r = await result(attacker)
      assert.equal(r.outcome, 'rejected')
      assert.ok(expect.foreignSessionCodes.includes(r.code), r.code)
      assert.equal((await store()).usedNonces, before.usedNonces)
      assert.equal((await store()).installs[acct], undefined)
      // The browser that started the install can still finish it.
      await victim.goto(callback)
      assert.equal((await result(victim)).outcome, 'installed')
      await attacker.context().close()
      await victim.context().close()
    })

    test('connect: deny → typed denial shown, nothing stored', async () => {
      const acct = useAccount('Denied')
      const page = await fresh()
      const before = await store()
      const r = await runFlow(page, `${platform.base}/connect`, { decision: 'cancel' })
      assert.equal(r.outcome, 'denied', r.text)
      assert.match(r.text, /access_denied/)
      assert.equal((await store()).connections[acct], undefined)
      assert.deepEqual((await store()).connections, before.connections)
      assert.equal((await log()).codes.filter((c) => c.account === acct).length, 0)
      await page.context().close()
    })

    test('connect: code → token → refresh → deauthorize → webhook verified', async () => {
      useAccount('Lifecycle')
      const page = await fresh()
      const r = await runFlow(page, `${platform.base}/connect`)
      assert.equal(r.outcome, 'connected', r.text)
      assert.match(r.text, /read_write/)
      let s = await store()
      assert.equal(s.connections[account()].scope, 'read_write')
      assert.equal(s.connections[account()].livemode, false)
      let grant = (await log()).grants.at(-1)
      assert.deepEqual([grant.provider, grant.account, grant.revoked, grant.accessTokens], ['connect', account(), false, 1])

      // No page and no store ever shows a token.
      const secrets = await tokens()
      for (const text of [await page.content(), JSON.stringify(await store())]) {
        for (const t of secrets) assert.ok(!text.includes(t), 'a token leaked into a page or the store')
      }

      await page.goto(`${platform.base}/`)
      const stored = (await store()).connections[account()].accessToken
      await page.click('#refresh')
      assert.equal((await result(page)).outcome, 'refreshed')
      grant = (await log()).grants.at(-1)
      assert.equal(grant.accessTokens, 2)
      assert.notEqual((await store()).connections[account()].accessToken, stored, 'the platform kept the old access token')

      await page.goto(`${platform.base}/`)
      const events = (await store()).events.length
      await page.click('#deauthorize')
      assert.equal((await result(page)).outcome, 'disconnected')
      assert.equal((await log()).grants.at(-1).revoked, true)
      s = await waitFor(async () => { const x = await store(); return x.events.length > events && x }, { what: 'the webhook' })
      assert.deepEqual(s.events.at(-1).type, 'account.application.deauthorized')
      assert.equal(s.events.at(-1).account, account())
      assert.equal(s.connections[account()], undefined)
      const delivery = await waitFor(async () => { const d = (await log()).deliveries.filter((x) => x.url.endsWith('/stripe/webhook')).at(-1); return d.status !== null && d }, { what: 'the delivery status' })
      assert.equal(delivery.status, 200)

      // Stripe retries a delivery it thinks failed: the same event is handled once.
      const handled = (await store()).events.length
      const replay = await fetch(delivery.url, { method: 'POST', body: delivery.payload, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.header } })
      assert.equal(replay.status, 200)
      assert.equal((await store()).events.length, handled)
      await page.context().close()
    })

    test('an App uninstall removes the install and keeps the Connect connection', async () => {
      const acct = useAccount('Both')
      const page = await fresh()
      assert.equal((await runFlow(page, `${platform.base}/install`)).outcome, 'installed')
      assert.equal((await runFlow(page, `${platform.base}/connect`)).outcome, 'connected')
      const events = (await store()).events.length
      await fetch(`${emu.url}/_emulator/uninstall?client_id=${emu.config.app.clientId}&account=${acct}`, { method: 'POST' })
      const s = await waitFor(async () => { const x = await store(); return x.events.length > events && x }, { what: 'the webhook' })
      assert.equal(s.installs[acct], undefined)
      assert.equal(s.connections[acct].scope, 'read_write')
      await page.context().close()
    })

    test('a cross-origin form post changes nothing', async () => {
      const acct = useAccount('Csrf')
      const page = await fresh()
      assert.equal((await runFlow(page, `${platform.base}/connect`)).outcome, 'connected')
      const before = (await log()).grants.filter((g) => g.account === acct)
      // What a page on another site makes the browser send: the user's cookies ride along (Lax
      // cookies do not on cross-site POSTs, but a sibling subdomain is same-site).
      const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
      for (const path of ['/connections/deauthorize', '/connections/refresh']) {
        const res = await fetch(platform.base + path, { method: 'POST', body: `account=${acct}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example', Cookie: cookies } })
        assert.equal(res.status, 400, path)
        assert.match(await res.text(), /cross_origin/)
      }
      const after = (await log()).grants.filter((g) => g.account === acct)
      assert.deepEqual(after, before)
      await page.context().close()
    })

    test('connect: a callback from another browser session is refused and its code never used', async () => {
      useAccount('Foreign')
      const victim = await fresh()
      const callback = await runFlow(victim, `${platform.base}/connect`, { hold: true })
      const code = new URL(callback).searchParams.get('code')
      const attacker = await fresh()
      await attacker.goto(callback)
      const r = await result(attacker)
      assert.equal(r.outcome, 'rejected')
      assert.ok(expect.foreignConnectCodes.includes(r.code), r.code)
      // Straight to the server, with no browser check in the way: the server refuses too.
      const direct = await expect.consumeCallback(platform.base, callback)
      assert.equal(direct.status, 400)
      assert.match(await direct.text(), /state_session_mismatch/)
      assert.equal((await log()).codes.find((c) => c.code === code).used, false)
      await attacker.context().close()
      await victim.context().close()
    })

    test('connect: a replayed callback is refused before the code is sent again', async () => {
      useAccount('Replayed')
      const page = await fresh()
      const callback = await runFlow(page, `${platform.base}/connect`, { hold: true })
      const code = new URL(callback).searchParams.get('code')
      await page.goto(callback)
      assert.equal((await result(page)).outcome, 'connected')
      const grants = (await log()).grants.length
      await page.goto(callback)
      const r = await result(page)
      assert.equal(r.outcome, 'rejected')
      assert.ok(expect.replayedConnectCodes.includes(r.code), r.code)
      // Had the platform sent the code again, the emulator would have revoked the connection.
      const after = await log()
      assert.equal(after.grants.length, grants)
      assert.equal(after.grants.at(-1).revoked, false)
      assert.equal(after.codes.find((c) => c.code === code).used, true)
      await page.context().close()
    })

    test('connect: deauthorize → an event notification (thin event) is verified and its event fetched in its context', async () => {
      const acct = useAccount('Thin')
      const page = await fresh()
      assert.equal((await runFlow(page, `${platform.base}/connect`)).outcome, 'connected')
      await page.goto(`${platform.base}/`)
      const seen = (await store()).notifications.length
      await page.click('#deauthorize')
      assert.equal((await result(page)).outcome, 'disconnected')
      const s = await waitFor(async () => { const x = await store(); return x.notifications.length > seen && x }, { what: 'the notification' })
      const n = s.notifications.at(-1)
      assert.deepEqual([n.type, n.context, n.fetched], ['v1.account.application.deauthorized', acct, true])
      assert.equal(s.connections[acct], undefined)
      const delivery = (await log()).deliveries.find((d) => d.id === n.id)
      assert.match(delivery.payload, /"object": "v2.core.event"/)
      assert.equal(delivery.status, 200)
      // The platform fetched the event once, with its own key, in the event's context.
      const fetches = (await log()).eventFetches.filter((f) => f.id === n.id)
      assert.deepEqual(fetches.map((f) => [f.owner, f.context, f.status]), [['platform', acct, 200]])
      // A retry of the same notification is acted on once, and not fetched again: the adapter
      // claims the id before the handler fetches, and releases it only if the handler fails.
      const replay = await fetch(delivery.url, { method: 'POST', body: delivery.payload, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.header } })
      assert.equal(replay.status, 200)
      assert.equal((await store()).notifications.length, s.notifications.length)
      assert.equal((await log()).eventFetches.filter((f) => f.id === n.id).length, 1)
      await page.context().close()
    })

    test('event notifications: a snapshot event, a forged signature and a notification of another context are refused', async () => {
      const before = await store()
      const t = Math.floor(Date.now() / 1000)
      const { signHeader } = await import('../../bindings-node/index.mjs')
      const post = (body, header) => fetch(`${platform.base}/stripe/events`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header } })
      // Signed with the destination's secret, but a snapshot event: the verifier names the other function.
      const snapshot = JSON.stringify({ id: 'evt_snap', object: 'event', type: 'account.application.deauthorized', account: account(), livemode: false, created: t, data: { object: { id: 'ca_x', object: 'application' } } })
      let res = await post(snapshot, signHeader(snapshot, NOTIFICATION_SECRET, t))
      assert.equal(res.status, 400)
      assert.match(await res.text(), /snapshot_event_given/)
      // A notification with a forged signature.
      const thin = JSON.stringify({ id: 'evt_test_forged', object: 'v2.core.event', type: 'v1.account.application.deauthorized', livemode: false, created: new Date(t * 1000).toISOString(), context: account() })
      res = await post(thin, `t=${t},v1=${'0'.repeat(64)}`)
      assert.equal(res.status, 400)
      assert.match(await res.text(), /signature_mismatch/)
      // Correctly signed (a leaked secret), but Stripe has no such event: the fetch says so, nothing
      // changes, and the answer is a 5xx (the handler failed: Stripe would deliver it again).
      res = await post(thin, signHeader(thin, NOTIFICATION_SECRET, t))
      assert.ok(res.status === 500 || res.status === 503, String(res.status))
      assert.deepEqual((await store()).notifications, before.notifications)
      assert.deepEqual((await store()).connections, before.connections)
      assert.deepEqual((await log()).eventFetches.filter((f) => f.id === 'evt_test_forged').map((f) => f.status), [404])
    })

    // Account Links: onboarding through the hosted page, the return checked by state, the account retrieved.
    // Only an account this session holds can be onboarded: connect it first (Connect OAuth).
    const connected = async (page) => assert.equal((await runFlow(page, `${platform.base}/connect`)).outcome, 'connected')
    const onboard = async (page, acct, decision = 'approve') => {
      await connected(page)
      await page.goto(`${platform.base}/`)
      await page.fill('#onboard-account', acct)
      await page.click('#onboard')
      await page.locator('#consent').waitFor({ timeout: 15_000 })
      await page.click(decision === 'approve' ? '#approve' : '#cancel')
      return result(page)
    }

    test('Account Link: onboarding finished → return checked by state → the account retrieved says so', async () => {
      const acct = useAccount('Onboarded')
      const page = await fresh()
      const r = await onboard(page, acct)
      assert.equal(r.outcome, 'onboarded', r.text)
      assert.deepEqual((await store()).onboarding[acct], { detailsSubmitted: true, chargesEnabled: true })
      assert.deepEqual((await log()).accountFetches.filter((f) => f.account === acct).map((f) => f.status), [200])
      // The same return opened again: the state was one-time.
      await page.goBack()
      await page.goForward()
      assert.equal((await result(page)).code, 'state_replayed')
      await page.context().close()
    })

    test('Account Link: leaving early comes back the same way; the API, not the return, says it is unfinished', async () => {
      const acct = useAccount('Unfinished')
      const page = await fresh()
      const r = await onboard(page, acct, 'cancel')
      assert.equal(r.outcome, 'onboarding_incomplete', r.text)
      assert.deepEqual((await store()).onboarding[acct], { detailsSubmitted: false, chargesEnabled: false })
      await page.context().close()
    })

    test('Account Link: a used link goes to refresh_url, which makes a new link for the same account', async () => {
      const acct = useAccount('Refreshed')
      const page = await fresh()
      await connected(page)
      await page.goto(`${platform.base}/`)
      await page.fill('#onboard-account', acct)
      await page.click('#onboard')
      await page.locator('#consent').waitFor()
      const first = page.url()
      // Opening the single-use link again (a reload, a shared link): Stripe sends it to refresh_url.
      await page.goto(first)
      await page.locator('#consent').waitFor()
      assert.notEqual(page.url(), first, 'the refresh made a new link')
      assert.match(page.url(), new RegExp(`/setup/e/${acct}/`))
      assert.equal((await log()).accountLinks.filter((l) => l.account === acct).length, 2)
      await page.context().close()
    })

    test('Account Link: a return opened in another browser session is refused before any API call', async () => {
      const acct = useAccount('Hijack')
      const victim = await fresh()
      await connected(victim)
      await victim.goto(`${platform.base}/`)
      await victim.fill('#onboard-account', acct)
      let returnUrl = null
      // Let Stripe's page answer the Finish form, but keep the victim's browser from following it.
      await victim.route(`${emu.url}/setup/e/**`, async (route) => {
        if (route.request().method() !== 'POST') return route.continue()
        const answer = await route.fetch({ maxRedirects: 0 })
        returnUrl = answer.headers().location
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="held">held</p>' })
      })
      await victim.click('#onboard')
      await victim.locator('#consent').waitFor()
      await victim.click('#approve')
      await waitFor(() => returnUrl, { what: 'the return URL' })
      const attacker = await fresh()
      await attacker.goto(returnUrl)
      assert.deepEqual(pick(await result(attacker)), { outcome: 'rejected', code: 'state_session_mismatch' })
      assert.equal((await store()).onboarding[acct], undefined)
      assert.equal((await log()).accountFetches.filter((f) => f.account === acct).length, 0)
      await attacker.context().close()
      await victim.context().close()
    })

    test('Account Link: an account this session does not hold is refused before any link is made', async () => {
      const acct = useAccount('NotMine')
      const page = await fresh()
      await page.goto(`${platform.base}/`)
      await page.fill('#onboard-account', acct)
      await page.click('#onboard')
      assert.deepEqual(pick(await result(page)), { outcome: 'rejected', code: 'not_found' })
      assert.equal((await log()).accountLinks.filter((l) => l.account === acct).length, 0)
      await page.context().close()
    })

    test('connect: a forged webhook is refused and changes nothing', async () => {
      const before = await store()
      const body = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'account.application.deauthorized', account: account(), livemode: false, created: 1, data: { object: { id: 'ca_x', object: 'application' } } })
      const t = Math.floor(Date.now() / 1000)
      const res = await fetch(`${platform.base}/stripe/webhook`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${'0'.repeat(64)}` } })
      assert.equal(res.status, 400)
      assert.deepEqual((await store()).events, before.events)
    })
  })
}

function pick(r) {
  return { outcome: r.outcome, code: r.code }
}
