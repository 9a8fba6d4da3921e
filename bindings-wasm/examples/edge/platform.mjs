// A platform as an edge function (the `fetch(request)` shape of Cloudflare Workers, Deno Deploy,
// Vercel Edge): web APIs only, stripe-handshake from its WASM build. It serves the same flows as the
// Node and Python examples, split the way a single-page app splits them:
//   - install link: all on the edge (state token bound to the session cookie, install_signature);
//   - Connect OAuth: the edge issues a signed state token bound to the session; the page builds
//     the link with the WASM package (app.js) and, on the way back, checks `state` against the one
//     it kept before handing the callback to the edge, which checks it again (the authoritative
//     check: signature, session binding, one use) and exchanges the code with the secret key;
//   - refresh, deauthorize, the webhook (snapshot events) and event notifications (thin events,
//     verified synchronously, then the event fetched in its context): on the edge.
// `sh` is the initialized package; `env` the settings; `kv` a stand-in for a KV store.
// There are no user accounts here: the browser session stands in for your signed-in user.

export function createPlatform(sh, env, kv = new Map()) {
  const installCallback = `${env.PUBLIC_URL}/stripe/install/callback`
  const oauthCallback = `${env.PUBLIC_URL}/stripe/oauth/callback`
  const appsCallback = `${env.PUBLIC_URL}/stripe/apps/callback`
  const onboardingReturn = `${env.PUBLIC_URL}/stripe/onboarding/return`
  const onboardingRefresh = `${env.PUBLIC_URL}/stripe/onboarding/refresh`
  const allow = new sh.RedirectAllowList([installCallback, oauthCallback, appsCallback, onboardingReturn, onboardingRefresh], { testMode: env.PUBLIC_URL.startsWith('http:') })
  const keys = [{ id: 'k1', key: hex(env.STATE_KEY_HEX) }]
  const webhooks = new sh.Verifier(env.STRIPE_WEBHOOK_SECRET)
  // The event destination with thin payloads has its own secret (one destination, one kind).
  const notifications = env.STRIPE_NOTIFICATION_SECRET ? new sh.Verifier(env.STRIPE_NOTIFICATION_SECRET) : null
  const mode = sh.parseSecretKey(env.STRIPE_SECRET_KEY).mode
  const origin = new URL(env.PUBLIC_URL).origin
  const secure = env.PUBLIC_URL.startsWith('https:') ? '; Secure' : ''
  const sessionKey = hex(env.SESSION_KEY_HEX)
  const store = kv.get('store') ?? { installs: {}, connections: {}, appConnections: {}, onboarding: {}, events: [], notifications: [] }
  kv.set('store', store)
  // One-time stores: each state token's nonce until the token expires (a reload of a callback
  // page is then refused with state_replayed, and a code is never exchanged twice), and each
  // event id for as long as Stripe retries (three days; kept four). In one isolate a MemoryStore
  // (bounded, self-pruning) does it; across isolates use a store with one writer per key, such as
  // the Durable Object in the package README: Workers KV is eventually consistent and cannot.
  const stateNonces = kv.get('stateNonces') ?? new sh.MemoryStore()
  const eventIds = kv.get('eventIds') ?? new sh.MemoryStore({ maxEntries: 1_000_000 }) // ids stay four days
  kv.set('stateNonces', stateNonces)
  kv.set('eventIds', eventIds)
  const once = { stateKeys: keys, store: stateNonces }
  const onError = (e) => console.error(`stripe webhook handler failed: ${e.message}`)
  const fromRequest = (handler) => ({ request }) => handler(request) // the routes take { request, … }

  async function stripeCall(request) {
    const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
    return [res.status, new Uint8Array(await res.arrayBuffer())]
  }
  function owned(account, session) {
    const c = store.connections[account]
    if (!c || c.session !== session) throw Object.assign(new Error('No such connection in this session.'), { code: 'not_found' })
    return c
  }

  const routes = {
    'GET /': ({ session }) => html(200, home(store, session)),
    'GET /install': ({ session }) => {
      const state = sh.issueStateToken({ keys, flow: 'install_link', sessionId: session })
      return Response.redirect(sh.installLink({ linkId: env.STRIPE_INSTALL_LINK_ID, redirectUri: installCallback, state, baseUrl: env.STRIPE_BASE }, allow), 302)
    },
    'GET /stripe/install/callback': async ({ url, session }) => {
      const r = await sh.verifyInstallCallback(url.search, { secrets: env.STRIPE_APP_SECRET, ...once, sessionId: session, marketplace: 'accept' })
      if (r.outcome === 'denied') return view(200, 'denied', 'Installation cancelled', `Stripe said: ${r.kind}. Nothing was installed.`)
      if (r.outcome === 'marketplace_install') {
        // Installed from the Stripe App Marketplace: nothing ties it to this browser, so it stays
        // unclaimed (never attached to this session) until a signed-in user proves they act for the account.
        store.installs[r.accountId] ??= { session: null, userId: r.userId, livemode: r.livemode !== 'false', fromMarketplace: true }
        return view(200, 'marketplace_install', 'App installed from the Marketplace', `Installed on ${r.accountId}; not linked to an account here yet.`)
      }
      store.installs[r.accountId] = { session, userId: r.userId, livemode: r.livemode !== 'false' }
      return view(200, 'installed', 'App installed', `Installed on ${r.accountId}.`)
    },
    // An OAuth-type app (stripe_api_access_type: oauth in its manifest): the access type comes
    // from your configuration, never from the callback's shape.
    'GET /apps/connect': ({ url, session }) => {
      if (!env.STRIPE_APP_SECRET_KEY) throw Object.assign(new Error('This platform has no OAuth-type Stripe App.'), { code: 'not_configured' })
      // A sandbox has its own link id, client id and keys; a test link its own link id; live none.
      const sandbox = url.searchParams.get('env') === 'sandbox'
      if (sandbox && !env.STRIPE_APP_SANDBOX_LINK_ID) throw Object.assign(new Error('This platform has no Stripe Apps sandbox.'), { code: 'not_configured' })
      const linkMode = sandbox ? 'sandbox' : env.STRIPE_APP_TEST_LINK_ID ? 'test' : 'live'
      const clientId = sandbox ? env.STRIPE_APP_SANDBOX_CLIENT_ID : env.STRIPE_APP_CLIENT_ID
      const testLinkId = sandbox ? env.STRIPE_APP_SANDBOX_LINK_ID : env.STRIPE_APP_TEST_LINK_ID
      // The link's environment rides in the signed state to the exchange.
      const state = sh.issueStateToken({ keys, flow: 'apps_oauth', sessionId: session, mode: linkMode })
      return Response.redirect(sh.appsOAuthLink({ clientId, testLinkId, redirectUri: appsCallback, state, baseUrl: env.STRIPE_BASE, mode: linkMode }, allow), 302)
    },
    'GET /stripe/apps/callback': async ({ url, session }) => {
      if (!env.STRIPE_APP_SECRET_KEY) throw Object.assign(new Error('This platform has no OAuth-type Stripe App.'), { code: 'not_configured' })
      const r = await sh.verifyAppCallback(url.search, { accessType: 'oauth', ...once, sessionId: session, marketplace: 'accept' })
      if (r.outcome === 'denied') return view(200, 'denied', 'Installation cancelled', `Stripe said: ${r.kind}. Nothing was installed.`)
      if (r.outcome !== 'authorized' && r.outcome !== 'marketplace_authorized') throw Object.assign(new Error('Not an OAuth-type app callback.'), { code: 'not_found' })
      // The code belongs to the Stripe Apps token endpoint (r.provider), exchanged once with the key
      // of the environment the signed state names (a sandbox's codes need the sandbox's key).
      const stateMode = r.outcome === 'authorized' ? r.stateMode : null
      const secretKey = stateMode === 'sandbox' ? env.STRIPE_APP_SANDBOX_SECRET_KEY : env.STRIPE_APP_SECRET_KEY
      const [status, body] = await stripeCall(sh.codeExchangeRequest({ authorization: r, secretKey, baseUrl: env.STRIPE_BASE })) // mode: the state's
      const token = sh.parseTokenResponse(status, body)
      if (token.stripeUserId !== r.accountId) throw Object.assign(new Error('The token is for another account than the callback named.'), { code: 'not_found' })
      const fromMarketplace = r.outcome === 'marketplace_authorized'
      // From the Marketplace nothing ties the install to this browser: keep it unclaimed.
      if (fromMarketplace && store.appConnections[r.accountId]) return view(200, 'marketplace_authorized', 'Already installed', `${r.accountId} is already installed.`)
      store.appConnections[r.accountId] = { session: fromMarketplace ? null : session, userId: r.userId, mode: stateMode, accessToken: token.accessToken, refreshToken: token.refreshToken, fromMarketplace }
      return fromMarketplace
        ? view(200, 'marketplace_authorized', 'App installed from the Marketplace', `Installed on ${r.accountId}; not linked to an account here yet.`)
        : view(200, 'app_authorized', 'App installed', `Installed on ${r.accountId} by ${r.userId}.`)
    },
    // The browser side of Connect OAuth: public settings, a page, and the code hand-over.
    'GET /connect': () => html(200, shell('Connecting…', 'connect')),
    'GET /stripe/oauth/callback': () => html(200, shell('Connecting…', 'callback')),
    'GET /api/connect/start': ({ session }) => Response.json({
      clientId: env.STRIPE_CLIENT_ID,
      redirectUri: oauthCallback,
      stripeBase: env.STRIPE_BASE ?? null,
      state: sh.issueStateToken({ keys, flow: 'connect_oauth', sessionId: session }),
    }),
    'POST /api/connect/exchange': async ({ request, session }) => {
      if (request.headers.get('content-type') !== 'application/json') return Response.json({ code: 'bad_request', message: 'Send JSON.' }, { status: 415 })
      let query
      try {
        ({ query } = JSON.parse(new TextDecoder().decode(await readBody(request))))
      } catch (e) {
        if (e.code === 'body_too_large') throw e
        return Response.json({ code: 'bad_request', message: 'Send a JSON object with the callback query.' }, { status: 400 })
      }
      if (typeof query !== 'string') return Response.json({ code: 'bad_request', message: 'query must be a string.' }, { status: 400 })
      const r = await sh.verifyOAuthCallback(String(query), { flow: 'connect_oauth', ...once, sessionId: session })
      if (r.outcome === 'denied') return Response.json({ code: 'denied', message: 'The user declined.' }, { status: 400 })
      // The authorized result carries the code and the token endpoint it belongs to.
      const [status, body] = await stripeCall(sh.codeExchangeRequest({ authorization: r, secretKey: env.STRIPE_SECRET_KEY, expectedMode: mode, baseUrl: env.STRIPE_BASE }))
      const token = sh.parseTokenResponse(status, body)
      store.connections[token.stripeUserId] = { session, scope: token.scope, livemode: token.livemode, accessToken: token.accessToken, refreshToken: token.refreshToken }
      return Response.json({ account: token.stripeUserId, scope: token.scope })
    },
    'POST /connections/refresh': async ({ form, session }) => {
      const c = owned(form.get('account'), session)
      const [status, body] = await stripeCall(sh.refreshRequest({ provider: 'connect', secretKey: env.STRIPE_SECRET_KEY, refreshToken: c.refreshToken, expectedMode: mode, baseUrl: env.STRIPE_BASE }))
      const token = sh.parseTokenResponse(status, body)
      Object.assign(c, { accessToken: token.accessToken, refreshToken: token.refreshToken ?? c.refreshToken })
      return view(200, 'refreshed', 'Access token refreshed', `New access token for ${form.get('account')}.`)
    },
    'POST /connections/deauthorize': async ({ form, session }) => {
      const account = form.get('account')
      owned(account, session)
      const [status, body] = await stripeCall(sh.deauthorizeRequest({ secretKey: env.STRIPE_SECRET_KEY, clientId: env.STRIPE_CLIENT_ID, stripeUserId: account, expectedMode: mode, baseUrl: env.STRIPE_BASE }))
      sh.parseDeauthorizeResponse(status, body, account)
      // The tokens are dead now: forget them at once; the record goes when the webhook confirms.
      Object.assign(store.connections[account], { accessToken: null, refreshToken: null, disconnectRequested: true })
      return view(200, 'disconnected', 'Disconnected', `${account} was disconnected. Stripe confirms with a webhook.`)
    },
    // Account Links: the return URL carries no signature, so both URLs get a signed state bound
    // to this session and naming the account.
    // Only for an account this session holds (never one named by the form alone): an Account
    // Link opens that account's onboarding and payout details to whoever follows it.
    'POST /onboard': ({ form, session }) => {
      const account = form.get('account') ?? ''
      owned(account, session)
      return onboardingLink(account, session)
    },
    'GET /stripe/onboarding/return': async ({ url, session }) => {
      const r = await sh.verifyAccountLinkCallback(url.search, { kind: 'return', ...once, sessionId: session })
      // A return proves only that this browser came back: ask the API how far onboarding got.
      const [status, body] = await stripeCall(sh.retrieveAccountRequest({ secretKey: env.STRIPE_SECRET_KEY, account: r.accountId, expectedMode: r.stateMode ?? mode, baseUrl: env.STRIPE_BASE }))
      const account = status === 200 ? JSON.parse(new TextDecoder().decode(body)) : {}
      if (account.id !== r.accountId) return view(502, 'failed', 'Stripe did not answer', 'Try again in a moment.', 'account_unavailable')
      store.onboarding[r.accountId] = { session, detailsSubmitted: account.details_submitted === true, chargesEnabled: account.charges_enabled === true }
      return account.details_submitted
        ? view(200, 'onboarded', 'Onboarding complete', `${r.accountId} can take payments.`)
        : view(200, 'onboarding_incomplete', 'Onboarding not finished', `${r.accountId} still has requirements due.`)
    },
    'GET /stripe/onboarding/refresh': async ({ url, session }) => {
      // The link expired or was used: check the state, then make a new link for the same account.
      const r = await sh.verifyAccountLinkCallback(url.search, { kind: 'refresh', ...once, sessionId: session })
      return onboardingLink(r.accountId, session)
    },
    // The webhook routes, through the adapter (Request → Response): it reads the raw body
    // itself, verifies it synchronously (no SubtleCrypto), acts on each event once, and answers.
    'POST /stripe/webhook': fromRequest(sh.webhookHandler({
      verifier: webhooks, store: eventIds, onError,
      onEvent: (event) => {
        store.events.push({ id: event.id, type: event.type, account: event.account })
        if (event.type === 'account.application.deauthorized' && event.account) {
          // Which of our applications lost access: the App (install link) or the Connect platform.
          const application = event.dataObject.id
          if (application === env.STRIPE_APP_CLIENT_ID) delete store.installs[event.account]
          if (application === env.STRIPE_CLIENT_ID) delete store.connections[event.account]
        }
      },
    })),
    // An event notification is a pointer: verified, then the event itself fetched in its context
    // with a key of its mode, and acted on as the API says. A failed fetch throws: the adapter
    // answers 500 and releases the id, so Stripe delivers it again.
    'POST /stripe/events': notifications ? fromRequest(sh.webhookHandler({
      verifier: notifications, kind: 'thin', store: eventIds, onError,
      onEvent: async (n) => {
        const [status, body] = await stripeCall(sh.fetchEventRequest({ secretKey: env.STRIPE_SECRET_KEY, eventId: n.id, livemode: n.livemode, context: n.context, baseUrl: env.STRIPE_BASE }))
        const event = status === 200 ? JSON.parse(new TextDecoder().decode(body)) : {}
        if (event.id !== n.id) throw new Error(`the event could not be fetched (HTTP ${status})`)
        store.notifications.push({ id: n.id, type: event.type, context: event.context ?? null, fetched: true })
        // This destination belongs to the Connect platform's account: the platform lost access.
        if (event.type === 'v1.account.application.deauthorized' && event.context) delete store.connections[event.context]
      },
    })) : () => { throw Object.assign(new Error('This platform has no event destination with thin payloads.'), { code: 'not_configured' }) },
  }
  async function onboardingLink(account, session) {
    const [status, body] = await stripeCall(sh.accountLinkRequest({ secretKey: env.STRIPE_SECRET_KEY, account, returnUrl: onboardingReturn, refreshUrl: onboardingRefresh, stateKeys: keys, sessionId: session, mode, baseUrl: env.STRIPE_BASE }, allow))
    return Response.redirect(sh.parseAccountLinkResponse(status, body).url, 302)
  }
  if (env.DEMO_EXPOSE_STORE === '1') {
    // Demo and tests only: what the platform stored, tokens redacted. Never in production.
    const redact = (t) => t && `…${t.slice(-4)}`
    routes['GET /store.json'] = () => Response.json({
      installs: Object.fromEntries(Object.entries(store.installs).map(([a, i]) => [a, { ...i, session: undefined }])),
      connections: Object.fromEntries(Object.entries(store.connections).map(([a, c]) => [a, { ...c, session: undefined, accessToken: redact(c.accessToken), refreshToken: redact(c.refreshToken) }])),
      appConnections: Object.fromEntries(Object.entries(store.appConnections).map(([a, c]) => [a, { ...c, session: undefined, bound: c.session !== null, accessToken: redact(c.accessToken), refreshToken: redact(c.refreshToken) }])),
      onboarding: Object.fromEntries(Object.entries(store.onboarding).map(([a, o]) => [a, { ...o, session: undefined }])),
      usedNonces: stateNonces.size,
      events: store.events,
      notifications: store.notifications,
    })
  }

  // Session ids are issued here and MACed, so a visitor cannot pick one (session fixation).
  const mac = (id) => sh.hmacSha256(sessionKey, new TextEncoder().encode(`session:${id}`))
  function readSession(cookie) {
    const m = /(?:^|;\s*)sid=([\w-]{22})\.([0-9a-f]{64})(?:;|$)/.exec(cookie ?? '')
    if (!m) return null
    try {
      // Returns nothing; throws SignatureVerificationError when the MAC does not match.
      sh.verifyHmacSha256(sessionKey, new TextEncoder().encode(`session:${m[1]}`), hex(m[2]))
      return m[1]
    } catch (e) {
      if (e instanceof sh.StripeHandshakeError) return null
      throw e
    }
  }

  return {
    async fetch(request) {
      const url = new URL(request.url)
      const known = readSession(request.headers.get('cookie'))
      const session = known ?? base64url(crypto.getRandomValues(new Uint8Array(16)))
      let res
      try {
        const route = routes[`${request.method} ${url.pathname}`]
        if (request.method === 'POST' && !FROM_STRIPE.has(url.pathname) && request.headers.get('origin') !== origin) {
          // Requests that change something must come from our own pages (CSRF), not only SameSite=Lax.
          throw Object.assign(new Error('This request must come from the platform\'s own pages.'), { code: 'cross_origin' })
        }
        // Every body is read through readBody (capped at 1 MiB), forms included.
        const form = request.method === 'POST' && request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')
          ? new URLSearchParams(new TextDecoder().decode(await readBody(request))) : new URLSearchParams()
        res = route ? await route({ request, url, session, form }) : view(404, 'missing', 'Not found', 'There is no such page.')
      } catch (e) {
        if (!(e instanceof sh.StripeHandshakeError) && !REFUSALS.has(e.code)) {
          console.error(e)
          res = view(500, 'failed', 'Something went wrong', 'Try again later.', 'server_error')
        } else if (url.pathname.startsWith('/api/')) {
          res = Response.json({ code: e.code, message: e.message }, { status: e.code === 'body_too_large' ? 413 : 400 })
        } else {
          res = view(e.code === 'body_too_large' ? 413 : 400, 'rejected', 'Request refused', e.message, e.code)
        }
      }
      res = new Response(res.body, res) // make the headers mutable
      res.headers.set('Cache-Control', 'no-store')
      if (!known) res.headers.append('Set-Cookie', `sid=${session}.${toHex(mac(session))}; HttpOnly; SameSite=Lax; Path=/${secure}`)
      return res
    },
  }
}

