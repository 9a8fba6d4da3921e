// Route helpers for whole flows: `start` builds the link with a state token bound to the
// session; `finish` verifies the callback (its state's nonce consumed in the store, so a reload
// is refused before anything is sent) and, for OAuth, exchanges the code once and reads the
// token. Thin: every rule is the core's; the only I/O is the one token request, through `fetch`.
// Shared by the Node and WASM packages.
//
//   const connect = new ConnectOAuthFlow({ clientId, secretKey, redirectUri, allowList, stateKeys, store })
//   GET /connect:                 redirect to connect.start({ sessionId })
//   GET /stripe/oauth/callback:   const r = await connect.finish(url, { sessionId })
//                                 r.outcome === 'connected' (r.token) or 'denied' (r.kind)
//
//   const app = new StripeAppFlow({ accessType: 'install_link', linkId, secrets, allowList, stateKeys, store })
//   GET /install:                 redirect to app.start({ sessionId })
//   GET /stripe/callback:         const r = await app.finish(url, { sessionId })
//                                 r.outcome === 'installed' (r.accountId), 'denied', or (with marketplace) 'marketplace_install'
//   (accessType 'oauth': r.outcome === 'connected' (r.token) or, with marketplace, 'marketplace_connected')

export function buildFlows(api) {
  const invalid = (what) => new api.InvalidInputError(what, 'invalid_argument', 'invalid_input')

  /** The options every flow needs, checked once: where the user comes back, the keys, the store. */
  function common(options) {
    const o = { ...options } // read once
    if (!(o.allowList instanceof api.RedirectAllowList)) throw invalid('allowList: pass a RedirectAllowList of your callback URLs')
    if (!Array.isArray(o.stateKeys) || o.stateKeys.length === 0) throw invalid('stateKeys: pass the state keys ([{ id, key }])')
    if (!o.store || typeof o.store.consume !== 'function') {
      throw invalid('store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each state is used once')
    }
    if (o.fetch !== undefined && typeof o.fetch !== 'function') throw invalid('fetch: pass a fetch-compatible function')
    return { ...o, fetch: o.fetch ?? globalThis.fetch }
  }

  /**
   * Exchanges an authorized callback's code once and reads the token. The key is checked against
   * the state's mode (when the flow has one) before anything is sent; the code goes to the token
   * endpoint only (no redirect is followed: it would carry the code elsewhere), and a slow
   * endpoint is cut off.
   */
  async function exchange(o, authorization) {
    const req = api.codeExchangeRequest({ authorization, secretKey: o.secretKey, baseUrl: o.baseUrl })
    const send = o.fetch
    const res = await send(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'error', signal: AbortSignal.timeout(10_000) })
    return api.parseTokenResponse(res.status, new Uint8Array(await res.arrayBuffer()))
  }

  /** Connect OAuth (Standard or Express accounts), start to token. */
  class ConnectOAuthFlow {
    #o
    constructor(options) {
      const o = common(options)
      api.parseSecretKey(o.secretKey) // a secret key (sk_live_ or sk_test_), checked now
      // `mode` ('live' or 'test'), when given, is signed into each state; the exchange then refuses
      // a key of another mode before anything is sent.
      this.#o = { ...o, accountType: o.accountType ?? 'standard', scope: o.scope ?? 'read_write' }
    }

    /** The link to send the user to, with a fresh state token bound to `sessionId`. */
    start({ sessionId, data } = {}) {
      const o = this.#o
      const state = api.issueStateToken({ keys: o.stateKeys, flow: 'connect_oauth', sessionId, data, mode: o.mode })
      const scope = o.accountType === 'express' ? undefined : o.scope
      return api.connectOAuthLink({ clientId: o.clientId, accountType: o.accountType, scope, redirectUri: o.redirectUri, state, baseUrl: o.baseUrl }, o.allowList)
    }

    /**
     * Verifies the callback (its query or URL, as received) for `sessionId`, consumes its state,
     * exchanges the code once and reads the token: `{ outcome: 'connected', token, stateData }`,
     * or the denial (`{ outcome: 'denied', kind, … }`). Throws the typed refusal otherwise
     * (state_replayed for a reload: nothing is sent again).
     */
    async finish(callback, { sessionId } = {}) {
      const o = this.#o
      const r = await api.verifyOAuthCallback(queryOf(callback), { flow: 'connect_oauth', stateKeys: o.stateKeys, sessionId, store: o.store })
      if (r.outcome !== 'authorized') return r
      return { outcome: 'connected', token: await exchange(o, r), stateData: r.stateData }
    }
  }

  /**
   * A Stripe App's install, start to result, by the app's access type (its manifest's
   * `stripe_api_access_type`, never the callback's shape): `install_link` apps come back signed
   * (`install_signature`, checked with the app's `absec_` secrets); `oauth` apps come back with a
   * code, exchanged once at the Apps token endpoint.
   */
  class StripeAppFlow {
    #o
    constructor(options) {
      const o = common(options)
      if (o.accessType !== 'install_link' && o.accessType !== 'oauth') {
        throw invalid("accessType: pass 'install_link' or 'oauth' (your stripe-app.json's stripe_api_access_type)")
      }
      if (o.accessType === 'oauth') {
        api.parseSecretKey(o.secretKey) // the key that exchanges the code, checked now
      } else if (o.secrets === undefined || o.secrets === null) {
        throw invalid("secrets: pass the app's signing secret (absec_…): install links come back signed with it")
      }
      this.#o = o
    }

    /** The link to send the user to (the install link, or the Apps OAuth link), with a fresh state token bound to `sessionId`. */
    start({ sessionId, data } = {}) {
      const o = this.#o
      if (o.accessType === 'install_link') {
        const state = api.issueStateToken({ keys: o.stateKeys, flow: 'install_link', sessionId, data })
        return api.installLink({ linkId: o.linkId, redirectUri: o.redirectUri, state, baseUrl: o.baseUrl }, o.allowList)
      }
      const state = api.issueStateToken({ keys: o.stateKeys, flow: 'apps_oauth', sessionId, data, mode: o.mode })
      return api.appsOAuthLink({ clientId: o.clientId, redirectUri: o.redirectUri, state, testLinkId: o.testLinkId, baseUrl: o.baseUrl, mode: o.mode }, o.allowList)
    }

    /**
     * Verifies the callback (its URL or query, as received) for `sessionId` and consumes its state
     * (or, for a Marketplace authorization, its code): a reload is refused before anything is sent.
     * Install links give the verified install (`installed`, or `marketplace_install` when
     * `marketplace` accepts them) or the denial. OAuth apps exchange the code once:
     * `{ outcome: 'connected' | 'marketplace_connected', token, userId, accountId, stateData }`,
     * where `accountId` is the token's `stripeUserId` (Stripe's answer to your key) and `userId`
     * the redirect's `user_id`.
     */
    async finish(callback, { sessionId } = {}) {
      const o = this.#o
      const r = await api.verifyAppCallback(queryOf(callback), {
        accessType: o.accessType, secrets: o.secrets, stateKeys: o.stateKeys, sessionId, store: o.store, marketplace: o.marketplace,
      })
      if (r.outcome !== 'authorized' && r.outcome !== 'marketplace_authorized') return r
      const token = await exchange(o, r)
      const outcome = r.outcome === 'authorized' ? 'connected' : 'marketplace_connected'
      return { outcome, token, userId: r.userId, accountId: token.stripeUserId, stateData: r.stateData ?? null }
    }
  }

  /**
   * The query of a callback given as a URL object, an absolute URL string, a path with its query
   * (Express's `req.originalUrl`), or the query itself.
   */
  function queryOf(callback) {
    if (callback instanceof URL) return callback.search
    if (typeof callback === 'string' && /^https?:\/\//i.test(callback)) return new URL(callback).search
    if (typeof callback === 'string' && callback.startsWith('/')) return callback.includes('?') ? callback.slice(callback.indexOf('?')) : ''
    return callback // a query (with or without its "?"): the core reads it, refusing what is malformed
  }

  return { ConnectOAuthFlow, StripeAppFlow }
}
