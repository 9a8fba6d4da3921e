// The demo's trace: what each step of a flow decided, per browser session, rendered as a panel
// on every page of the example platform (its `trace` option). Each step names the library call
// that did it and shows its inputs and verdict; the explanations come from the library itself
// (verifyStateToken on our own token, verifySignature over the bytes shown, diagnoseCallback and
// diagnoseSignature on a refusal), never from a second implementation of a rule here.
//
// Credentials never reach a page: library results are shown through their own JSON form (the
// binding's schema marks the credential fields and redacts them), request bodies show only
// fields known to be public, and state tokens, codes and signatures are replaced by what they
// are ("[state token, 178 chars]").
import * as sh from '../../../bindings-node/index.mjs'
import { sectionSvg } from './diagram.mjs'

const MAX_STEPS = 40 // per flow: a session that loops on one page cannot grow without bound
const MAX_SESSIONS = 1_000 // the oldest session's trace goes first

/** Query parameters shown as they came; the others are named, never shown. */
const PUBLIC_PARAMS = new Set(['user_id', 'account_id', 'scope', 'livemode', 'error', 'error_description', 'client_id', 'response_type', 'redirect_uri', 'stripe_landing', 'always_prompt', 'stripe_user[email]'])
/** Form fields of Stripe API requests shown as they are; the others are `[redacted]`. */
const PUBLIC_FIELDS = new Set(['grant_type', 'scope', 'client_id', 'stripe_user_id', 'account', 'type', 'collect'])

/** Where a step sits in the README's diagram: its section and messages (matched by their text). */
const PLACES = {
  installLink: ['Install link', ['GET /install', '302 to the install link']],
  connectOAuthLink: ['OAuth (Stripe Apps or Connect)', ['GET /connect', '302 to the authorize link']],
  appsOAuthLink: ['OAuth (Stripe Apps or Connect)', ['302 to the authorize link']],
  verifyInstallCallback: ['Install link', ['consent page', '303 to redirect_uri', 'GET /stripe/install/callback', 'verify_install_callback']],
  verifyOAuthCallback: ['OAuth (Stripe Apps or Connect)', ['consent page', '303 to redirect_uri', 'GET /stripe/oauth/callback', 'verify_oauth_callback']],
  verifyAppCallback: ['OAuth (Stripe Apps or Connect)', ['consent page', '303 to redirect_uri']],
  codeExchangeRequest: ['OAuth (Stripe Apps or Connect)', ['code_exchange_request']],
  parseTokenResponse: ['OAuth (Stripe Apps or Connect)', ['parse_token_response']],
  refreshRequest: ['OAuth (Stripe Apps or Connect)', ['refresh_request']],
  deauthorizeRequest: ['OAuth (Stripe Apps or Connect)', ['deauthorize_request']],
  accountLinkRequest: ['Account Link (Connect onboarding)', ['POST /onboard', 'account_link_request']],
  parseAccountLinkResponse: ['Account Link (Connect onboarding)', ['parse_account_link_response', '302 to the hosted onboarding page']],
  verifyAccountLinkCallback: ['Account Link (Connect onboarding)', ['onboarding: Finish', '303 to return_url', 'GET /stripe/onboarding/return', 'verify_account_link_callback']],
  retrieveAccountRequest: ['Account Link (Connect onboarding)', ['retrieve_account_request']],
  verifyWebhook: ['Webhook', ['POST /stripe/webhook', 'verify_webhook']],
  verifyEventNotification: ['Event notification (thin event)', ['POST /stripe/events', 'verify_event_notification']],
  fetchEventRequest: ['Event notification (thin event)', ['fetch_event_request', 'the event: act on it']],
}

const FLOW_OF_LINK = { installLink: 'install_link', connectOAuthLink: 'connect_oauth', appsOAuthLink: 'apps_oauth' }
const CALL_OF_PATH = {
  '/stripe/install/callback': 'verifyInstallCallback',
  '/stripe/oauth/callback': 'verifyOAuthCallback',
  '/stripe/apps/callback': 'verifyAppCallback',
  '/stripe/onboarding/return': 'verifyAccountLinkCallback',
  '/stripe/onboarding/refresh': 'verifyAccountLinkCallback',
}
const TITLES = {
  installLink: 'Install link', connectOAuthLink: 'Connect OAuth', appsOAuthLink: 'Stripe Apps OAuth', accountLinkRequest: 'Account Link',
  refreshRequest: 'Refresh the access token', deauthorizeRequest: 'Disconnect',
}

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const code = (s) => `<code>${esc(s)}</code>`
const time = (t) => `${new Date(t * 1000).toISOString().replace('.000Z', 'Z')} (${t})`

