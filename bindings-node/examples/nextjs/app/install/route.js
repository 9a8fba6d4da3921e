// app/install/route.js: one id per browser in an HttpOnly cookie, then to Stripe with a state bound to it.
import { cookies } from 'next/headers'
import { stripe } from '../../lib/stripe.mjs'

export async function GET() {
  const jar = await cookies()
  const sid = jar.get('sid')?.value ?? crypto.randomUUID()
  jar.set('sid', sid, { httpOnly: true, sameSite: 'lax', secure: process.env.PUBLIC_URL.startsWith('https:') })
  return Response.redirect(stripe().installs.start({ sessionId: sid }), 302)
}
