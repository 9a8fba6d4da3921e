// A local emulator of Stripe's side of the three flows stripe-handshake serves: install links,
// Stripe Apps OAuth, Connect OAuth (Standard and Express), and account.application.deauthorized,
// as a snapshot webhook and as an event notification (a thin event, fetched back from
// GET /v2/core/events/{id} in its Stripe-Context). It is written from Stripe's documents (../shared/seeds) and does not use our core: install
// redirects are signed the way the docs' Node sample verifies them (JSON.stringify of
// {state, user_id, account_id} + the `stripe` package's signing helper), so a mistake in our core
// shows up as a failed end-to-end test rather than being mirrored here.
//
// Everything is in memory and on loopback; nothing reaches the internet. Test-only endpoints live
// under /_emulator/ (the log, the clock, an uninstall from the Dashboard).
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import Stripe from 'stripe'

const stripe = new Stripe('sk_test_emulator_does_not_call_the_api')

export const CODE_TTL_SECS = 5 * 60 // "The authorization code is short-lived": 5 minutes (seed 001)
export const APPS_ACCESS_TTL_SECS = 60 * 60 // Stripe Apps access tokens live 1 hour (seed 001)
export const APPS_REFRESH_TTL_SECS = 365 * 24 * 60 * 60 // refresh tokens 1 year, rolled on every use
const MAX_BODY = 64 * 1024

const id = (prefix, n = 24) => prefix + randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n)

/** Demo credentials: fake, test-mode only, printed by the CLI. */
export function defaultConfig() {
  return {
    account: { id: 'acct_1EmuLatedAccount', userId: 'usr_1EmuLatedUser', name: 'Rocket Rides (test)' },
    app: {
      name: 'Demo App',
      id: 'com.example.demo',
      linkId: 'lnk_demo_install',
      testLinkId: 'chnlink_demo_test',
      clientId: 'ca_DemoAppClient',
      appSecret: 'absec_demo_app_secret_0123456789',
      secretKeys: { test: 'sk_test_demoappdeveloper', live: 'sk_live_demoappdeveloper' },
      redirectUris: [],
      // How a Marketplace install (no state) is signed, since Stripe's samples disagree: 'omitted'
      // is JSON.stringify({user_id, account_id}) as the docs' Node sample computes it (also what
      // UI extensions sign), 'null' is "state":null as the Ruby sample computes it.
      statelessForm: 'null',
      // 'install_link' (redirects carry install_signature) or 'oauth' (stripe_api_access_type: oauth).
      accessType: 'install_link',
      // A Stripe Apps sandbox: its own chnlink_ link, client id and (test-mode) keys.
      sandbox: { linkId: 'chnlink_demo_sandbox', clientId: 'ca_DemoAppSandbox', secretKeys: { test: 'sk_test_demoappsandbox' } },
    },
    platform: {
      name: 'Demo Platform',
      clientId: 'ca_DemoPlatformClient',
      secretKeys: { test: 'sk_test_demoplatform', live: 'sk_live_demoplatform' },
      redirectUris: [],
    },
    // Event destinations: [{ url, secret: 'whsec_…', payload: 'snapshot' | 'thin', owner: 'platform' | 'app' }].
    // A snapshot destination (the default) gets every client's events; a thin one belongs to one
    // Stripe account (its owner) and gets that client's events only.
    webhooks: [],
    apiVersion: '2025-10-29.clover',
  }
}

/**
 * Starts the emulator on 127.0.0.1. `config` is live: tests may change redirect URIs and webhook
 * endpoints once the platforms they point at are listening.
 */
/**
 * `sharedClock`: signatures carry the lifetimes clock too, for a platform that reads its time
 * from this emulator (`emu.now()`, as the demo does): then advancing the clock is time passing
 * for both sides. Tests leave it off, so that advancing expires codes without staling signatures.
 */