/** The POST routes Stripe calls: they prove themselves with a Stripe-Signature, not an Origin. */
const FROM_STRIPE = new Set(['/stripe/webhook', '/stripe/events'])
const MAX_BODY = 1 << 20
/** The platform's own refusals (shown like the library's, with their code). */
const REFUSALS = new Set(['not_found', 'cross_origin', 'body_too_large', 'not_configured'])

/** The raw body, refused above 1 MiB (Stripe's events are far smaller). */
async function readBody(request) {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) throw Object.assign(new Error('The body is over 1 MiB.'), { code: 'body_too_large' })
  const reader = request.body ? request.body.getReader() : null
  const chunks = []
  let size = 0
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > MAX_BODY) {
      await reader.cancel()
      throw Object.assign(new Error('The body is over 1 MiB.'), { code: 'body_too_large' })
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) { out.set(c, at); at += c.length }
  return out
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16))
const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

function html(status, body) {
  return new Response(body, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } })
}

function layout(title, inner) {
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto">${inner}</body>`
}

function view(status, outcome, title, text, code = '') {
  const codeLine = code ? `<p>Code: <code id="code">${esc(code)}</code></p>` : ''
  return html(status, layout(title, `<main id="result" data-outcome="${esc(outcome)}"><h1>${esc(title)}</h1><p id="message">${esc(text)}</p>${codeLine}</main><p><a href="/">Back</a></p>`))
}

