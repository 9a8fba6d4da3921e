// The Node example platform (bindings-node/examples/server.mjs) in Chromium against the emulator.
import { fileURLToPath } from 'node:url'
import { root, startPlatform } from './harness.mjs'
import { platformScenarios } from './scenarios.mjs'

const start = (emu) => startPlatform(emu, process.execPath, ['examples/server.mjs'], fileURLToPath(new URL('bindings-node/', root)))

platformScenarios('Node platform (bindings-node)', start, {
  foreignSessionCodes: ['state_session_mismatch'],
  foreignConnectCodes: ['state_session_mismatch'],
  replayedConnectCodes: ['state_replayed'],
  consumeCallback: (base, callback) => fetch(callback), // no cookie: a session of its own
})
