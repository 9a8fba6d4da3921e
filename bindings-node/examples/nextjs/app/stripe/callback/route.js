// app/stripe/callback/route.js: install_signature, the time window and the state (one-time) from the raw URL.
import { cookies } from 'next/headers'
import { StripeHandshakeError } from 'stripe-handshake'
import { stripe } from '../../../lib/stripe.mjs'

export async function GET(request) {
  const sid = (await cookies()).get('sid')?.value ?? ''
  try {
    const r = await stripe().installs.finish(request.url, { sessionId: sid }) // a reload: state_replayed
    return new Response(r.outcome === 'installed' ? `Installed on ${r.accountId}.` : 'Installation cancelled.') // save r.accountId
  } catch (e) {
    if (!(e instanceof StripeHandshakeError)) throw e
    return new Response(`This install link cannot be used (${e.code}): start again from /install.`, { status: 400 })
  }
}