/** What a credential is, instead of its value. */
function hidden(name, value) {
  if (value === null || value === undefined) return 'none'
  if (name === 'state') return `[state token, ${value.length} chars]`
  if (name === 'install_signature') return `${esc(value.split(',').filter((p) => p.startsWith('t=')).join(',') || 't missing')},v1=[redacted]`
  const prefix = /^(?:sk_test_|sk_live_|rk_test_|rk_live_|rt_|ac_|pk_test_|pk_live_)/.exec(value)?.[0] ?? ''
  return `${esc(prefix)}[redacted]`
}

export class Trace {
  /**
   * `diagram`: the README's (readDiagram); `config`: what the platform was given (keys, the
   * app's signing secret, the webhook secret, its public URL) so that the trace can check and
   * explain; `clock`: the platform's clock.
   */
  constructor({ diagram, keys, appSecret, publicUrl, clock }) {
    this.diagram = diagram
    this.keys = keys
    this.appSecret = appSecret
    this.publicUrl = publicUrl
    this.clock = clock
    this.sessions = new Map() // session -> { flow, last: { install, oauth } }
    this.tools = '' // the home page's failure buttons (set by the demo)
  }

  session(id) {
    let s = this.sessions.get(id)
    if (!s) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value)
      s = { flow: null, last: {} }
      this.sessions.set(id, s)
    }
    return s
  }

  /** Starts a new flow in this session's trace (a link built, a button pressed). */
  start(session, title, note = null) {
    const flow = { title, note, steps: [], marks: new Map() }
    this.session(session).flow = flow
    return flow
  }

  flow(session, title) {
    return this.session(session).flow ?? this.start(session, title)
  }

  /** Adds a step: { call, title, verdict: 'ok'|'refused'|'info', what, rows: [[label, html, id?]], findings? }. */
  add(session, step, place = PLACES[step.call], state = step.verdict === 'refused' ? 'refused' : 'done') {
    const flow = this.flow(session, step.flowTitle ?? step.title)
    if (flow.steps.length >= MAX_STEPS) flow.steps.shift()
    flow.steps.push(step)
    if (place) this.mark(flow, place, state)
  }

  mark(flow, [title, texts], state) {
    const section = this.diagram.sections.find((s) => s.title === title)
    if (!section) throw new Error(`the README's diagram has no section "${title}"`)
    const marks = flow.marks.get(title) ?? new Map()
    for (const t of texts) {
      const m = section.messages.find((x) => x.text.includes(t))
      if (!m) throw new Error(`the README's diagram has no message with "${t}" in "${title}"`)
      // The last message of a refused step is the refusal; the ones before it happened.
      marks.set(m.n, state === 'refused' && t !== texts.at(-1) ? 'done' : state)
    }
    flow.marks.set(title, marks)
  }

  /** The platform's observer (its `trace.record`): one entry of what a step did. */
  record(session, entry) {
    if (session === null) return // a webhook for an account no session holds
    const handlers = { link: this.link, callback: this.callback, refused: this.refused, stripe_call: this.stripeCall, parsed: this.parsed, stored: this.stored, webhook: this.webhook }
    const handler = handlers[entry.step]
    if (!handler) throw new Error(`the demo's trace does not know the step "${entry.step}"`)
    handler.call(this, session, entry)
  }

  link(session, { call, url }) {
    const u = new URL(url)
    if (FLOW_OF_LINK[call]) {
      const s = this.session(session)
      // A button may have opened the flow already (with a note); a link otherwise starts one.
      if (!s.flow || s.flow.steps.length) this.start(session, TITLES[call])
    }
    const rows = [['Link', code(`${u.origin}${u.pathname}`)], ...this.params(u.searchParams)]
    const state = u.searchParams.get('state')
    const decoded = state !== null && FLOW_OF_LINK[call] ? this.decodeState(session, state, FLOW_OF_LINK[call]) : []
    rows.push(...decoded)
    const elsewhere = decoded.some(([, , id]) => id === 'state-binding-other')
    const what = FLOW_OF_LINK[call]
      ? `The browser goes to Stripe with a signed state token bound to ${elsewhere ? 'another' : 'this'} browser session. The redirect URI is on the platform's allow-list (RedirectAllowList).`
      : 'Stripe answered with the hosted onboarding URL; the browser goes there. Its return and refresh URLs carry a signed state token of this session.'
    this.add(session, { call, title: FLOW_OF_LINK[call] ? 'Built the link' : 'Got the onboarding link', verdict: 'ok', what, rows })
  }

  /** The state token this platform issued, read back by the library (the nonce is not consumed). */
  decodeState(session, token, flow) {
    try {
      const v = sh.verifyStateToken(token, { keys: this.keys, sessionId: session, flow, now: this.clock(), replay: 'unchecked' })
      return [
        ['State token', `${esc(token.length)} chars, read back with ${code('verifyStateToken')}`],
        ['Version', code(v.version), 'state-version'],
        ['Key id', code(v.keyId)],
        ['Issued at', esc(time(v.issuedAt))],
        ['Expires', `${esc(time(v.expiresAt))}, ${esc(v.expiresAt - v.issuedAt)} s after issue`, 'state-expiry'],
        ['Flow', code(v.flow)],
        ['Session', 'bound to this browser session (a MAC of the session id, not stored)', 'state-binding'],
        ...(v.mode ? [['Mode', code(v.mode)]] : []),
      ]
    } catch (e) {
      if (e.code === 'state_session_mismatch') return [['Session', '<strong>bound to another browser session</strong>: the callback will not pass here', 'state-binding-other']]
      return [['State token', `does not verify here: ${code(e.code)}`]]
    }
  }

  params(search) {
    return [...search].map(([k, v]) => [code(k), PUBLIC_PARAMS.has(k) ? code(v) : hidden(k, v)])
  }

  callback(session, { call, query, result }) {
    const flow = this.flow(session, 'Callback')
    const q = new URLSearchParams(query)
    const s = this.session(session)
    if (call === 'verifyInstallCallback' || call === 'verifyOAuthCallback') s.last[call === 'verifyInstallCallback' ? 'install' : 'oauth'] = query
    const shown = JSON.parse(JSON.stringify(result)) // the library's own redacted form
    const rows = [['Callback query', 'as received, credentials hidden'], ...this.params(q)]
    if (result.outcome === 'denied') {
      this.add(session, { call, title: 'The user said no', verdict: 'info', what: `Stripe came back with ${code(result.kind ?? 'access_denied')}: ${call} reports it; nothing is stored.`, rows })
      return
    }
    if (call === 'verifyInstallCallback' && result.outcome === 'installed') rows.push(...this.installSignature(q, result))
    rows.push(...this.stateVerdict(result))
    const fields = Object.entries(shown).filter(([k]) => !k.startsWith('state') && k !== 'outcome' && k !== 'timestamp' && k !== 'secretIndex')
    rows.push(['Result', `${code(shown.outcome)}: ${fields.map(([k, v]) => `${esc(k)} ${code(v)}`).join(', ')}`])
    this.add(session, { call, title: 'Checked the callback', verdict: 'ok', what: call === 'verifyInstallCallback' ? 'install_signature first (HMAC, then the time window), then the state.' : 'The state is Connect OAuth\'s only CSRF defence: it must be this session\'s, for this flow, unexpired and unused.', rows })
    void flow
  }

  /** The exact bytes Stripe signed, checked again here with verifySignature over those bytes. */
  installSignature(q, result) {
    const state = q.get('state')
    // The library's own builder of the signed bytes (JSON.stringify's exact output).
    const signed = sh.installPayload({ state, userId: q.get('user_id'), accountId: q.get('account_id') })
    const bytes = new TextEncoder().encode(signed)
    let check
    try {
      const v = sh.verifySignature(bytes, q.get('install_signature'), { secrets: this.appSecret, now: this.clock() })
      check = `verifySignature over exactly these ${bytes.length} bytes: verified with secret #${v.secretIndex}`
    } catch (e) {
      check = `verifySignature over these bytes: ${code(e.code)}`
    }
    const shownBytes = state === null ? signed : signed.replace(JSON.stringify(state), `"${hidden('state', state)}"`)
    const now = this.clock()
    const t = result.timestamp
    return [
      ['Signed bytes', `${code(shownBytes)}<br><small>JSON.stringify({state, user_id, account_id}) as ${code('installPayload')} builds it: no spaces, keys in that order (the state shown by its length only). ${esc(check)}.</small>`, 'signed-bytes'],
      ['install_signature', `${esc(hidden('install_signature', q.get('install_signature')))}: HMAC-SHA256 of ${code('t + "." + bytes')}, compared in constant time`],
      ['Window', `|now − t| = |${now} − ${t}| = ${Math.abs(now - t)} s ≤ 300 s`, 'window'],
      ['Secret', `secret #${esc(result.secretIndex)} of the app's signing secrets (absec_[redacted]) matched`, 'secret-index'],
    ]
  }

  stateVerdict(r) {
    if (r.stateOutcome === 'signed') {
      const left = r.stateExpiresAt - this.clock()
      return [
        ['State', `signed, this session's, this flow's, expires in ${left} s`, 'state-verdict'],
        ['Nonce', `consumed in the one-time store until ${esc(time(r.stateExpiresAt))}: a second use is refused (${code('state_replayed')})`],
      ]
    }
    return [['State', esc(r.stateOutcome), 'state-verdict']]
  }

  refused(session, { path, query, code: errorCode, message }) {
    const call = CALL_OF_PATH[path] ?? path
    this.flow(session, 'Refused')
    const rows = [['Refused with', code(errorCode), 'refusal-code'], ['Message', esc(message)]]
    let findings = []
    if (CALL_OF_PATH[path]) {
      rows.push(['Callback query', 'as received, credentials hidden'], ...this.params(new URLSearchParams(query)))
      const d = sh.diagnoseCallback(`${this.publicUrl}${path}${query}`, { secrets: this.appSecret, stateKeys: this.keys, sessionId: session, now: this.clock() })
      findings = d.findings
      if (errorCode === 'state_replayed') {
        findings = [...findings, { code: 'one_time_store', message: 'the signature and the state token are valid, but the store had already consumed this state\'s nonce', action: 'a reload, a back button or a replayed URL: start the flow again' }]
      }
    }
    this.add(session, { call, title: 'Refused', verdict: 'refused', what: `${call} refused the request. The page shows the stable code; the diagnosis below (${code('diagnoseCallback')}) says why, in words.`, rows, findings })
  }

  stripeCall(session, { call, request, status }) {
    if (TITLES[call] && !['codeExchangeRequest', 'retrieveAccountRequest', 'fetchEventRequest'].includes(call)) this.start(session, TITLES[call])
    const rows = [['Request', code(`${request.method} ${request.url}`)]]
    for (const [k, v] of Object.entries(request.headers)) {
      const secret = k.toLowerCase() === 'authorization'
      rows.push([code(k), secret ? code(`${v.split(' ')[0]} [redacted]`) : code(v)])
    }
    if (request.body) {
      const form = new URLSearchParams(request.body)
      rows.push(['Form', [...form].map(([k, v]) => `${code(k)}=${PUBLIC_FIELDS.has(k) ? code(v) : code('[redacted]')}`).join(' ')])
    }
    rows.push(['Response', `HTTP ${esc(status)}`])
    this.add(session, { call, title: 'Called Stripe', verdict: status === 200 ? 'ok' : 'refused', what: `${code(call)} built the request (no I/O in the library); the platform sent it with fetch.`, rows })
  }

  parsed(session, { call, result }) {
    const shown = JSON.parse(JSON.stringify(result))
    const rows = Object.entries(shown).map(([k, v]) => [esc(k), code(v)])
    this.add(session, { call, title: 'Read the answer', verdict: 'ok', what: `${code(call)} checked the answer's shape and types; tokens stay on the server.`, rows })
  }

  stored(session, { what, account }) {
    this.add(session, { call: 'store', title: `Stored the ${what}`, verdict: 'ok', what: `The platform now holds ${code(account)} for this session (see ${'<a href="/store.json">/store.json</a>'}, tokens redacted).`, rows: [] }, null)
  }

  webhook(session, { call, event }) {
    const now = this.clock()
    const rows = [['Event', code(event.id)], ['Type', code(event.type)], ['Account', code(event.account ?? event.context ?? 'none')],
      ['Window', `|now − t| = |${now} − ${event.timestamp}| = ${Math.abs(now - event.timestamp)} s ≤ 300 s`], ['Secret', `secret #${esc(event.secretIndex)} of the endpoint's signing secrets (whsec_[redacted]) matched`]]
    this.add(session, { call, title: call === 'verifyWebhook' ? 'Webhook verified' : 'Event notification verified', verdict: 'ok', what: 'Stripe-Signature checked over the raw body (HMAC, then |now − t| ≤ 300 s); the event id is acted on once (the one-time store).', rows })
  }

  /** The panel for a page of this session: the current flow's steps and the diagram. */
  render(session, page) {
    const s = this.sessions.get(session)
    const flow = s?.flow
    const tools = page.kind === 'home' ? this.tools : ''
    if (!flow) {
      const pictures = this.diagram.sections.slice(0, 2).map((sec) => `<figure><figcaption>${esc(sec.title)}</figcaption>${sectionSvg(this.diagram, sec)}</figure>`).join('')
      return `<aside id="trace" class="trace"><style>${TRACE_CSS}</style>${tools}<h2>What the library checks</h2><p>Start a flow: each step will show here, with the library call that did it and what it decided.</p>${pictures}</aside>`
    }
    const pictures = [...flow.marks].map(([title, marks]) => {
      const sec = this.diagram.sections.find((x) => x.title === title)
      return `<figure><figcaption>${esc(title)}</figcaption>${sectionSvg(this.diagram, sec, marks)}</figure>`
    }).join('')
    const steps = flow.steps.map((st, i) => `<li class="step ${st.verdict}" data-call="${esc(st.call)}"><div class="head"><span class="n">${i + 1}</span> <strong>${esc(st.title)}</strong> <code class="call">${esc(st.call)}</code> <span class="verdict">${{ ok: 'passed', refused: 'refused', info: 'noted' }[st.verdict]}</span></div>
<p class="what">${st.what}</p>${st.rows.length ? `<dl>${st.rows.map(([k, v, id]) => `<dt>${k}</dt><dd${id ? ` id="${id}"` : ''}>${v}</dd>`).join('')}</dl>` : ''}${st.findings?.length ? `<p class="diagnosis">Diagnosis</p><ul class="findings">${st.findings.map((f) => `<li data-code="${esc(f.code)}">${code(f.code)} ${esc(f.message)}. <em>${esc(f.action)}</em></li>`).join('')}</ul>` : ''}</li>`).join('')
    const note = flow.note ? `<p class="note">${esc(flow.note)}</p>` : ''
    // On the home page the buttons come first; the last flow's trace follows.
    return `<aside id="trace" class="trace"><style>${TRACE_CSS}</style>${tools}<h2>What was checked: ${esc(flow.title)}</h2>${note}${pictures}<ol class="steps">${steps}</ol></aside>`
  }
}

