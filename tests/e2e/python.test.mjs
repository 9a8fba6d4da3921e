// The Python example platform (bindings-python/examples/flask_app.py) in Chromium against the emulator.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { root, startPlatform } from './harness.mjs'
import { platformScenarios } from './scenarios.mjs'

const venv = fileURLToPath(new URL('.venv/bin/python', root))
const python = process.env.PYTHON ?? (existsSync(venv) ? venv : 'python3')

const start = (emu) => startPlatform(emu, python, ['examples/flask_app.py'], fileURLToPath(new URL('bindings-python/', root)))

platformScenarios('Python platform (bindings-python)', start, {
  foreignSessionCodes: ['state_session_mismatch'],
  foreignConnectCodes: ['state_session_mismatch'],
  replayedConnectCodes: ['state_replayed'],
  consumeCallback: (base, callback) => fetch(callback), // no cookie: a session of its own
})
