// Which core runs (native.cjs): the addon, or the WASM build of the same core where none
// loads. `just test-node` runs every test file twice, once per engine.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sh from '../index.mjs'

const require = createRequire(import.meta.url)
const pkg = fileURLToPath(new URL('..', import.meta.url))

test('the engine is the one asked for, and the addon by default where it is built', () => {
  const wanted = process.env.STRIPE_HANDSHAKE_ENGINE || 'native'
  assert.equal(sh.engine, wanted)
  assert.equal(require('../native.cjs').engine, wanted)
  assert.equal(require('..').engine, wanted)
})

test("napi-rs's platform names, glibc before musl and msvc before gnu", () => {
  const { platformNames } = require('../native.cjs')
  assert.deepEqual(platformNames('linux', 'x64'), ['linux-x64-gnu', 'linux-x64-musl'])
  assert.deepEqual(platformNames('linux', 'arm64'), ['linux-arm64-gnu', 'linux-arm64-musl'])
  assert.deepEqual(platformNames('darwin', 'arm64'), ['darwin-arm64'])
  assert.deepEqual(platformNames('win32', 'x64'), ['win32-x64-msvc', 'win32-x64-gnu'])
  assert.deepEqual(platformNames('aix', 'ppc64'), [])
})

// The loader alone in a directory with no addon next to it and no platform package to find.
function bare() {
  const dir = mkdtempSync(join(tmpdir(), 'sh-engine-'))
  copyFileSync(join(pkg, 'native.cjs'), join(dir, 'native.cjs'))
  cpSync(join(pkg, 'wasm'), join(dir, 'wasm'), { recursive: true })
  return dir
}
const load = (dir, engine) => spawnSync(process.execPath, ['-e', "const l = require('./native.cjs'); console.log(l.engine, typeof l.native.schema)"],
  { cwd: dir, encoding: 'utf8', env: { ...process.env, STRIPE_HANDSHAKE_ENGINE: engine } })

test('with no addon to load, the WASM build runs, unasked', () => {
  const r = load(bare(), '')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'wasm function')
})

test('STRIPE_HANDSHAKE_ENGINE=native with no addon fails, naming what was tried and what to do', () => {
  const r = load(bare(), 'native')
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /ERR_STRIPE_HANDSHAKE_NO_ADDON/)
  assert.match(r.stderr, new RegExp(`stripe-handshake-${process.platform}-${process.arch}`))
  assert.match(r.stderr, /--include=optional/)
})

test('an unknown STRIPE_HANDSHAKE_ENGINE is refused, not read as the default', () => {
  const r = load(bare(), 'WASM')
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /must be "native", "wasm" or unset/)
})
