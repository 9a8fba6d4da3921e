// A platform on node:http that uses stripe-handshake for all three Stripe flows:
//   /install  → Stripe Apps install link → /stripe/install/callback (install_signature + state)
//   /connect  → Connect OAuth (Standard)  → /stripe/oauth/callback (state, code → token)
//   /apps/connect → Stripe Apps OAuth (an OAuth-type app) → /stripe/apps/callback (state, ids, code → token);
//             installs from the Marketplace arrive there too, without a state
//   POST /connections/refresh, /connections/deauthorize (Connect token lifecycle)
//   POST /onboard → an Account Link → /stripe/onboarding/{return,refresh} (state; then the account retrieved)
//   POST /stripe/webhook (account.application.deauthorized, a snapshot event)
//   POST /stripe/events (event notifications, thin events: verified, then the event fetched)
// `stripeBase` points every Stripe URL at the local emulator (tests/emulator); leave it out for Stripe.
// `clock` gives the time for every check (Unix seconds; the system clock by default), and `trace`
// is an optional observer of what each step decided: the demo (tests/e2e/demo) renders it as a
// panel on every page; in production it could feed an audit log. What it receives holds no
// secret key or signing secret, but callbacks and responses carry state tokens, codes and access
// tokens: redact them, as the demo does, before showing or storing anything.
// There are no user accounts here: the browser session stands in for your signed-in user, so tie
// installs and connections to your user instead, and rotate the session id when they sign in.
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import {
  accountLinkRequest, appsOAuthLink, codeExchangeRequest, parseAccountLinkResponse, retrieveAccountRequest, verifyAccountLinkCallback, connectOAuthLink, Verifier, verifyAppCallback, deauthorizeRequest, fetchEventRequest, hmacSha256, installLink, issueStateToken,
  expressWebhook, MemoryStore, parseDeauthorizeResponse, parseSecretKey, parseTokenResponse, RedirectAllowList, refreshRequest, StripeHandshakeError,
  verifyHmacSha256, verifyInstallCallback, verifyOAuthCallback,
} from 'stripe-handshake'

/** The platform's own refusals, shown like the library's. */
class Refusal extends Error {
  constructor(code, message, status = 400) {
    super(message)
    this.code = code
    this.status = status
  }
}

/** What the platform keeps: a stand-in for your database. */
export function memoryStore() {
  // One-time stores: each state token's nonce until the token expires (a reload of a callback
  // page is then refused with state_replayed, and a code is never exchanged twice), and each
  // event id for as long as Stripe retries. MemoryStore is bounded and prunes itself; with
  // several servers use one RedisStore or PostgresStore for both (namespaces keep them apart).
  return {
    installs: {}, connections: {}, appConnections: {}, onboarding: {}, events: [], notifications: [],
    // Sized for the traffic: an id stays four days (100,000 nonces of 10 minutes; a million ids).
    stateNonces: new MemoryStore(), eventIds: new MemoryStore({ maxEntries: 1_000_000 }),
  }
}

