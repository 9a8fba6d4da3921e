// The Python example platform (bindings-python/examples/flask_app.py) in Chromium against the emulator.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { freePort, platformEnv, root, spawnPlatform, wire } from './harness.mjs'
import { platformScenarios } from './scenarios.mjs'

const venv = fileURLToPath(new URL('.venv/bin/python', root))
const python = process.env.PYTHON ?? (existsSync(venv) ? venv : 'python3')

platformScenarios('Python platform (bindings-python)', async (emu) => {
  const port = await freePort()
  const platform = await spawnPlatform(python, ['examples/flask_app.py'], {
    cwd: fileURLToPath(new URL('bindings-python/', root)), env: platformEnv(emu, port), port,
  })
  wire(emu, platform.base)
  return platform
}, { foreignSessionCodes: ['state_session_mismatch'], foreignConnectCodes: ['state_session_mismatch'], replayedConnectCodes: ['state_replayed'],
  consumeCallback: (base, callback) => fetch(callback), // no cookie: a session of its own
})
