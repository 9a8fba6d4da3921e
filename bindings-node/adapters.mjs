// Framework adapters for the webhook route: they read the raw body themselves (the most common
// webhook failure is a JSON middleware that re-serialized it), verify it, act on each event
// once through a one-time store, and answer what the core's table says (webhookReply: 200,
// 400, 413, 500, 503). Thin: every rule is the core's. Shared by the Node and WASM packages.
//
//   webhookHandler(options)  -> (request: Request) => Promise<Response>   (Next.js route
//                               handlers, Hono, Bun, Deno, Workers: the Web-standard shape)
//   expressWebhook(options)  -> (req, res, next) middleware (Express 4 and 5; also node:http)
//   fastifyWebhook(options)  -> a Fastify plugin: app.register(fastifyWebhook({ path, … }))
//
// options: { verifier | secrets, kind: 'snapshot' (default) | 'thin', store: OneTimeStore,
//            onEvent(event), onError?(error), now?() -> Unix seconds (the clock of the check;
//            the system clock by default) }

export function buildAdapters(api) {
  const invalid = (what) => new api.InvalidInputError(what, 'invalid_argument', 'invalid_input')

  function settings(o) {
    if (o === null || typeof o !== 'object') throw invalid('options: pass { secrets, store, onEvent }')
    const verifier = o.verifier instanceof api.Verifier ? o.verifier : new api.Verifier(o.secrets)
    const kind = o.kind ?? 'snapshot'
    if (kind !== 'snapshot' && kind !== 'thin') throw invalid("kind: use 'snapshot' (events) or 'thin' (event notifications)")
    if (!o.store || typeof o.store.consume !== 'function') {
      throw invalid('store: pass a one-time store (MemoryStore, RedisStore, PostgresStore): each event is acted on once')
    }
    if (typeof o.onEvent !== 'function') throw invalid('onEvent: pass the function that acts on a verified event')
    // The default logs the stack only: an HTTP client's error object can hold its request's headers.
    const told = typeof o.onError === 'function' ? o.onError : (e) => console.error(`stripe-handshake: the webhook handler failed: ${e?.stack ?? String(e)}`)
    const onError = (e) => { try { told(e) } catch {} } // a failing onError never skips the release
    if (o.now !== undefined && typeof o.now !== 'function') throw invalid('now: pass a function that returns the current Unix time in seconds, or leave it out for the system clock')
    return { verifier, kind, store: o.store, onEvent: o.onEvent, onError, now: o.now }
  }

  /** The outcome for a raw body (or 'body_too_large', 'body_already_parsed') and its header. */
  async function outcome(s, raw, header) {
    if (typeof raw === 'string') return raw
    let event
    try {
      // A clock that answers something other than a time is refused by the core (invalid_argument).
      const now = s.now === undefined ? undefined : s.now()
      event = s.kind === 'thin' ? s.verifier.verifyEventNotification(raw, header, now) : s.verifier.verifyWebhook(raw, header, now)
    } catch (e) {
      if (e instanceof api.StripeHandshakeError) return e.code
      throw e
    }
    // Claimed for a lease first: if this process dies mid-handler, the claim lapses and Stripe's
    // next retry is acted on. Kept for the retention once the handler succeeded.
    let first
    try {
      first = api.oneTimeOutcome(await s.store.consume('event', event.id, Math.floor(Date.now() / 1000) + api.EVENT_LEASE_SECS), { namespace: 'event' })
    } catch (e) {
      return e instanceof api.StripeHandshakeError ? e.code : 'store_unavailable'
    }
    if (!first) return 'duplicate'
    try {
      await s.onEvent(event)
      // A store without extend keeps the lease only: an event retried after it may be acted on again.
      try { if (typeof s.store.extend === 'function') await s.store.extend('event', event.id, Math.floor(Date.now() / 1000) + api.EVENT_RETENTION_SECS) } catch (err) { s.onError(err) }
    } catch (e) {
      // Forget the claim first, so that Stripe's retry is acted on (a store without release keeps it).
      try { if (typeof s.store.release === 'function') await s.store.release('event', event.id) } catch (err) { s.onError(err) }
      s.onError(e)
      return 'handler_failed'
    }
    return 'delivered'
  }

  /** Reads a Web `Request`'s body, at most MAX_WEBHOOK_BODY bytes. */
  async function webBody(request) {
    if (request.bodyUsed) return 'body_already_parsed'
    if (Number(request.headers.get('content-length') ?? 0) > api.MAX_WEBHOOK_BODY) return 'body_too_large'
    if (!request.body) return new Uint8Array()
    const reader = request.body.getReader()
    const chunks = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.length
      if (size > api.MAX_WEBHOOK_BODY) {
        await reader.cancel().catch(() => {})
        return 'body_too_large'
      }
      chunks.push(value)
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const c of chunks) { out.set(c, at); at += c.length }
    return out
  }

  /** A Web-standard route handler: `export const POST = webhookHandler({ … })`. */
  function webhookHandler(options) {
    const s = settings(options)
    return async function stripeWebhook(request) {
      const r = api.webhookReply(await outcome(s, await webBody(request), request.headers.get('stripe-signature')))
      const headers = { 'Content-Type': 'application/json' }
      if (r.status === 413) headers.Connection = 'close'
      return new Response(r.body, { status: r.status, headers })
    }
  }

  /** Reads a Node request stream, at most MAX_WEBHOOK_BODY bytes. */
  async function nodeBody(req) {
    // What a body parser left: the raw bytes if it kept them (express.raw, or express.json's
    // `verify` saving `req.rawBody`), else nothing: the stream was read and the bytes are gone.
    if (Buffer.isBuffer(req.rawBody)) return new Uint8Array(req.rawBody)
    if (Buffer.isBuffer(req.body)) return new Uint8Array(req.body)
    if (req.body !== undefined || req._body === true || req.readableEnded) return 'body_already_parsed'
    if (Number(req.headers['content-length'] ?? 0) > api.MAX_WEBHOOK_BODY) return 'body_too_large'
    const chunks = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > api.MAX_WEBHOOK_BODY) return 'body_too_large'
      chunks.push(chunk)
    }
    return new Uint8Array(Buffer.concat(chunks))
  }

  /**
   * Express (4 or 5) middleware for the webhook route: `app.post('/stripe/webhook',
   * expressWebhook({ … }))`. Mount it before express.json(), or keep the raw body with
   * `express.json({ verify: (req, res, buf) => { req.rawBody = buf } })`; after a parser that
   * threw the bytes away it answers 500 `body_already_parsed` (Stripe retries once you fix it).
   */
  function expressWebhook(options) {
    const s = settings(options)
    return async function stripeWebhook(req, res, next) {
      try {
        const r = api.webhookReply(await outcome(s, await nodeBody(req), req.headers['stripe-signature']))
        const headers = { 'Content-Type': 'application/json' }
        if (r.status === 413) headers.Connection = 'close' // the rest of the body is never read
        res.writeHead(r.status, headers)
        res.end(r.body, () => { if (r.status === 413) req.destroy() })
      } catch (e) {
        if (typeof next === 'function') return next(e)
        // Plain node:http has no next: answer 500 rather than leave an unhandled rejection.
        s.onError(e)
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end('{"error":"internal"}')
      }
    }
  }

  /**
   * A Fastify plugin that serves the webhook route at `options.path`. Fastify parses JSON for
   * every route by default; inside this plugin's own scope the route's body parser keeps the raw
   * bytes instead (capped), so the rest of the app is unchanged.
   */
  function fastifyWebhook(options) {
    const s = settings(options)
    const path = options.path
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalid("path: the route's path, such as '/stripe/webhook'")
    async function plugin(fastify) {
      fastify.removeAllContentTypeParsers()
      fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: api.MAX_WEBHOOK_BODY }, (req, body, done) => done(null, body))
      const send = (reply, r) => reply.code(r.status).header('Content-Type', 'application/json').send(r.body)
      fastify.setErrorHandler((error, request, reply) => {
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply.header('Connection', 'close'), api.webhookReply('body_too_large'))
        throw error
      })
      fastify.post(path, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : request.body === undefined ? new Uint8Array() : 'body_already_parsed'
        return send(reply, api.webhookReply(await outcome(s, raw, request.headers['stripe-signature'])))
      })
    }
    return plugin
  }

  return { webhookHandler, expressWebhook, fastifyWebhook }
}
