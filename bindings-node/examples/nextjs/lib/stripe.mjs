// lib/stripe.mjs: the flow and the store, made on first use (not at build time, when the secrets are absent).
import { StripeAppFlow, RedirectAllowList, MemoryStore } from 'stripe-handshake'

const env = process.env // PUBLIC_URL, STATE_KEY (32+ random bytes, base64), STRIPE_INSTALL_LINK_ID, STRIPE_APP_SECRET, STRIPE_WEBHOOK_SECRET
let made
export function stripe() {
  return (made ??= (() => {
    const store = new MemoryStore() // serverless or several instances: new RedisStore(redisClient)
    const installs = new StripeAppFlow({
      accessType: 'install_link', linkId: env.STRIPE_INSTALL_LINK_ID, secrets: env.STRIPE_APP_SECRET, store,
      allowList: new RedirectAllowList([`${env.PUBLIC_URL}/stripe/callback`], { testMode: env.STRIPE_TEST_MODE === '1' }),
      stateKeys: [{ id: 'k1', key: Buffer.from(env.STATE_KEY, 'base64') }], baseUrl: env.STRIPE_BASE_URL, // unset: Stripe
    })
    return { store, installs, secrets: env.STRIPE_WEBHOOK_SECRET }
  })())
}