/** A page whose script (app.js) does the browser side with the WASM package. */
function shell(title, step) {
  return layout(title, `<p id="status">${esc(title)}</p><script type="module" src="/app.js" data-step="${step}"></script>`)
}

function home(store, session) {
  const rows = Object.entries(store.connections).filter(([, c]) => c.session === session).map(([account, c]) => `<li>${esc(account)} (${esc(c.scope)})
    <form method="post" action="/connections/refresh"><input type="hidden" name="account" value="${esc(account)}"><button id="refresh">Refresh token</button></form>
    <form method="post" action="/connections/deauthorize"><input type="hidden" name="account" value="${esc(account)}"><button id="deauthorize">Disconnect</button></form></li>`)
  const installs = Object.entries(store.installs).filter(([, i]) => i.session === session).map(([a]) => `<li>${esc(a)}</li>`)
  return layout('Demo platform (edge)', `<h1>Demo platform (edge + WASM)</h1>
<p><a id="install" href="/install">Install the Stripe App</a> · <a id="connect" href="/connect">Connect with Stripe</a></p>
<form method="post" action="/onboard"><label>Onboard a connected account <input id="onboard-account" name="account" placeholder="acct_…"></label> <button id="onboard">Start onboarding</button></form>
<h2>Installs</h2><ul id="installs">${installs.join('')}</ul><h2>Your connections</h2><ul id="connections">${rows.join('')}</ul>`)
}
