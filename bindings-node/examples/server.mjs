// A platform's two Stripe endpoints with node:http: the install callback and the webhook.
// Run: STRIPE_APP_SECRET=absec_... STRIPE_WEBHOOK_SECRET=whsec_... node examples/server.mjs
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import {
  createVerifier, redirectAllowList, installLink, issueStateToken, verifyInstallCallback, StripeHandshakeError,
} from 'stripe-handshake'

export function platform({ appSecret, webhookSecret, stateKey, linkId = 'your_install_link_id', onInstall, onDeauthorize }) {
  const allow = redirectAllowList(['http://localhost:3000/stripe/callback'], { testMode: true })
  const keys = [{ id: 'k1', key: stateKey }]
  const webhooks = createVerifier(webhookSecret) // prepared once: the fast path

  return createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    const session = /sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? randomBytes(16).toString('hex')
    try {
      if (url.pathname === '/install') {
        // 1. Send the user to Stripe with a state token bound to their session.
        const state = issueStateToken({ keys, flow: 'install_link', sessionId: session })
        res.writeHead(302, { Location: installLink({ linkId, state }, allow), 'Set-Cookie': `sid=${session}; HttpOnly; SameSite=Lax` })
        return res.end()
      }
      if (url.pathname === '/stripe/callback') {
        // 2. Verify install_signature and state from the raw query string.
        const result = verifyInstallCallback(url.search, { secrets: appSecret, stateKeys: keys, sessionId: session })
        if (result.outcome === 'denied') return send(res, 200, { installed: false, reason: result.kind })
        await onInstall?.(result) // store result.accountId; refuse a second use of result.stateNonce
        return send(res, 200, { installed: true, account: result.accountId })
      }
      if (url.pathname === '/stripe/webhook' && req.method === 'POST') {
        // 3. Verify the raw body: never a re-serialized JSON object.
        const chunks = []
        for await (const chunk of req) chunks.push(chunk)
        const body = Buffer.concat(chunks)
        const event = webhooks.verifyWebhook(body, req.headers['stripe-signature'] ?? '')
        if (event.type === 'account.application.deauthorized') await onDeauthorize?.(event.account)
        return send(res, 200, { received: true })
      }
      send(res, 404, { error: 'not found' })
    } catch (e) {
      if (e instanceof StripeHandshakeError) return send(res, 400, { error: e.code })
      throw e
    }
  })
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  platform({
    appSecret: process.env.STRIPE_APP_SECRET,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
    stateKey: Buffer.from(process.env.STATE_KEY_HEX ?? randomBytes(32).toString('hex'), 'hex'),
  }).listen(3000, () => console.log('listening on http://localhost:3000/install'))
}
