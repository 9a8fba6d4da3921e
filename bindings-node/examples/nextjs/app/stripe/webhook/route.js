// app/stripe/webhook/route.js: the raw body verified, each event acted on once.
import { webhookHandler } from 'stripe-handshake'
import { stripe } from '../../../lib/stripe.mjs'

let handler
export async function POST(request) {
  const { secrets, store } = stripe()
  handler ??= webhookHandler({ secrets, store, onEvent: async (event) => {
    if (event.type === 'account.application.deauthorized') console.log(`uninstalled from ${event.account}`) // forget it
  } })
  return handler(request)
}
