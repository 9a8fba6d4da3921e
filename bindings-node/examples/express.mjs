// A Stripe App's backend in Express: the install link (state bound to the browser, one-time) and
// the webhook. Run: node examples/express.mjs (the environment below). Tested in test/integrations.test.mjs.
import { randomUUID } from 'node:crypto'
import express from 'express'
import { StripeAppFlow, StripeHandshakeError, expressWebhook, RedirectAllowList, MemoryStore } from 'stripe-handshake'

const env = process.env // PUBLIC_URL, STATE_KEY (32+ random bytes, base64), STRIPE_INSTALL_LINK_ID, STRIPE_APP_SECRET, STRIPE_WEBHOOK_SECRET
const store = new MemoryStore() // several servers: new RedisStore(redisClient)
const installs = new StripeAppFlow({
  accessType: 'install_link', linkId: env.STRIPE_INSTALL_LINK_ID, secrets: env.STRIPE_APP_SECRET, store,
  allowList: new RedirectAllowList([`${env.PUBLIC_URL}/stripe/callback`], { testMode: env.STRIPE_TEST_MODE === '1' }),
  stateKeys: [{ id: 'k1', key: Buffer.from(env.STATE_KEY, 'base64') }], baseUrl: env.STRIPE_BASE_URL, // unset: Stripe
})
const accounts = new Set() // your database

const app = express()
// The webhook reads the raw body itself: mount it before express.json().
app.post('/stripe/webhook', expressWebhook({ secrets: env.STRIPE_WEBHOOK_SECRET, store, onEvent: (event) => {
  if (event.type === 'account.application.deauthorized') accounts.delete(event.account)
} }))
app.use(express.json())
// One id per browser, in an HttpOnly cookie (or your session middleware's id).
app.use((req, res, next) => {
  req.sid = /(?:^|;\s*)sid=([\w-]{36})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1]
  if (!req.sid) res.cookie('sid', (req.sid = randomUUID()), { httpOnly: true, sameSite: 'lax', secure: env.PUBLIC_URL.startsWith('https:') })
  next()
})
app.get('/install', (req, res) => res.redirect(installs.start({ sessionId: req.sid })))
app.get('/stripe/callback', async (req, res, next) => {
  try {
    const r = await installs.finish(req.originalUrl, { sessionId: req.sid }) // a reload: state_replayed
    if (r.outcome === 'installed') accounts.add(r.accountId)
    res.send(r.outcome === 'installed' ? `Installed on ${r.accountId}.` : 'Installation cancelled.')
  } catch (e) {
    if (!(e instanceof StripeHandshakeError)) return next(e)
    res.status(400).send(`This install link cannot be used (${e.code}): start again from /install.`)
  }
})
app.listen(Number(env.PORT ?? 3000), '127.0.0.1')
