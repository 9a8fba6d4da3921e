// The edge example platform (bindings-wasm/examples/edge): an edge function and a page, both on
// the WASM build, in Chromium against the emulator.
import { fileURLToPath } from 'node:url'
import { root, startPlatform } from './harness.mjs'
import { platformScenarios } from './scenarios.mjs'

const start = (emu) => startPlatform(emu, process.execPath, ['examples/edge/serve.mjs'], fileURLToPath(new URL('bindings-wasm/', root)))

platformScenarios('Edge platform and page (bindings-wasm)', start, {
  foreignSessionCodes: ['state_session_mismatch'],
  foreignConnectCodes: ['state_missing'],
  replayedConnectCodes: ['state_missing'],
  // The edge takes the callback from its page as JSON; a caller with no session cookie of the victim.
  consumeCallback: (base, callback) => fetch(`${base}/api/connect/exchange`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: base }, body: JSON.stringify({ query: new URL(callback).search }),
  }),
})
