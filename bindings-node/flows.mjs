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
    #mode
    constructor(options) {
      const o = { ...options } // read once
      if (!(o.allowList instanceof api.RedirectAllowList)) throw invalid('allowList: pass a RedirectAllowList of your callback URLs')
      if (!Array.isArray(o.stateKeys) || o.stateKeys.length === 0) throw invalid('stateKeys: pass the state keys ([{ id, key }])')
      if (!o.store || typeof o.store.consume !== 'function') {
        throw invalid('store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each state is used once')
      }
      if (o.fetch !== undefined && typeof o.fetch !== 'function') throw invalid('fetch: pass a fetch-compatible function')
      this.#mode = api.parseSecretKey(o.secretKey).mode // a key of the other mode is refused before any request
      this.#o = { ...o, accountType: o.accountType ?? 'standard', scope: o.scope ?? 'read_write', fetch: o.fetch ?? ((url, init) => globalThis.fetch(url, init)) }
    }

    /** The link to send the user to, with a fresh state token bound to `sessionId`. */
    start({ sessionId, data } = {}) {
      const o = this.#o
      const state = api.issueStateToken({ keys: o.stateKeys, flow: 'connect_oauth', sessionId, data })
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
      const query = typeof callback === 'string' && callback.includes('?') ? callback.slice(callback.indexOf('?')) : callback
      const r = await api.verifyOAuthCallback(query, { flow: 'connect_oauth', stateKeys: o.stateKeys, sessionId, store: o.store })
      if (r.outcome !== 'authorized') return r
      const req = api.codeExchangeRequest({ authorization: r, secretKey: o.secretKey, expectedMode: this.#mode, baseUrl: o.baseUrl })
      const res = await o.fetch(req.url, { method: req.method, headers: req.headers, body: req.body })
      const token = api.parseTokenResponse(res.status, new Uint8Array(await res.arrayBuffer()))
      return { outcome: 'connected', token, stateData: r.stateData }
    }
  }

  return { ConnectOAuthFlow }
}
