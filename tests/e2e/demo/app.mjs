// The demo: the Stripe emulator and the Node example platform on loopback, the platform's pages
// with the trace panel (trace.mjs), and the buttons that make the library refuse something.
// One clock for both sides: the platform reads the emulator's (which signs with it too), so
// "wait past the state's expiry" moves time for everyone, as real time would.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import * as sh from '../../../bindings-node/index.mjs'
import { memoryStore, platform } from '../../../bindings-node/examples/server.mjs'
import { NOTIFICATION_SECRET, WEBHOOK_SECRET, emulator, wire } from '../harness.mjs'
import { readDiagram } from './diagram.mjs'
import { Trace, esc } from './trace.mjs'

const FORGED_SECRET = 'whsec_someone_elses_secret_not_this_endpoint'
const ATTACKER_ACCOUNT = 'acct_1AttackersAccount'

/** Whether a loopback port is free (0 always is). */
function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/**
 * Starts the demo. `port` and `stripePort` are wishes: a busy one is reported through `say` and
 * replaced by a free one (0 asks for any free port).
 */
export async function startDemo({ port = 3000, stripePort = 12111, say = () => {} } = {}) {
  if (stripePort && !(await portFree(stripePort))) {
    say(`port ${stripePort} is busy: the Stripe emulator takes a free one instead (--stripe-port chooses)`)
    stripePort = 0
  }
  const emu = await emulator({ port: stripePort, sharedClock: true })
  if (port && !(await portFree(port))) {
    say(`port ${port} is busy: the demo platform takes a free one instead (--port chooses)`)
    port = 0
  }
  // The platform's port decides its URLs (callbacks, the allow-list), so it is fixed first.
  if (port === 0) port = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) })
  const base = `http://127.0.0.1:${port}`
  const keys = [{ id: 'k1', key: randomBytes(32) }]
  const clock = () => emu.now()
  const { app, platform: connect } = emu.config
  const store = memoryStore()
  const trace = new Trace({ diagram: readDiagram(new URL('../../../README.md', import.meta.url)), keys, appSecret: app.appSecret, publicUrl: base, clock })
  const installCallback = `${base}/stripe/install/callback`
  const oauthCallback = `${base}/stripe/oauth/callback`
  const allow = new sh.RedirectAllowList([installCallback, oauthCallback], { testMode: true })

  const redirect = (location) => ({ status: 302, location, body: '' })
  const nothing = (title, text) => ({ status: 200, page: { kind: 'result', title, main: `<main id="result" data-outcome="nothing"><h1>${esc(title)}</h1><p id="message">${esc(text)}</p><p><a href="/">Back</a></p></main>` } })
  const last = (session) => trace.sessions.get(session)?.last ?? {}

  const routes = {
    'POST /demo/replay': ({ session }) => {
      const l = last(session)
      const path = l.install !== undefined ? '/stripe/install/callback' : l.oauth !== undefined ? '/stripe/oauth/callback' : null
      if (!path) return nothing('Nothing to replay yet', 'Install the app or connect an account first: this button sends that callback again.')
      trace.start(session, 'The same callback, again', 'The browser sends a callback URL it already used: a reload, the back button, or someone who copied the URL from a log.')
      return redirect(`${path}${l.install ?? l.oauth}`)
    },
    'POST /demo/tamper': ({ session }) => {
      const q = last(session).install
      if (q === undefined) return nothing('Nothing to tamper with yet', 'Install the app first: this button sends its callback with another account_id.')
      const tampered = new URLSearchParams(q)
      tampered.set('account_id', ATTACKER_ACCOUNT)
      trace.start(session, 'A tampered install callback', `The callback keeps its install_signature and state but names ${ATTACKER_ACCOUNT} instead of the account that installed: an attacker who wants the install tied to their account.`)
      return redirect(`/stripe/install/callback?${tampered}`)
    },
    'POST /demo/other-session': ({ session }) => {
      // Another browser (an attacker's) starts the install; its callback arrives in this one.
      const other = randomBytes(16).toString('base64url')
      const state = sh.issueStateToken({ keys, flow: 'install_link', sessionId: other, now: clock() })
      trace.start(session, 'An install started in another browser', 'This link was built for another browser session, an attacker\'s say, and its callback will arrive in yours: the login CSRF that state exists to stop. Click Install on the next page.')
      const url = sh.installLink({ linkId: app.linkId, redirectUri: installCallback, state, baseUrl: emu.url }, allow)
      trace.record(session, { step: 'link', call: 'installLink', url })
      return redirect(url)
    },
    'POST /demo/expire': async ({ session }) => {
      const state = sh.issueStateToken({ keys, flow: 'connect_oauth', sessionId: session, now: clock() })
      trace.start(session, 'Connect OAuth, finished after the state expired', 'The link was built, then the clock moved 11 minutes (the emulator\'s clock, which this platform reads too): a state token lives 10. Click Connect on the next page.')
      const url = sh.connectOAuthLink({ clientId: connect.clientId, accountType: 'standard', scope: 'read_write', redirectUri: oauthCallback, state, baseUrl: emu.url }, allow)
      trace.record(session, { step: 'link', call: 'connectOAuthLink', url })
      const res = await fetch(`${emu.url}/_emulator/advance?seconds=660`, { method: 'POST' })
      if (!res.ok) throw new Error(`the emulator's clock did not move: HTTP ${res.status}`)
      trace.add(session, { call: 'POST /_emulator/advance', title: 'Time passed', verdict: 'info', what: 'The emulator\'s clock moved 660 s; the platform reads the same clock.', rows: [['Now', esc(new Date(clock() * 1000).toISOString())]] }, null)
      return redirect(url)
    },
    'POST /demo/forged-webhook': async ({ session }) => {
      // Anyone who finds the endpoint's URL can post to it: only the signature tells Stripe apart.
      const account = Object.entries(store.connections).find(([, c]) => c.session === session)?.[0] ?? emu.config.account.id
      const event = { id: `evt_forged${randomBytes(8).toString('hex')}`, object: 'event', account, api_version: emu.config.apiVersion, created: clock(), data: { object: { id: connect.clientId, object: 'application' } }, livemode: false, type: 'account.application.deauthorized' }
      const payload = JSON.stringify(event, null, 2)
      const header = sh.signHeader(payload, FORGED_SECRET, clock())
      const res = await fetch(`${base}/stripe/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header }, body: payload })
      const answer = await res.text()
      let errorCode = null
      try { errorCode = JSON.parse(answer).error ?? null } catch {}
      const d = sh.diagnoseSignature(payload, header, { secrets: WEBHOOK_SECRET, now: clock() })
      const kept = store.connections[account] !== undefined
      trace.start(session, 'A forged webhook', `Someone who knows the webhook URL posts account.application.deauthorized for ${account}, signed with a secret that is not this endpoint's.`)
      trace.add(session, {
        call: 'verifyWebhook', title: 'Refused', verdict: res.status === 200 ? 'ok' : 'refused',
        what: `The webhook adapter verified the raw body against the endpoint's secret and answered from the library's table (${esc('webhookReply')}). The diagnosis (diagnoseSignature) says why.`,
        rows: [['Sent', `POST /stripe/webhook, ${payload.length} bytes`], ['Stripe-Signature', `t=${esc(header.split(',')[0].slice(2))},v1=[redacted]`], ['Platform answered', `HTTP ${res.status} <code>${esc(answer)}</code>`], ['Refused with', `<code>${esc(errorCode ?? 'none')}</code>`, 'refusal-code'],
          ['Connection', kept ? `${esc(account)} is still connected` : store.connections[account] === undefined && account === emu.config.account.id ? 'no connection of this session to keep' : 'removed']],
        findings: d.findings,
      })
      const title = res.status === 400 ? 'Forged webhook refused' : 'The forged webhook was not refused'
      return { status: 200, page: { kind: 'result', title, main: `<main id="result" data-outcome="${res.status === 400 ? 'rejected' : 'accepted'}"><h1>${esc(title)}</h1><p id="message">The platform answered HTTP ${res.status}${kept ? ' and kept the connection' : ''}.</p><p>Code: <code id="code">${esc(errorCode ?? 'none')}</code></p><p><a href="/">Back</a></p></main>` } }
    },
  }

  trace.tools = `<section class="tools" id="failures"><h2>Try what goes wrong</h2>
<p>Each button makes a request the library must refuse. The panel then shows the refusal, its stable code, and the diagnosis in words.</p>
<form method="post" action="/demo/replay"><button id="fail-replay">Replay the install callback</button></form>
<form method="post" action="/demo/tamper"><button id="fail-tamper">Tamper with account_id</button></form>
<form method="post" action="/demo/other-session"><button id="fail-session">Use a callback from another browser session</button></form>
<form method="post" action="/demo/expire"><button id="fail-expired">Wait past the state's expiry</button></form>
<form method="post" action="/demo/forged-webhook"><button id="fail-webhook">Send a webhook signed with the wrong secret</button></form>
<p>What the platform stored: <a id="store-link" href="/store.json">/store.json</a> (tokens redacted). Stripe's side: <a href="${esc(emu.url)}/">the emulator</a>.</p></section>`

  const server = platform({
    publicUrl: base,
    stripeBase: emu.url,
    app: { linkId: app.linkId, clientId: app.clientId, secret: app.appSecret, secretKey: app.secretKeys.test, testLinkId: app.testLinkId,
      sandbox: { linkId: app.sandbox.linkId, clientId: app.sandbox.clientId, secretKey: app.sandbox.secretKeys.test } },
    connect: { clientId: connect.clientId, secretKey: connect.secretKeys.test },
    webhookSecret: WEBHOOK_SECRET,
    notificationSecret: NOTIFICATION_SECRET,
    stateKey: keys[0].key,
    store,
    exposeStore: true, // GET /store.json shows what the platform stored
    clock,
    trace,
    routes,
  })
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  wire(emu, base)
  return {
    base, emu, store, trace,
    async close() {
      server.closeAllConnections()
      server.close()
      await emu.close()
    },
  }
}
