// A module Web Worker: no DOM, no Node globals, like an edge runtime.
import * as sh from '/bindings-wasm/pkg/index.js'
import { runSuite } from '/tests/vectors/runner.mjs'

const noNodeGlobals = typeof process === 'undefined' && typeof require === 'undefined' && typeof Buffer === 'undefined'
const bytes = await (await fetch('/bindings-wasm/pkg/stripe_handshake_wasm_bg.wasm')).arrayBuffer()
sh.initSync(new WebAssembly.Module(bytes)) // the edge pattern: synchronous start from bytes
const files = await (await fetch('/vectors-index.json')).json()
const out = { total: 0, failures: [], skipped: [], noNodeGlobals }
for (const f of files) {
  const r = runSuite(sh, await (await fetch(`/tests/vectors/${f}`)).json())
  out.total += r.total
  out.failures.push(...r.failures)
  out.skipped.push(...r.skipped)
}
// Synchronous webhook verification with Date.now() underneath.
const body = '{"id":"evt_w","object":"event","type":"account.application.deauthorized","account":"acct_1","livemode":false,"created":1,"data":{"object":{"id":"ca_1","object":"application"}}}'
const header = sh.signHeader(body, 'whsec_worker', Math.floor(Date.now() / 1000))
out.deauthorized = sh.verifyDeauthorization(body, header, { secrets: 'whsec_worker' }).accountId
postMessage(out)
