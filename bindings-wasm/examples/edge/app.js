// The browser side of Connect OAuth with the WASM package: the edge's signed state is kept in this
// tab's sessionStorage, the authorize link is built and checked in WASM, and on the way back a
// constant-time state check runs before the callback goes to the edge function (which checks the
// state again, authoritatively, and exchanges the code).
import * as sh from '/pkg/index.js'

const KEY = 'stripe-handshake:connect-state'
const step = document.querySelector('script[data-step]').dataset.step

function show(outcome, title, text, code) {
  const main = document.createElement('main')
  main.id = 'result'
  main.dataset.outcome = outcome
  const h1 = document.createElement('h1')
  h1.textContent = title
  const p = document.createElement('p')
  p.id = 'message'
  p.textContent = text // never innerHTML: error_description is untrusted
  main.append(h1, p)
  if (code) {
    const c = document.createElement('p')
    c.innerHTML = 'Code: <code id="code"></code>'
    c.querySelector('code').textContent = code
    main.append(c)
  }
  const back = document.createElement('p')
  back.innerHTML = '<a href="/">Back</a>'
  document.body.replaceChildren(main, back)
}

async function connect() {
  const config = await (await fetch('/api/connect/start')).json()
  const allow = new sh.RedirectAllowList([config.redirectUri], { testMode: config.redirectUri.startsWith('http:') })
  const state = config.state // signed by the edge and bound to this session
  sessionStorage.setItem(KEY, state)
  location.assign(sh.connectOAuthLink({
    clientId: config.clientId, accountType: 'standard', scope: 'read_write', redirectUri: config.redirectUri, state,
    baseUrl: config.stripeBase ?? undefined,
  }, allow))
}

async function callback() {
  const expected = sessionStorage.getItem(KEY)
  sessionStorage.removeItem(KEY) // one use: a replayed callback finds no state
  // Without a stored state this tab never started a connection: refuse before looking further.
  if (expected === null) return show('rejected', 'Request refused', 'This tab did not start a connection.', 'state_missing')
  const r = sh.verifyOAuthCallback(location.search, { flow: 'connect_oauth', expectedState: expected })
  if (r.outcome === 'denied') return show('denied', 'Connection declined', `Stripe said: ${r.kind}. Nothing was connected.`)
  const res = await fetch('/api/connect/exchange', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: location.search }) })
  const body = await res.json()
  if (!res.ok) return show('rejected', 'Request refused', body.message, body.code)
  show('connected', 'Stripe account connected', `Connected ${body.account} with scope ${body.scope}.`)
}

try {
  await sh.init()
  await (step === 'connect' ? connect() : callback())
} catch (e) {
  show('rejected', 'Request refused', e.message, e.code ?? 'error')
}
