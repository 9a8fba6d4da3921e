// Route helpers for a whole OAuth flow: `start` builds the link with a state token bound to the
// session; `finish` verifies the callback (the state's nonce consumed in the store, so a reload
// is refused before anything is sent), exchanges the code once, and reads the token. Thin: every
// rule is the core's; the only I/O is the one token request, through `fetch`. Shared by the Node
// and WASM packages.
//
//   const connect = new ConnectOAuthFlow({ clientId, secretKey, redirectUri, allowList, stateKeys, store })
//   GET /connect:                 redirect to connect.start({ sessionId })
//   GET /stripe/oauth/callback:   const r = await connect.finish(url.search, { sessionId })
//                                 r.outcome === 'connected' (r.token) or 'denied' (r.kind)

export function buildFlows(api) {
  const invalid = (what) => new api.InvalidInputError(what, 'invalid_argument', 'invalid_input')

  /** Connect OAuth (Standard or Express accounts), start to token. */
  class ConnectOAuthFlow {
    #o
    constructor(options) {
      const o = { ...options } // read once
      if (!(o.allowList instanceof api.RedirectAllowList)) throw invalid('allowList: pass a RedirectAllowList of your callback URLs')
      if (!Array.isArray(o.stateKeys) || o.stateKeys.length === 0) throw invalid('stateKeys: pass the state keys ([{ id, key }])')
      if (!o.store || typeof o.store.consume !== 'function') {
        throw invalid('store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each state is used once')
      }
      if (o.fetch !== undefined && typeof o.fetch !== 'function') throw invalid('fetch: pass a fetch-compatible function')
      api.parseSecretKey(o.secretKey) // a secret key (sk_live_ or sk_test_), checked now
      // `mode` ('live' or 'test'), when given, is signed into each state; the exchange then refuses
      // a key of another mode before anything is sent.
      this.#o = { ...o, accountType: o.accountType ?? 'standard', scope: o.scope ?? 'read_write', fetch: o.fetch ?? globalThis.fetch }
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
      // The key against the state's mode (when the flow has one), before anything is sent.
      const req = api.codeExchangeRequest({ authorization: r, secretKey: o.secretKey, baseUrl: o.baseUrl })
      // The code goes to the token endpoint only: no redirect is followed (it would carry the
      // code elsewhere), and a slow endpoint is cut off.
      const send = o.fetch
      const res = await send(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'error', signal: AbortSignal.timeout(10_000) })
      const token = api.parseTokenResponse(res.status, new Uint8Array(await res.arrayBuffer()))
      return { outcome: 'connected', token, stateData: r.stateData }
    }
  }

  /** The query of a callback given as a URL object, an absolute URL string, or the query itself. */
  function queryOf(callback) {
    if (callback instanceof URL) return callback.search
    if (typeof callback === 'string' && /^https?:\/\//i.test(callback)) return new URL(callback).search
    return callback // a query (with or without its "?"): the core reads it, refusing what is malformed
  }

  return { ConnectOAuthFlow }
}
