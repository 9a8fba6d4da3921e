// One-time stores: record a state token's nonce, or a webhook event's id, once, across
// processes and servers, and forget it when it expires. The contract is one method:
//
//   consume(namespace, id, expiresAt) -> boolean | Promise<boolean>
//     true the first time; false while the entry stands (through its last second, expiresAt);
//     atomic (check-and-set in one operation); throws a StoreError (code store_unavailable)
//     when it cannot answer, never a silent true. A timeout is ambiguous (the write may still
//     land): the caller refuses, which is the safe side for a state token.
//
// The core checks every entry and names its key (oneTimeEntry), holds the SQL
// (postgresStatements) and decides what a failure is (oneTimeOutcome): these classes only move
// the bytes to Redis, PostgreSQL or a Map. Shared by the Node and WASM packages; the clients are
// yours (node-redis or ioredis, node-postgres), so the package has no database dependency.

import { summary } from './errors.mjs'

const now = () => Math.floor(Date.now() / 1000)

export function buildStores(api) {
  /** The typed StoreError the core makes for a store that failed, with the failure as its cause. */
  function unavailable(namespace, cause) {
    try {
      api.oneTimeOutcome(undefined, { namespace })
    } catch (e) {
      if (cause !== undefined && e instanceof api.StoreError) e.cause = summary(cause)
      return e
    }
    return new api.InternalError('internal error in stripe-handshake (a store failure was not refused); please report it', 'internal', 'internal')
  }

  /** Runs `f` (a promise) with a deadline: a store that does not answer is a StoreError, never a hang. */
  async function answer(namespace, timeoutMs, f) {
    let timer
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([f(), deadline])
    } catch (e) {
      if (e instanceof api.StripeHandshakeError) throw e
      throw unavailable(namespace, e)
    } finally {
      clearTimeout(timer)
    }
  }

  function positive(v, name, fallback) {
    if (v === undefined) return fallback
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new api.InvalidInputError(`${name}: it must be a positive whole number`, 'invalid_argument', 'invalid_input')
    }
    return v
  }

  /**
   * In one process's memory: for tests and a single server. Bounded: expired entries are swept
   * as it grows, and when `maxEntries` unexpired entries stand, consume throws a StoreError
   * rather than forget one (forgetting would let a replay through). Anyone who can start a flow
   * can add entries: size it for the traffic, rate-limit the flows, or use a shared store.
   */
  class MemoryStore {
    #entries = new Map()
    #max
    #clock
    #sinceSweep = 0
    #earliest = Infinity // the soonest expiry: a sweep before it finds nothing
    constructor(options = {}) {
      this.#max = positive(options.maxEntries, 'maxEntries', 100_000)
      this.#clock = options.clock || now
    }
    /** How many entries it holds (expired ones until the next sweep). */
    get size() {
      return this.#entries.size
    }
    consume(namespace, id, expiresAt) {
      const t = this.#clock()
      const { key } = api.oneTimeEntry(namespace, id, expiresAt, { now: t, prefix: '' })
      const until = this.#entries.get(key)
      if (until !== undefined && until >= t) return false // it stands through its last second
      if (until === undefined && (this.#entries.size >= this.#max || ++this.#sinceSweep >= Math.max(1024, this.#entries.size / 4))) {
        if (this.#earliest < t) this.#sweep(t)
        this.#sinceSweep = 0
        if (this.#entries.size >= this.#max) throw unavailable(namespace)
      }
      this.#entries.set(key, expiresAt)
      if (expiresAt < this.#earliest) this.#earliest = expiresAt
      return true
    }
    /** Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on). */
    release(namespace, id) {
      this.#entries.delete(api.oneTimeEntry(namespace, id, Number.MAX_SAFE_INTEGER, { now: 0, prefix: '' }).key)
    }
    /** Moves an entry's expiry, if it stands (a lease made final once its event was handled). */
    extend(namespace, id, expiresAt) {
      const { key } = api.oneTimeEntry(namespace, id, expiresAt, { now: this.#clock(), prefix: '' })
      if (this.#entries.has(key)) this.#entries.set(key, expiresAt)
    }
    #sweep(t) {
      let earliest = Infinity
      for (const [k, until] of this.#entries) {
        if (until < t) this.#entries.delete(k)
        else if (until < earliest) earliest = until
      }
      this.#earliest = earliest
    }
  }

  /**
   * Redis: `SET key 1 NX EX ttl`, one atomic command, the TTL counted from this process's clock
   * (plus a grace for clocks). `client` is a connected node-redis client (`sendCommand`) or
   * ioredis (`call`). Run Redis with `maxmemory-policy noeviction`: an evicted nonce is a replay.
   */
  class RedisStore {
    #send
    #prefix
    #clock
    #timeoutMs
    constructor(client, options = {}) {
      if (client && typeof client.sendCommand === 'function') this.#send = (args) => client.sendCommand(args)
      else if (client && typeof client.call === 'function') this.#send = (args) => client.call(...args)
      else throw new api.InvalidInputError('client: pass a connected node-redis or ioredis client', 'invalid_argument', 'invalid_input')
      this.#prefix = options.prefix
      this.#clock = options.clock || now
      this.#timeoutMs = positive(options.timeoutMs, 'timeoutMs', 2000)
    }
    async consume(namespace, id, expiresAt) {
      const { key, ttlSecs } = api.oneTimeEntry(namespace, id, expiresAt, { now: this.#clock(), prefix: this.#prefix })
      const reply = await answer(namespace, this.#timeoutMs, () => this.#send(['SET', key, '1', 'NX', 'EX', String(ttlSecs)]))
      if (reply === 'OK') return true
      if (reply === null) return false
      throw unavailable(namespace) // another reply: not a Redis SET answer
    }
    /** Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on). */
    async release(namespace, id) {
      const { key } = api.oneTimeEntry(namespace, id, Number.MAX_SAFE_INTEGER, { now: 0, prefix: this.#prefix })
      await answer(namespace, this.#timeoutMs, () => this.#send(['DEL', key]))
    }
    /** Moves an entry's expiry, if it stands: `SET key 1 XX EX ttl`. */
    async extend(namespace, id, expiresAt) {
      const { key, ttlSecs } = api.oneTimeEntry(namespace, id, expiresAt, { now: this.#clock(), prefix: this.#prefix })
      await answer(namespace, this.#timeoutMs, () => this.#send(['SET', key, '1', 'XX', 'EX', String(ttlSecs)]))
    }
  }

  /**
   * PostgreSQL: one `INSERT … ON CONFLICT … DO UPDATE … WHERE expired RETURNING` per consume,
   * atomic under concurrency; every `pruneEvery` consumes it deletes long-expired rows in the
   * background (a failed prune never changes an answer). `pool` is a node-postgres Pool (or
   * Client). Call `init()` once to create the table.
   */
  class PostgresStore {
    #pool
    #sql
    #clock
    #timeoutMs
    #pruneEvery
    #count = 0
    constructor(pool, options = {}) {
      if (!pool || typeof pool.query !== 'function') {
        throw new api.InvalidInputError('pool: pass a node-postgres Pool or Client', 'invalid_argument', 'invalid_input')
      }
      this.#pool = pool
      this.#sql = api.postgresStatements({ table: options.table, placeholders: 'dollar' })
      this.#clock = options.clock || now
      this.#timeoutMs = positive(options.timeoutMs, 'timeoutMs', 5000)
      this.#pruneEvery = positive(options.pruneEvery, 'pruneEvery', 1000)
    }
    /** Creates the table if it does not exist. */
    async init() {
      await answer('state', this.#timeoutMs, () => this.#pool.query(this.#sql.create))
    }
    async consume(namespace, id, expiresAt) {
      const t = this.#clock()
      api.oneTimeEntry(namespace, id, expiresAt, { now: t })
      const r = await answer(namespace, this.#timeoutMs, () => this.#pool.query(this.#sql.consume, [namespace, id, expiresAt, t]))
      const first = r && r.rowCount === 1 ? true : r && r.rowCount === 0 ? false : null
      if (first === null) throw unavailable(namespace)
      // The answer stands whatever the prune does: it runs after, and its failure is only lost space.
      if (++this.#count >= this.#pruneEvery) this.prune().catch(() => {})
      return first
    }
    /** Forgets one entry (an event whose handler failed, so that Stripe's retry is acted on). */
    async release(namespace, id) {
      api.oneTimeEntry(namespace, id, Number.MAX_SAFE_INTEGER, { now: 0 })
      await answer(namespace, this.#timeoutMs, () => this.#pool.query(this.#sql.release, [namespace, id]))
    }
    /** Moves an entry's expiry, if it stands. */
    async extend(namespace, id, expiresAt) {
      api.oneTimeEntry(namespace, id, expiresAt, { now: this.#clock() })
      await answer(namespace, this.#timeoutMs, () => this.#pool.query(this.#sql.extend, [namespace, id, expiresAt]))
    }
    /** Deletes entries expired for longer than the clocks' grace (300 s); returns how many. */
    async prune() {
      this.#count = 0
      const r = await answer('state', this.#timeoutMs, () => this.#pool.query(this.#sql.prune, [this.#clock()]))
      return r.rowCount ?? 0
    }
  }

  return { MemoryStore, RedisStore, PostgresStore }
}