export function platform({
  publicUrl, stripeBase, app, connect, webhookSecret, notificationSecret, stateKey, sessionKey = randomBytes(32), store = memoryStore(), exposeStore = false,
  clock = () => Math.floor(Date.now() / 1000), trace = null, routes: extraRoutes = {},
}) {
  const installCallback = `${publicUrl}/stripe/install/callback`
  const oauthCallback = `${publicUrl}/stripe/oauth/callback`
  const appsCallback = `${publicUrl}/stripe/apps/callback`
  const onboardingReturn = `${publicUrl}/stripe/onboarding/return`
  const onboardingRefresh = `${publicUrl}/stripe/onboarding/refresh`
  // Plain http is allowed only for loopback, and only when we say so (local development).
  const allow = new RedirectAllowList([installCallback, oauthCallback, appsCallback, onboardingReturn, onboardingRefresh], { testMode: publicUrl.startsWith('http:') })
  const keys = [{ id: 'k1', key: stateKey }] // add the next key first to rotate; old tokens still verify
  const webhooks = new Verifier(webhookSecret) // prepared once: the fast path
  // The event destination with thin payloads has its own secret (one destination, one kind).
  const notifications = notificationSecret ? new Verifier(notificationSecret) : null
  const mode = parseSecretKey(connect.secretKey).mode // a key of the other mode is refused before any request
  const origin = new URL(publicUrl).origin
  const secure = publicUrl.startsWith('https:') ? '; Secure' : ''

  // An observer never changes an outcome: a trace that throws is logged, and the request goes on.
  const observe = (what, f, otherwise) => {
    if (!trace) return otherwise
    try {
      return f()
    } catch (e) {
      console.error(`trace ${what} failed: ${e?.message}`)
      return otherwise
    }
  }
  const note = (session, step) => observe('record', () => trace.record(session, step))

  async function stripeCall(session, call, request) {
    // The core builds the request and parses the answer; any HTTP client sends it.
    const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
    const out = { status: res.status, body: new Uint8Array(await res.arrayBuffer()) }
    note(session, { step: 'stripe_call', call, request, status: out.status, body: out.body })
    return out
  }

  // Every check of a signed state consumes its nonce in this store: a second use is refused.
  const once = { stateKeys: keys, store: store.stateNonces }
  const link = (session, call, url) => {
    note(session, { step: 'link', call, url })
    return redirect(url)
  }

  const routes = {
    'GET /': ({ session }) => home(store, session),

    'GET /install': ({ session }) => {
      // 1. Send the user to Stripe with a state token bound to their session.
      const state = issueStateToken({ keys, flow: 'install_link', sessionId: session, now: clock() })
      return link(session, 'installLink', installLink({ linkId: app.linkId, redirectUri: installCallback, state, baseUrl: stripeBase }, allow))
    },

    'GET /stripe/install/callback': async ({ url, session }) => {
      // 2. Verify install_signature, its time window and the state from the raw query string;
      //    the state's nonce is consumed (a reload of this page is refused: state_replayed).
      const r = await verifyInstallCallback(url.search, { secrets: app.secret, ...once, sessionId: session, marketplace: 'accept', now: clock() })
      note(session, { step: 'callback', call: 'verifyInstallCallback', query: url.search, result: r })
      if (r.outcome === 'denied') return view(200, 'denied', 'Installation cancelled', `Stripe said: ${r.kind}. Nothing was installed.`)
      if (r.outcome === 'marketplace_install') {
        // Installed from the Stripe App Marketplace: nothing ties it to this browser, so it stays
        // unclaimed (never attached to this session) until a signed-in user proves they act for
        // the account, e.g. from your app's UI extension (verifyUiExtensionSignature).
        store.installs[r.accountId] ??= { session: null, userId: r.userId, livemode: r.livemode !== 'false', fromMarketplace: true }
        return view(200, 'marketplace_install', 'App installed from the Marketplace', `Installed on ${r.accountId}; not linked to an account here yet.`)
      }
      // livemode is reported as Stripe sent it and is not signed: don't base access decisions on it.
      store.installs[r.accountId] = { session, userId: r.userId, livemode: r.livemode !== 'false' }
      note(session, { step: 'stored', what: 'install', account: r.accountId })
      return view(200, 'installed', 'App installed', `Installed on ${r.accountId}.`)
    },

    'GET /connect': ({ session }) => {
      const state = issueStateToken({ keys, flow: 'connect_oauth', sessionId: session, now: clock() })
      return link(session, 'connectOAuthLink', connectOAuthLink({ clientId: connect.clientId, accountType: 'standard', scope: 'read_write', redirectUri: oauthCallback, state, baseUrl: stripeBase }, allow))
    },

    'GET /stripe/oauth/callback': async ({ url, session }) => {
      const r = await verifyOAuthCallback(url.search, { flow: 'connect_oauth', ...once, sessionId: session, now: clock() })
      note(session, { step: 'callback', call: 'verifyOAuthCallback', query: url.search, result: r })
      if (r.outcome === 'denied') return view(200, 'denied', 'Connection declined', `Stripe said: ${r.kind}. Nothing was connected.`)
      // 3. Exchange the one-time code (never retried: reusing it revokes the connection).
      // The authorized result carries the code and the token endpoint it belongs to.
      const res = await stripeCall(session, 'codeExchangeRequest', codeExchangeRequest({ authorization: r, secretKey: connect.secretKey, expectedMode: mode, baseUrl: stripeBase }))
      const token = parseTokenResponse(res.status, res.body)
      note(session, { step: 'parsed', call: 'parseTokenResponse', result: token })
      store.connections[token.stripeUserId] = { session, scope: token.scope, livemode: token.livemode, accessToken: token.accessToken, refreshToken: token.refreshToken }
      note(session, { step: 'stored', what: 'connection', account: token.stripeUserId })
      return view(200, 'connected', 'Stripe account connected', `Connected ${token.stripeUserId} with scope ${token.scope}.`)
    },

    // An OAuth-type app (stripe_api_access_type: oauth in its manifest): the access type comes
    // from your configuration, never from the callback's shape.
    'GET /apps/connect': ({ url, session }) => {
      if (!app.secretKey) throw new Refusal('not_configured', 'This platform has no OAuth-type Stripe App.')
      // A sandbox has its own link id, client id and keys; a test link its own link id; live none.
      const sandbox = url.searchParams.get('env') === 'sandbox'
      if (sandbox && !app.sandbox) throw new Refusal('not_configured', 'This platform has no Stripe Apps sandbox.')
      const linkMode = sandbox ? 'sandbox' : app.testLinkId ? 'test' : 'live'
      const { clientId, linkId } = sandbox ? app.sandbox : { clientId: app.clientId, linkId: app.testLinkId }
      // The link's environment rides in the signed state to the exchange.
      const state = issueStateToken({ keys, flow: 'apps_oauth', sessionId: session, mode: linkMode, now: clock() })
      return link(session, 'appsOAuthLink', appsOAuthLink({ clientId, testLinkId: linkId, redirectUri: appsCallback, state, baseUrl: stripeBase, mode: linkMode }, allow))
    },

    'GET /stripe/apps/callback': async ({ url, session }) => {
      if (!app.secretKey) throw new Refusal('not_configured', 'This platform has no OAuth-type Stripe App.')
      const r = await verifyAppCallback(url.search, { accessType: 'oauth', ...once, sessionId: session, marketplace: 'accept', now: clock() })
      note(session, { step: 'callback', call: 'verifyAppCallback', query: url.search, result: r })
      if (r.outcome === 'denied') return view(200, 'denied', 'Installation cancelled', `Stripe said: ${r.kind}. Nothing was installed.`)
      if (r.outcome !== 'authorized' && r.outcome !== 'marketplace_authorized') throw new Refusal('unexpected', 'Not an OAuth-type app callback.')
      // The code belongs to the Stripe Apps token endpoint (r.provider), exchanged once with the key
      // of the environment the signed state names (a sandbox's codes need the sandbox's key).
      const stateMode = r.outcome === 'authorized' ? r.stateMode : null
      const secretKey = stateMode === 'sandbox' ? app.sandbox.secretKey : app.secretKey
      const res = await stripeCall(session, 'codeExchangeRequest', codeExchangeRequest({ authorization: r, secretKey, baseUrl: stripeBase })) // mode: the state's
      const token = parseTokenResponse(res.status, res.body)
      note(session, { step: 'parsed', call: 'parseTokenResponse', result: token })
      if (token.stripeUserId !== r.accountId) throw new Refusal('account_mismatch', 'The token is for another account than the callback named.')
      const fromMarketplace = r.outcome === 'marketplace_authorized'
      // From the Marketplace nothing ties the install to this browser: keep it unclaimed.
      if (fromMarketplace && store.appConnections[r.accountId]) return view(200, 'marketplace_authorized', 'Already installed', `${r.accountId} is already installed.`)
      store.appConnections[r.accountId] = { session: fromMarketplace ? null : session, userId: r.userId, mode: stateMode, accessToken: token.accessToken, refreshToken: token.refreshToken, fromMarketplace }
      return fromMarketplace
        ? view(200, 'marketplace_authorized', 'App installed from the Marketplace', `Installed on ${r.accountId}; not linked to an account here yet.`)
        : view(200, 'app_authorized', 'App installed', `Installed on ${r.accountId} by ${r.userId}.`)
    },

    // Account Links (the path for new Connect platforms): the return URL carries no signature,
    // so both URLs get a signed state bound to this session and naming the account.
    // Only for an account this session holds (never one named by the form alone): an Account
    // Link opens that account's onboarding and payout details to whoever follows it.
    'POST /onboard': async ({ form, session }) => {
      const account = form.get('account') ?? ''
      owned(store, account, session)
      return onboardingLink(account, session)
    },

    'GET /stripe/onboarding/return': async ({ url, session }) => {
      const r = await verifyAccountLinkCallback(url.search, { kind: 'return', ...once, sessionId: session, now: clock() })
      note(session, { step: 'callback', call: 'verifyAccountLinkCallback', query: url.search, result: r })
      // A return proves only that this browser came back: ask the API how far onboarding got.
      const res = await stripeCall(session, 'retrieveAccountRequest', retrieveAccountRequest({ secretKey: connect.secretKey, account: r.accountId, expectedMode: r.stateMode ?? mode, baseUrl: stripeBase }))
      if (res.status !== 200) return view(502, 'failed', 'Stripe did not answer', 'Try again in a moment.', 'account_unavailable')
      const account = JSON.parse(new TextDecoder().decode(res.body))
      if (account.id !== r.accountId) return view(502, 'failed', 'Stripe did not answer', 'Try again in a moment.', 'account_unavailable')
      store.onboarding[r.accountId] = { session, detailsSubmitted: account.details_submitted === true, chargesEnabled: account.charges_enabled === true }
      return account.details_submitted
        ? view(200, 'onboarded', 'Onboarding complete', `${r.accountId} can take payments.`)
        : view(200, 'onboarding_incomplete', 'Onboarding not finished', `${r.accountId} still has requirements due.`)
    },

    'GET /stripe/onboarding/refresh': async ({ url, session }) => {
      // The link expired or was used: check the state, then make a new link for the same account.
      const r = await verifyAccountLinkCallback(url.search, { kind: 'refresh', ...once, sessionId: session, now: clock() })
      note(session, { step: 'callback', call: 'verifyAccountLinkCallback', query: url.search, result: r })
      return onboardingLink(r.accountId, session)
    },

    'POST /connections/refresh': async ({ form, session }) => {
      const c = owned(store, form.get('account'), session)
      const res = await stripeCall(session, 'refreshRequest', refreshRequest({ provider: 'connect', secretKey: connect.secretKey, refreshToken: c.refreshToken, expectedMode: mode, baseUrl: stripeBase }))
      const token = parseTokenResponse(res.status, res.body)
      note(session, { step: 'parsed', call: 'parseTokenResponse', result: token })
      Object.assign(c, { accessToken: token.accessToken, refreshToken: token.refreshToken ?? c.refreshToken, refreshed: (c.refreshed ?? 0) + 1 })
      return view(200, 'refreshed', 'Access token refreshed', `New access token for ${form.get('account')}.`)
    },

    'POST /connections/deauthorize': async ({ form, session }) => {
      const account = form.get('account')
      owned(store, account, session)
      const res = await stripeCall(session, 'deauthorizeRequest', deauthorizeRequest({ secretKey: connect.secretKey, clientId: connect.clientId, stripeUserId: account, expectedMode: mode, baseUrl: stripeBase }))
      parseDeauthorizeResponse(res.status, res.body, account) // throws unless Stripe echoed this account
      note(session, { step: 'parsed', call: 'parseDeauthorizeResponse', result: { stripeUserId: account } })
      // The tokens are dead now: forget them at once; the record goes when the webhook confirms.
      Object.assign(store.connections[account], { accessToken: null, refreshToken: null, disconnectRequested: true })
      return view(200, 'disconnected', 'Disconnected', `${account} was disconnected. Stripe confirms with a webhook.`)
    },
  }

  // 4. The webhook routes, through the adapter: it reads the raw body itself (never re-serialized
  //    JSON), verifies it, acts on each event once (the event id store), and answers Stripe.
  const onError = (e) => console.error(`stripe webhook handler failed: ${e.message}`)
  const stripeRoutes = {
    '/stripe/webhook': expressWebhook({
      verifier: webhooks, store: store.eventIds, onError, now: clock,
      onEvent: (event) => {
        store.events.push({ id: event.id, type: event.type, account: event.account })
        // The session that owns the account, for the trace (a real app: the user it belongs to).
        note(ownerOf(store, event.account), { step: 'webhook', call: 'verifyWebhook', event })
        if (event.type === 'account.application.deauthorized' && event.account) {
          // Which of our applications lost access: the App (install link) or the Connect platform.
          const application = event.dataObject.id
          if (application === app.clientId) delete store.installs[event.account]
          if (application === connect.clientId) delete store.connections[event.account]
        }
      },
    }),
    // 5. An event notification is a pointer: verified, then the event itself fetched in its
    //    context (Stripe-Context) with a key of its mode, and acted on as the API says. A failed
    //    fetch throws: the adapter answers 500 and releases the id, so Stripe delivers it again.
    '/stripe/events': notifications && expressWebhook({
      verifier: notifications, kind: 'thin', store: store.eventIds, onError, now: clock,
      onEvent: async (n) => {
        const owner = ownerOf(store, n.context)
        note(owner, { step: 'webhook', call: 'verifyEventNotification', event: n })
        const res = await stripeCall(owner, 'fetchEventRequest', fetchEventRequest({ secretKey: connect.secretKey, eventId: n.id, livemode: n.livemode, context: n.context, baseUrl: stripeBase }))
        const event = res.status === 200 ? JSON.parse(new TextDecoder().decode(res.body)) : {}
        if (event.id !== n.id) throw new Error(`the event could not be fetched (HTTP ${res.status})`)
        store.notifications.push({ id: n.id, type: event.type, context: event.context ?? null, fetched: true })
        // This destination belongs to the Connect platform's account: the platform lost access.
        if (event.type === 'v1.account.application.deauthorized' && event.context) delete store.connections[event.context]
      },
    }),
  }
  async function onboardingLink(account, session) {
    const res = await stripeCall(session, 'accountLinkRequest', accountLinkRequest({ secretKey: connect.secretKey, account, returnUrl: onboardingReturn, refreshUrl: onboardingRefresh, stateKeys: keys, sessionId: session, mode, baseUrl: stripeBase, now: clock() }, allow))
    return link(session, 'parseAccountLinkResponse', parseAccountLinkResponse(res.status, res.body).url)
  }
  if (exposeStore) {
    // Demo and tests only: what the platform stored, tokens redacted. Never in production.
    routes['GET /store.json'] = () => ({ status: 200, type: 'application/json', body: JSON.stringify(publicStore(store)) })
  }
  // More pages of your own (the demo's failure buttons): the same { url, session, form } in, a
  // page or a redirect out. They cannot replace the routes above.
  for (const [key, route] of Object.entries(extraRoutes)) {
    if (Object.hasOwn(routes, key)) throw new Error(`routes: ${key} is already a route of the platform`)
    routes[key] = route
  }

  // Session ids are issued here and MACed, so a visitor cannot pick one (session fixation).
  const sessionMac = (id) => hmacSha256(sessionKey, new TextEncoder().encode(`session:${id}`))
  function readSession(cookie) {
    const m = /(?:^|;\s*)sid=([\w-]{22})\.([0-9a-f]{64})(?:;|$)/.exec(cookie ?? '')
    if (!m) return null
    try {
      // Returns nothing; throws SignatureVerificationError when the MAC does not match.
      verifyHmacSha256(sessionKey, new TextEncoder().encode(`session:${m[1]}`), Buffer.from(m[2], 'hex'))
      return m[1]
    } catch (e) {
      if (e instanceof StripeHandshakeError) return null
      throw e
    }
  }

  const server = createServer(async (req, res) => {
    let url
    try {
      url = new URL(req.url, 'http://platform')
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' })
      return res.end('Bad request')
    }
    if (req.method === 'POST' && Object.hasOwn(stripeRoutes, url.pathname)) {
      const route = stripeRoutes[url.pathname]
      if (!route) return res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_configured"}')
      return route(req, res, (e) => { console.error(e); res.writeHead(500).end() })
    }
    const known = readSession(req.headers.cookie)
    const session = known ?? randomBytes(16).toString('base64url')
    let out
    try {
      const route = routes[`${req.method} ${url.pathname}`]
      if (req.method === 'POST' && !FROM_STRIPE.has(url.pathname) && req.headers.origin !== origin) {
        // Forms that change something must come from our own pages (CSRF), not only SameSite=Lax.
        throw new Refusal('cross_origin', 'This form must be sent from the platform\'s own pages.')
      }
      if (!route) {
        out = view(404, 'missing', 'Not found', 'There is no such page.')
      } else {
        const raw = req.method === 'POST' ? await readBody(req) : new Uint8Array()
        const form = new URLSearchParams(req.method === 'POST' ? new TextDecoder().decode(raw) : '')
        out = await route({ url, session, raw, form, headers: req.headers })
      }
    } catch (e) {
      if (!(e instanceof StripeHandshakeError || e instanceof Refusal)) {
        console.error(e)
        out = view(500, 'failed', 'Something went wrong', 'Try again later.', 'server_error')
      } else {
        // The code is stable and safe to show; the message says what to do next.
        note(session, { step: 'refused', path: url.pathname, query: url.search, code: e.code, message: e.message })
        out = view(e.status ?? 400, 'rejected', 'Request refused', e.message, e.code)
      }
    }
    if (out.page) out.body = layout(out.page.title, out.page.main, observe('render', () => trace.render(session, out.page), ''))
    const headers = { 'Content-Type': out.type ?? 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }
    if (!known) headers['Set-Cookie'] = `sid=${session}.${Buffer.from(sessionMac(session)).toString('hex')}; HttpOnly; SameSite=Lax; Path=/${secure}`
    if (out.location) headers.Location = out.location
    // Refused for its size: answer, then drop the connection instead of reading the rest.
    if (out.status === 413) headers.Connection = 'close'
    res.writeHead(out.status, headers)
    res.end(out.body, () => { if (out.status === 413) req.destroy() })
  })
  server.store = store
  return server
}