/** The panel's look, added to the platform's stylesheet by the demo. */
export const TRACE_CSS = `.trace{border-left:1px solid var(--line);padding-left:2rem}@media (max-width:900px){.trace{border-left:0;padding-left:0;border-top:1px solid var(--line);padding-top:1rem}}
.trace h2{margin-top:0}.trace figure{margin:0 0 1rem;overflow-x:auto}.trace figcaption{font-size:.85rem;color:var(--muted);margin-bottom:.25rem}.sequence{width:100%;min-width:560px;height:auto;display:block}.diagnosis{margin:.6rem 0 0;font-weight:600;font-size:.9rem}
.steps{list-style:none;padding:0;margin:0}.step{border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px;padding:.75rem 1rem;margin:0 0 .75rem}
.step.refused{border-left-color:var(--bad)}.step.info{border-left-color:var(--muted)}.step .head{display:flex;flex-wrap:wrap;gap:.4rem;align-items:baseline}
.step .n{font-size:.8rem;color:var(--muted)}.step .verdict{margin-left:auto;font-size:.8rem;font-weight:600;color:var(--ok);text-transform:uppercase;letter-spacing:.04em}.step.refused .verdict{color:var(--bad)}.step.info .verdict{color:var(--muted)}
.step .what{margin:.35rem 0;color:var(--muted);font-size:.92rem}.step dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem .8rem;margin:.5rem 0 0;font-size:.9rem}
.step dt{color:var(--muted)}.step dd{margin:0;overflow-wrap:anywhere}@media (max-width:520px){.step dl{grid-template-columns:minmax(0,1fr)}.step dd{margin-bottom:.4rem}}
.findings{margin:.5rem 0 0;padding-left:1.1rem;font-size:.9rem}.findings em{color:var(--muted)}.note{background:#fff8e6;border:1px solid #f5d38a;border-radius:6px;padding:.5rem .75rem}
.tools{margin-bottom:1.5rem}.tools h2{margin-top:0}.tools form{display:inline}.tools p{color:var(--muted);font-size:.9rem}`
