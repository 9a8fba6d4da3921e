// The Node example platform (bindings-node/examples/server.mjs) in Chromium against the emulator.
import { fileURLToPath } from 'node:url'
import { freePort, platformEnv, root, spawnPlatform, wire } from './harness.mjs'
import { platformScenarios } from './scenarios.mjs'

platformScenarios('Node platform (bindings-node)', async (emu) => {
  const port = await freePort()
  const platform = await spawnPlatform(process.execPath, ['examples/server.mjs'], {
    cwd: fileURLToPath(new URL('bindings-node/', root)), env: platformEnv(emu, port), port,
  })
  wire(emu, platform.base)
  return platform
}, { foreignSessionCodes: ['state_session_mismatch'], foreignConnectCodes: ['state_session_mismatch'], replayedConnectCodes: ['state_replayed'],
  consumeCallback: (base, callback) => fetch(callback), // no cookie: a session of its own
})