/** The POST routes Stripe calls: they prove themselves with a Stripe-Signature, not an Origin. */
const FROM_STRIPE = new Set(['/stripe/webhook', '/stripe/events'])

function owned(store, account, session) {
  const c = store.connections[account]
  if (!c || c.session !== session) throw new Refusal('not_found', 'No such connection in this session.')
  return c
}

/** The raw body, refused above 1 MiB (Stripe's events are far smaller): a 413, and the rest is never read. */
async function readBody(req) {
  const tooLarge = () => new Refusal('body_too_large', 'The body is over 1 MiB.', 413)
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) throw tooLarge()
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw tooLarge()
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}
const MAX_BODY = 1 << 20

function redirect(location) {
  return { status: 302, location, body: '' }
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A result page; the server lays it out (with the trace panel, when there is a trace). */
function view(status, outcome, title, text, code = '') {
  const codeLine = code ? `<p>Code: <code id="code">${esc(code)}</code></p>` : ''
  const main = `<main id="result" data-outcome="${esc(outcome)}"><h1>${esc(title)}</h1><p id="message">${esc(text)}</p>${codeLine}<p><a href="/">Back</a></p></main>`
  return { status, page: { kind: 'result', outcome, title, main } }
}

/** The session that holds an account (the trace of a webhook belongs to it), or null. */
function ownerOf(store, account) {
  return store.connections[account]?.session ?? store.installs[account]?.session ?? store.appConnections[account]?.session ?? null
}

function home(store, session) {
  const rows = Object.entries(store.connections).filter(([, c]) => c.session === session).map(([account, c]) => `<li>${esc(account)} (${esc(c.scope)})
    <form method="post" action="/connections/refresh"><input type="hidden" name="account" value="${esc(account)}"><button id="refresh">Refresh token</button></form>
    <form method="post" action="/connections/deauthorize"><input type="hidden" name="account" value="${esc(account)}"><button id="deauthorize">Disconnect</button></form></li>`)
  const installs = Object.entries(store.installs).filter(([, i]) => i.session === session).map(([a]) => `<li>${esc(a)}</li>`)
  const main = `<main id="home"><h1>Demo platform</h1>
<p class="actions"><a class="button" id="install" href="/install">Install the Stripe App</a> <a class="button" id="connect" href="/connect">Connect with Stripe</a></p>
<form method="post" action="/onboard"><label>Onboard a connected account <input id="onboard-account" name="account" placeholder="acct_…"></label> <button id="onboard">Start onboarding</button></form>
<h2>Installs</h2><ul id="installs">${installs.join('')}</ul><h2>Your connections</h2><ul id="connections">${rows.join('')}</ul></main>`
  return { status: 200, page: { kind: 'home', title: 'Demo platform', main } }
}

function layout(title, main, aside = '') {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style><body><div class="page${aside ? ' with-aside' : ''}">${main}${aside}</div></body></html>`
}

// One small stylesheet, inline: the pages load nothing from elsewhere.
const CSS = `:root{color-scheme:light;--ink:#1a1f36;--muted:#5b6478;--line:#e3e8ee;--accent:#635bff;--ok:#0a7d4f;--bad:#c0123c;--code:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
.page{max-width:44rem;margin:0 auto;padding:2rem 1.25rem}.page.with-aside{max-width:78rem;display:grid;grid-template-columns:minmax(0,24rem) minmax(0,1fr);gap:2.5rem;align-items:start}
@media (max-width:900px){.page.with-aside{grid-template-columns:minmax(0,1fr)}}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .75rem}h2{font-size:1.1rem;margin:1.75rem 0 .5rem}
a{color:var(--accent)}code{font:.88em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
.button,button{display:inline-block;font:inherit;font-weight:600;padding:.5rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer;margin:0 .4rem .4rem 0}
button{background:#fff;color:var(--accent)}.actions .button:nth-child(2){background:#fff;color:var(--accent)}
input{font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;max-width:100%}label{display:block;margin:.5rem 0}
ul{padding-left:1.2rem}li form{display:inline}`

function publicStore(store) {
  const redact = (t) => (t ? `…${t.slice(-4)}` : t)
  return {
    installs: Object.fromEntries(Object.entries(store.installs).map(([a, i]) => [a, { ...i, session: undefined }])),
    connections: Object.fromEntries(Object.entries(store.connections).map(([a, c]) => [a, { ...c, session: undefined, accessToken: redact(c.accessToken), refreshToken: redact(c.refreshToken) }])),
    appConnections: Object.fromEntries(Object.entries(store.appConnections).map(([a, c]) => [a, { ...c, session: undefined, bound: c.session !== null, accessToken: redact(c.accessToken), refreshToken: redact(c.refreshToken) }])),
    onboarding: Object.fromEntries(Object.entries(store.onboarding).map(([a, o]) => [a, { ...o, session: undefined }])),
    usedNonces: store.stateNonces.size,
    events: store.events,
    notifications: store.notifications,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env
  const port = Number(env.PORT ?? 3000)
  platform({
    publicUrl: env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    stripeBase: env.STRIPE_BASE, // e.g. http://127.0.0.1:12111 for the emulator
    app: {
      linkId: env.STRIPE_INSTALL_LINK_ID, clientId: env.STRIPE_APP_CLIENT_ID, secret: env.STRIPE_APP_SECRET,
      // An OAuth-type app: the app developer's secret key exchanges its codes; testLinkId is its chnlink_ test link.
      secretKey: env.STRIPE_APP_SECRET_KEY, testLinkId: env.STRIPE_APP_TEST_LINK_ID,
      // A Stripe Apps sandbox (optional): its own link id, client id and key.
      sandbox: env.STRIPE_APP_SANDBOX_LINK_ID
        ? { linkId: env.STRIPE_APP_SANDBOX_LINK_ID, clientId: env.STRIPE_APP_SANDBOX_CLIENT_ID, secretKey: env.STRIPE_APP_SANDBOX_SECRET_KEY }
        : undefined,
    },
    connect: { clientId: env.STRIPE_CLIENT_ID, secretKey: env.STRIPE_SECRET_KEY },
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    notificationSecret: env.STRIPE_NOTIFICATION_SECRET,
    stateKey: Buffer.from(env.STATE_KEY_HEX ?? randomBytes(32).toString('hex'), 'hex'),
    exposeStore: env.DEMO_EXPOSE_STORE === '1',
  }).listen(port, '127.0.0.1', () => console.log(`platform on http://127.0.0.1:${port}/`))
}
