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
// One-time: the memory store, as an edge isolate (or a Durable Object) holds it.
const store = new sh.MemoryStore()
const until = Math.floor(Date.now() / 1000) + 60
out.oneTime = [store.consume('state', 'worker_nonce', until), store.consume('state', 'worker_nonce', until)]
try { store.consume('state', 'bad id', until) } catch (e) { out.oneTime.push(e.code) }
postMessage(out)