export async function startEmulator({ port = 0, config = defaultConfig(), log = () => {}, sharedClock = false } = {}) {
  const emu = new Emulator(config, log, sharedClock)
  const server = createServer((req, res) => emu.handle(req, res).catch((e) => {
    if (e.status === 413) {
      // Answer, then drop the connection: the rest of the body is never read.
      if (!res.headersSent) res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' })
      return res.end(JSON.stringify({ error: 'body_too_large' }), () => req.destroy())
    }
    log(`emulator error: ${e.stack}`)
    if (!res.headersSent) json(res, 500, { error: 'emulator_error' })
  }))
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  emu.url = `http://127.0.0.1:${server.address().port}`
  emu.close = async () => {
    await emu.idle()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return emu
}

class Emulator {
  constructor(config, log, sharedClock = false) {
    this.config = config
    this.log = log
    this.sharedClock = sharedClock
    this.offset = 0 // seconds added to the wall clock (POST /_emulator/advance)
    this.consents = new Map() // consent id -> pending authorization, one use
    this.codes = new Map() // ac_… -> { client, account, scope, livemode, issuedAt, used, grant }
    this.grants = [] // connections: { client, account, livemode, scope, accessTokens, refreshToken, revoked }
    this.deliveries = [] // webhook deliveries: { url, type, account, status }
    this.events = new Map() // evt_… -> the v2 event behind a thin notification
    this.eventFetches = [] // GET /v2/core/events/{id}: { id, owner, context, status }
    this.accountLinks = new Map() // link id -> { account, returnUrl, refreshUrl, expiresAt, used }
    this.onboarded = new Map() // acct_… -> { details_submitted, charges_enabled }
    this.accountFetches = [] // GET /v1/accounts/{id}: { account, status }
    this.pending = new Set()
  }

  /** The emulator's clock for lifetimes (codes, tokens): moved by POST /_emulator/advance. */
  now() {
    return Math.floor(Date.now() / 1000) + this.offset
  }

  /** Signatures carry the wall clock, so advancing the lifetimes clock never makes them stale (unless the clock is shared). */
  signingNow() {
    return this.sharedClock ? this.now() : Math.floor(Date.now() / 1000)
  }

  async idle() {
    while (this.pending.size) await Promise.allSettled([...this.pending])
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://emulator')
    const path = url.pathname
    const q = url.searchParams
    const { app, platform } = this.config
    let m
    if (req.method === 'GET' && path === '/') return this.home(res)
    if (req.method === 'GET' && path === '/apps/marketplace/install') {
      // The user installs from the Stripe App Marketplace: no link of yours, no state.
      if (q.get('app') !== app.id) return page(res, 404, 'Unknown app', `No app ${q.get('app')} in the Marketplace.`)
      // An OAuth-type app (stripe_api_access_type: oauth) comes back with a code, an install-link app signed.
      const kind = app.accessType === 'oauth' ? 'apps_oauth' : 'install'
      return this.consent(res, new URLSearchParams(), { kind, client: app, livemode: false, marketplace: true })
    }
    if (req.method === 'GET' && (m = /^\/apps\/install\/link\/([^/]+)$/.exec(path))) {
      if (m[1] !== app.linkId) return page(res, 404, 'Unknown install link', `No install link ${m[1]}.`)
      return this.consent(res, q, { kind: 'install', client: app, livemode: false })
    }
    if (req.method === 'GET' && (m = /^\/oauth\/v2\/(?:([^/]+)\/)?authorize$/.exec(path))) {
      // A sandbox is its own environment: its link id, its client id, its keys.
      const sandbox = m[1] !== undefined && m[1] === app.sandbox?.linkId
      const client = sandbox ? this.sandboxClient() : app
      if (q.get('client_id') !== client.clientId) return page(res, 400, 'Unknown client', `client_id is not this ${sandbox ? 'sandbox\'s' : ''} Stripe App.`)
      if (m[1] !== undefined && !sandbox && m[1] !== app.testLinkId) return page(res, 404, 'Unknown test link', `No link ${m[1]}.`)
      // A chnlink_ test or sandbox link authorizes in test mode; the plain link is the live Marketplace.
      return this.consent(res, q, { kind: 'apps_oauth', client, livemode: m[1] === undefined })
    }
    if (req.method === 'GET' && (path === '/oauth/authorize' || path === '/express/oauth/authorize')) {
      if (q.get('client_id') !== platform.clientId) return page(res, 400, 'Unknown client', 'client_id is not a Connect platform.')
      if (q.get('response_type') !== 'code') return page(res, 400, 'Invalid request', 'response_type must be code.')
      const express = path.startsWith('/express')
      const scope = express ? 'read_write' : q.get('scope') ?? 'read_only'
      if (!['read_write', 'read_only'].includes(scope)) return page(res, 400, 'Invalid scope', 'scope must be read_write or read_only.')
      return this.consent(res, q, { kind: express ? 'connect_express' : 'connect_standard', client: platform, livemode: false, scope })
    }
    if (req.method === 'POST' && (m = /^\/consent\/([\w-]+)$/.exec(path))) {
      return this.decide(res, m[1], new URLSearchParams(await body(req)))
    }
    if (req.method === 'POST' && path === '/v1/oauth/token') {
      // The key says which environment: a sandbox's codes are exchanged only with the sandbox's key.
      const key = secretKey(req)
      const sandbox = app.sandbox && key !== null && Object.values(app.sandbox.secretKeys).includes(key)
      return this.token(req, res, sandbox ? this.sandboxClient() : app, 'apps')
    }
    if (req.method === 'POST' && path === '/oauth/token') return this.token(req, res, platform, 'connect')
    if (req.method === 'POST' && path === '/oauth/deauthorize') return this.deauthorize(req, res)
    if (req.method === 'GET' && path === '/v1/account') return this.account(req, res)
    if (req.method === 'POST' && path === '/v1/account_links') return this.createAccountLink(req, res)
    if (req.method === 'GET' && (m = /^\/setup\/e\/(acct_[\w-]+)\/([\w-]+)$/.exec(path))) return this.onboardingPage(res, m[1], m[2])
    if (req.method === 'POST' && (m = /^\/setup\/e\/(acct_[\w-]+)\/([\w-]+)$/.exec(path))) {
      return this.onboardingDecision(res, m[1], m[2], new URLSearchParams(await body(req)))
    }
    if (req.method === 'GET' && (m = /^\/v1\/accounts\/([^/]+)$/.exec(path))) return this.retrieveAccount(req, res, m[1])
    if (req.method === 'GET' && (m = /^\/v2\/core\/events\/([^/]+)$/.exec(path))) return this.fetchEvent(req, res, m[1])
    if (path.startsWith('/_emulator/')) return this.testHook(req, res, path, q)
    return page(res, 404, 'Not found', `${req.method} ${path} is not part of the emulator.`)
  }

  /**
   * The test hooks (the log with its tokens, the clock, an uninstall). Only for this machine's
   * own clients: the Host must be the loopback address the emulator listens on (a DNS-rebinding
   * page names its own host), a POST must not come from a page of another origin, and every
   * argument is checked (a clock set to NaN would make every lifetime check pass or fail).
   */
  testHook(req, res, path, q) {
    const port = new URL(this.url).port
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
    if (!hosts.includes(req.headers.host)) return json(res, 403, { error: 'forbidden_host', message: 'The test hooks answer only on the loopback address.' })
    if (req.method === 'POST') {
      const origin = req.headers.origin
      const site = req.headers['sec-fetch-site']
      if ((origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
        return json(res, 403, { error: 'cross_site', message: 'The test hooks refuse requests from other sites.' })
      }
    }
    const { app, platform } = this.config
    if (req.method === 'GET' && path === '/_emulator/log') return json(res, 200, this.snapshot())
    if (req.method === 'POST' && path === '/_emulator/advance') {
      const seconds = q.get('seconds') ?? ''
      if (!/^\d{1,9}$/.test(seconds)) return json(res, 400, { error: 'invalid_seconds', message: 'seconds must be a whole number from 0 to 999999999.' })
      this.offset += Number(seconds)
      return json(res, 200, { now: this.now() })
    }
    if (req.method === 'POST' && path === '/_emulator/uninstall') {
      // The user removes the app (or platform) from their Dashboard.
      const clientId = q.get('client_id')
      if (clientId !== null && clientId !== platform.clientId && clientId !== app.clientId) return json(res, 400, { error: 'unknown_client', message: 'client_id is neither the app nor the platform.' })
      const account = q.get('account') ?? this.config.account.id
      if (!/^acct_[\w-]{1,64}$/.test(account)) return json(res, 400, { error: 'invalid_account', message: 'account must be an acct_ id.' })
      const n = this.revoke(clientId === platform.clientId ? platform : app, account, { always: true })
      return json(res, 200, { revoked: n })
    }
    return json(res, 404, { error: 'not_found', message: `${req.method} ${path} is not a test hook.` })
  }

  /** The root page: what this server is, and what it serves. */
  home(res) {
    const { app, platform, account } = this.config
    return html(res, 200, `<title>Stripe emulator</title>
<h1>Stripe emulator</h1>
<p>A local stand-in for Stripe's side of the flows stripe-handshake serves, written from Stripe's
documents. Test mode only; nothing here reaches Stripe. Its account is <code>${esc(account.id)}</code>
(${esc(account.name)}).</p>
<ul>
<li>Install link: <code>GET /apps/install/link/${esc(app.linkId)}</code> (${esc(app.name)}, signs <code>install_signature</code>)</li>
<li>Stripe Apps OAuth: <code>GET /oauth/v2/${esc(app.testLinkId)}/authorize</code>, tokens at <code>POST /v1/oauth/token</code></li>
<li>Connect OAuth: <code>GET /oauth/authorize</code>, <code>/express/oauth/authorize</code> (${esc(platform.name)}), tokens at <code>POST /oauth/token</code>, <code>POST /oauth/deauthorize</code></li>
<li>Account Links: <code>POST /v1/account_links</code>, <code>GET /v1/accounts/{id}</code></li>
<li>Webhooks and event notifications: sent to the endpoints it is told, signed with <code>Stripe-Signature</code>; <code>GET /v2/core/events/{id}</code></li>
<li>Test hooks (loopback only): <a href="/_emulator/log">GET /_emulator/log</a>, <code>POST /_emulator/advance?seconds=N</code>, <code>POST /_emulator/uninstall</code></li>
</ul>
<p>Its clock: ${new Date(this.now() * 1000).toISOString()} (Unix ${this.now()}).</p>`)
  }

  /** Checks redirect_uri exactly and shows the consent page with Install/Connect and Cancel. */
  consent(res, q, request) {
    const { client } = request
    const asked = q.get('redirect_uri')
    // Exact byte comparison with the configured list; the first entry is the default.
    const redirect = asked === null ? client.redirectUris[0] : client.redirectUris.find((u) => u === asked)
    if (redirect === undefined) {
      return page(res, 400, 'Invalid redirect_uri', `The redirect_uri is not one of the ${client.name}'s allowed URLs.`)
    }
    if (request.livemode && !redirect.startsWith('https://')) {
      // "the live mode redirect_uri must use a secure HTTPS connection" (seed 000)
      return page(res, 400, 'Invalid redirect_uri', 'A live mode redirect_uri must use https.')
    }
    const consent = randomBytes(16).toString('hex')
    this.consents.set(consent, { ...request, redirect, state: q.get('state') })
    const { account } = this.config
    const verb = request.kind === 'install' ? 'Install' : 'Connect'
    const scope = request.scope ? `<p>Access: <code>${esc(request.scope)}</code></p>` : ''
    return html(res, 200, `<title>${verb} ${esc(client.name)}</title>
<h1 id="consent">${verb} ${esc(client.name)}</h1>
<p>${esc(client.name)} asks to access <b>${esc(account.name)}</b> (<code>${esc(account.id)}</code>) in
${request.livemode ? 'live' : 'test'} mode.</p>${scope}
<form method="post" action="/consent/${consent}">
  <button id="approve" name="decision" value="approve">${verb}</button>
  <button id="cancel" name="decision" value="cancel">Cancel</button>
</form>`)
  }

  decide(res, consentId, form) {
    const c = this.consents.get(consentId)
    if (!c) return page(res, 400, 'Expired', 'This consent page was already used or never existed.')
    this.consents.delete(consentId)
    const { account } = this.config
    const params = []
    if (form.get('decision') !== 'approve') {
      const description = c.kind === 'install' ? 'The user cancelled the installation' : 'The user denied your request'
      params.push(['error', 'access_denied'], ['error_description', description])
      // Install links come back without state on cancel (seed 000). OAuth denials echo it: a
      // decision (RFC 6749 §4.1.2.1 requires it; seed 002's example deny URL shows none).
      if (c.kind !== 'install' && c.state !== null) params.push(['state', c.state])
    } else if (c.kind === 'install') {
      // With a state: JSON.stringify({state, user_id, account_id}) (seed 000). Without one, the
      // form the configuration names (see defaultConfig).
      const state = c.state ?? (c.client.statelessForm === 'null' ? null : undefined)
      const signed = JSON.stringify({ state, user_id: account.userId, account_id: account.id })
      const signature = stripe.webhooks.generateTestHeaderString({ payload: signed, secret: c.client.appSecret, timestamp: this.signingNow() })
      params.push(['user_id', account.userId], ['account_id', account.id])
      if (c.state !== null) params.push(['state', c.state])
      params.push(['install_signature', signature], ['livemode', 'false'])
    } else {
      const code = id('ac_')
      this.codes.set(code, { client: c.client, account: account.id, scope: c.scope ?? 'stripe_apps', livemode: c.livemode, issuedAt: this.now(), used: false, grant: null })
      params.push(['code', code])
      if (c.kind.startsWith('connect')) params.push(['scope', c.scope])
      // Stripe Apps OAuth names who installed where (OAuth-type apps read these).
      if (c.kind === 'apps_oauth') params.push(['user_id', account.userId], ['account_id', account.id], ['stripe_user_id', account.id])
      if (c.state !== null) params.push(['state', c.state])
    }
    const sep = c.redirect.includes('?') ? '&' : '?'
    res.writeHead(303, { Location: c.redirect + sep + new URLSearchParams(params).toString() })
    res.end()
  }

  /** The app as its sandbox sees it (one object, so codes and grants compare by identity). */
  sandboxClient() {
    const { app } = this.config
    this.sandbox ??= Object.defineProperties({ ...app, clientId: app.sandbox.clientId, secretKeys: app.sandbox.secretKeys, name: `${app.name} (sandbox)` }, {
      redirectUris: { get: () => this.config.app.redirectUris }, // the same app: the same redirect URLs
    })
    return this.sandbox
  }

  /** The key (HTTP Basic, or Bearer as stripe-node and stripe-python send it): a secret key of this client, and its mode. */
  authenticate(req, client) {
    const key = secretKey(req)
    if (key === null) return { error: [401, 'invalid_request', 'No API key provided. Use HTTP Basic auth (or Bearer) with your secret key.'] }
    if (/^(pk|rk)_/.test(key)) {
      return { error: [401, 'invalid_request', 'This call needs a secret key (sk_…); publishable and restricted keys are refused.'] }
    }
    const mode = Object.entries(client.secretKeys).find(([, k]) => k === key)?.[0]
    if (!mode) return { error: [401, 'invalid_client', 'Invalid API key provided.'] }
    return { livemode: mode === 'live' }
  }

  async token(req, res, client, provider) {
    const form = new URLSearchParams(await body(req))
    const auth = this.authenticate(req, client)
    if (auth.error) return oauthError(res, ...auth.error)
    const grantType = form.get('grant_type')
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? ''
      const c = this.codes.get(code)
      if (!c || c.client !== client) return oauthError(res, 400, 'invalid_grant', `Authorization code does not exist: ${code}`)
      if (c.used) {
        // Reusing a code revokes the connection it created (Connect OAuth reference; RFC 6749 §4.1.2).
        if (c.grant) this.revoke(client, c.account, { only: c.grant })
        return oauthError(res, 400, 'invalid_grant', `Authorization code already used: ${code}`)
      }
      if (this.now() - c.issuedAt > CODE_TTL_SECS) return oauthError(res, 400, 'invalid_grant', `Authorization code expired: ${code}`)
      if (c.livemode !== auth.livemode) {
        const want = c.livemode ? 'live' : 'test'
        return oauthError(res, 400, 'invalid_grant', `This authorization code was created in ${want} mode; use your ${want} secret key.`)
      }
      c.used = true
      const grant = { client, provider, account: c.account, livemode: c.livemode, scope: c.scope, accessTokens: [], refreshToken: null, refreshIssuedAt: 0, revoked: false }
      c.grant = grant
      this.grants.push(grant)
      return json(res, 200, this.issue(grant))
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? ''
      const grant = this.grants.find((g) => g.client === client && g.refreshToken === token && !g.revoked)
      if (!grant || (provider === 'apps' && this.now() - grant.refreshIssuedAt > APPS_REFRESH_TTL_SECS)) {
        return oauthError(res, 400, 'invalid_grant', 'Invalid refresh token.')
      }
      if (grant.livemode !== auth.livemode) return oauthError(res, 400, 'invalid_grant', 'The refresh token belongs to the other mode.')
      const scope = form.get('scope')
      if (scope !== null) {
        if (provider === 'apps' || !['read_only', 'read_write'].includes(scope)) return oauthError(res, 400, 'invalid_scope', `Invalid scope: ${scope}`)
        if (scope === 'read_write' && grant.scope === 'read_only') return oauthError(res, 400, 'invalid_scope', 'A refresh cannot widen the scope.')
      }
      return json(res, 200, this.issue(grant, scope ?? grant.scope))
    }
    return oauthError(res, 400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`)
  }

  /** New access token; Apps refresh tokens roll on every use, Connect ones stay. */
  issue(grant, scope = grant.scope) {
    const live = grant.livemode ? 'live' : 'test'
    const access = { token: id(`sk_${live}_`, 32), expiresAt: grant.provider === 'apps' ? this.now() + APPS_ACCESS_TTL_SECS : Infinity }
    grant.accessTokens.push(access)
    if (grant.provider === 'apps' || grant.refreshToken === null) {
      grant.refreshToken = id('rt_', 32)
      grant.refreshIssuedAt = this.now()
    }
    return {
      access_token: access.token,
      livemode: grant.livemode,
      refresh_token: grant.refreshToken,
      scope,
      stripe_publishable_key: id(`pk_${live}_`, 24),
      stripe_user_id: grant.account,
      token_type: 'bearer',
    }
  }

  async deauthorize(req, res) {
    const { platform } = this.config
    const form = new URLSearchParams(await body(req))
    const auth = this.authenticate(req, platform)
    if (auth.error) return oauthError(res, ...auth.error)
    const account = form.get('stripe_user_id') ?? ''
    if (form.get('client_id') !== platform.clientId) return oauthError(res, 400, 'invalid_client', 'client_id does not belong to this key.')
    if (this.revoke(platform, account) === 0) {
      return oauthError(res, 400, 'invalid_client', `Application ${platform.clientId} is not connected to stripe account ${account}.`)
    }
    return json(res, 200, { stripe_user_id: account })
  }

  /** GET /v1/account with an access token (Bearer, or Basic as `-u TOKEN:`): proves a token works (and when it stops). */
  account(req, res) {
    const auth = req.headers.authorization ?? ''
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth)?.[1]
    const token = basic ? Buffer.from(basic, 'base64').toString('utf8').replace(/:$/, '') : /^Bearer (\S+)$/.exec(auth)?.[1]
    const grant = this.grants.find((g) => !g.revoked && g.accessTokens.some((a) => a.token === token && a.expiresAt > this.now()))
    if (!grant) return json(res, 401, { error: { type: 'invalid_request_error', message: 'Expired or revoked API key.' } })
    return json(res, 200, { id: grant.account, object: 'account' })
  }

  /** Revokes the client's connections to an account and sends account.application.deauthorized. */
  revoke(client, account, { only = null, always = false } = {}) {
    const live = this.grants.filter((g) => g.client === client && g.account === account && !g.revoked && (!only || g === only))
    for (const g of live) g.revoked = true
    if (live.length || always) this.sendWebhook(client, account, live.some((g) => g.livemode))
    return live.length
  }

  /**
   * GET /v2/core/events/{id}: the full event behind a thin notification, for the secret key of
   * the account that owns the destination, in the event's Stripe-Context, in its mode.
   */
  fetchEvent(req, res, eventId) {
    const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const owner = ['platform', 'app'].find((o) => Object.values(this.config[o].secretKeys).includes(key))
    const event = this.events.get(eventId)
    const context = req.headers['stripe-context'] ?? null
    const done = (status, body) => {
      this.eventFetches.push({ id: eventId, owner: owner ?? null, context, status })
      return json(res, status, body)
    }
    if (!owner) return done(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } })
    const mode = key.startsWith('sk_live_')
    // Stripe answers 404 for an event of another account, context or mode: it is not there.
    if (!event || event.owner !== owner || event.body.context !== context || event.body.livemode !== mode) {
      return done(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such event: '${eventId}'` } })
    }
    return done(200, event.body)
  }

  /** POST /v1/account_links (the platform's key, HTTP Basic): a single-use onboarding URL valid 5 minutes. */
  async createAccountLink(req, res) {
    const form = new URLSearchParams(await body(req))
    const apiError = (status, code, message) => json(res, status, { error: { type: 'invalid_request_error', code, message } })
    const auth = this.authenticate(req, this.config.platform)
    if (auth.error) return apiError(401, 'api_key_invalid', 'Invalid API Key provided.')
    const account = form.get('account') ?? ''
    if (!/^acct_[\w-]+$/.test(account)) return apiError(400, 'account_invalid', `No such account: '${account}'`)
    const type = form.get('type')
    if (!['account_onboarding', 'account_update'].includes(type)) return apiError(400, 'parameter_invalid_string', 'Invalid type.')
    for (const k of ['return_url', 'refresh_url']) {
      if (!form.get(k)) return apiError(400, 'parameter_missing', `Missing required param: ${k}.`)
    }
    const linkId = id('', 24)
    const created = this.now()
    this.accountLinks.set(linkId, { account, returnUrl: form.get('return_url'), refreshUrl: form.get('refresh_url'), expiresAt: created + 300, used: false })
    return json(res, 200, { object: 'account_link', created, expires_at: created + 300, url: `${this.url}/setup/e/${account}/${linkId}` })
  }

  /** The hosted onboarding page: an expired or used link goes to refresh_url, as Stripe's does. */
  onboardingPage(res, account, linkId) {
    const l = this.accountLinks.get(linkId)
    if (!l || l.account !== account) return page(res, 404, 'Unknown link', 'This onboarding link does not exist.')
    if (l.used || this.now() > l.expiresAt) {
      res.writeHead(303, { Location: l.refreshUrl })
      return res.end()
    }
    l.used = true
    return html(res, 200, `<title>Onboarding</title>
<h1 id="consent">Set up payouts for ${esc(account)}</h1>
<p>Stripe collects what this connected account needs (test mode).</p>
<form method="post" action="/setup/e/${esc(account)}/${esc(linkId)}">
  <button id="approve" name="decision" value="finish">Finish onboarding</button>
  <button id="cancel" name="decision" value="leave">Leave for now</button>
</form>`)
  }

  onboardingDecision(res, account, linkId, form) {
    const l = this.accountLinks.get(linkId)
    if (!l || l.account !== account) return page(res, 404, 'Unknown link', 'This onboarding link does not exist.')
    if (form.get('decision') === 'finish') this.onboarded.set(account, { details_submitted: true, charges_enabled: true })
    // The return URL carries nothing from Stripe: the platform must ask the API what happened.
    res.writeHead(303, { Location: l.returnUrl })
    return res.end()
  }

  /** GET /v1/accounts/{id} with the platform's secret key (Bearer). */
  retrieveAccount(req, res, account) {
    const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const ok = Object.values(this.config.platform.secretKeys).includes(key)
    const status = !ok ? 401 : /^acct_[\w-]+$/.test(account) ? 200 : 404
    this.accountFetches.push({ account, status })
    if (status === 401) return json(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } })
    if (status === 404) return json(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such account' } })
    const s = this.onboarded.get(account) ?? { details_submitted: false, charges_enabled: false }
    return json(res, 200, { id: account, object: 'account', type: 'express', ...s, requirements: { currently_due: s.details_submitted ? [] : ['external_account'] } })
  }

  /** The thin form of an event: what a destination with the thin payload style receives. */
  sendNotification(hook, owner, type, account, livemode) {
    const eventId = id('evt_test_')
    const created = new Date(this.now() * 1000 + Math.floor(Math.random() * 1000)).toISOString()
    const body = { id: eventId, object: 'v2.core.event', type: `v1.${type}`, livemode, created, context: account, reason: null }
    this.events.set(eventId, { owner, body })
    const payload = JSON.stringify(body, null, 2)
    this.deliver(hook, { id: eventId, type: body.type, account, payload })
  }

  deliver(hook, d) {
    const header = stripe.webhooks.generateTestHeaderString({ payload: d.payload, secret: hook.secret, timestamp: this.signingNow() })
    const delivery = { url: hook.url, ...d, status: null, header }
    this.deliveries.push(delivery)
    const p = fetch(hook.url, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': header }, body: d.payload })
      .then((r) => { delivery.status = r.status; return r.arrayBuffer() })
      .catch((e) => { delivery.status = `failed: ${e.message}` })
      .finally(() => this.pending.delete(p))
    this.pending.add(p)
  }

  sendWebhook(client, account, livemode = false) {
    const event = {
      id: id('evt_'),
      object: 'event',
      account,
      api_version: this.config.apiVersion,
      created: this.now(),
      data: { object: { id: client.clientId, object: 'application', name: client.name } },
      livemode,
      pending_webhooks: this.config.webhooks.length,
      request: { id: null, idempotency_key: null },
      type: 'account.application.deauthorized',
    }
    // Stripe sends pretty-printed JSON: receivers must verify the raw bytes, not a re-serialization.
    const payload = JSON.stringify(event, null, 2)
    const owner = client === this.config.platform ? 'platform' : 'app'
    for (const hook of this.config.webhooks) {
      if (hook.payload === 'thin') {
        if (hook.owner === owner) this.sendNotification(hook, owner, event.type, account, livemode)
      } else {
        this.deliver(hook, { id: event.id, type: event.type, account, payload })
      }
    }
  }

  snapshot() {
    return {
      now: this.now(),
      codes: [...this.codes].map(([code, c]) => ({ code, account: c.account, used: c.used, issuedAt: c.issuedAt, livemode: c.livemode })),
      // Test-only: the tokens themselves, so tests can prove a platform never shows them.
      grants: this.grants.map((g) => ({ provider: g.provider, client: g.client.clientId, account: g.account, scope: g.scope, livemode: g.livemode, revoked: g.revoked, accessTokens: g.accessTokens.length, tokens: [...g.accessTokens.map((a) => a.token), g.refreshToken] })),
      deliveries: this.deliveries,
      eventFetches: this.eventFetches,
      accountFetches: this.accountFetches,
      accountLinks: [...this.accountLinks.values()].map((l) => ({ account: l.account, used: l.used, expiresAt: l.expiresAt })),
    }
  }
}

/** An API key from `Authorization`: HTTP Basic (`key:`) or Bearer, as Stripe accepts both. */
function secretKey(req) {
  const auth = req.headers.authorization ?? ''
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth)
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').replace(/:$/, '')
  return /^Bearer (\S+)$/.exec(auth)?.[1] ?? null
}

/** The body as text, refused above 64 KiB (a 413, then the connection is dropped). */
function body(req) {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return reject(Object.assign(new Error('body too large'), { status: 413 }))
    const chunks = []
    let size = 0
    const onData = (c) => {
      size += c.length
      if (size > MAX_BODY) {
        req.off('data', onData)
        req.pause()
        reject(Object.assign(new Error('body too large'), { status: 413 }))
      } else chunks.push(c)
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function json(res, status, value) {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(value))
}

function oauthError(res, status, error, description) {
  json(res, status, { error, error_description: description })
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function html(res, status, inner) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
  res.end(`<!doctype html><meta charset="utf-8"><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<p style="color:#635bff">Stripe emulator (local, test mode)</p>${inner}</body>`)
}

function page(res, status, title, text) {
  html(res, status, `<title>${esc(title)}</title><h1 id="problem">${esc(title)}</h1><p>${esc(text)}</p>`)
}
