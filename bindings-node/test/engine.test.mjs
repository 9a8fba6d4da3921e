// Which core runs (native.cjs): the addon, or the WASM build of the same core where none
// loads. `just test-node` runs every test file twice, once per engine.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs'
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

test("the loader's platforms are napi.targets, glibc before musl; others try none", () => {
  const { platformNames } = require('../native.cjs')
  assert.deepEqual(platformNames('linux', 'x64'), ['linux-x64-gnu', 'linux-x64-musl'])
  assert.deepEqual(platformNames('linux', 'arm64'), ['linux-arm64-gnu', 'linux-arm64-musl'])
  assert.deepEqual(platformNames('darwin', 'arm64'), ['darwin-arm64'])
  assert.deepEqual(platformNames('win32', 'x64'), ['win32-x64-gnu'])
  for (const [os, cpu] of [['win32', 'arm64'], ['freebsd', 'x64'], ['linux', 's390x'], ['aix', 'ppc64']]) assert.deepEqual(platformNames(os, cpu), [])
  const built = new Set(Object.entries({ linux: ['x64', 'arm64'], darwin: ['x64', 'arm64'], win32: ['x64'] }).flatMap(([os, cpus]) => cpus.flatMap((c) => platformNames(os, c))))
  const targets = require('../package.json').napi.targets
  assert.equal(built.size, targets.length)
})

// The loader alone in a directory with no addon next to it and no platform package to find.
function bare() {
  const dir = mkdtempSync(join(tmpdir(), 'sh-engine-'))
  copyFileSync(join(pkg, 'native.cjs'), join(dir, 'native.cjs'))
  copyFileSync(join(pkg, 'package.json'), join(dir, 'package.json'))
  cpSync(join(pkg, 'wasm'), join(dir, 'wasm'), { recursive: true })
  return dir
}
const load = (dir, engine) => spawnSync(process.execPath, ['-e', "const l = require('./native.cjs'); console.log(l.engine, typeof l.native.schema)"],
  { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '', STRIPE_HANDSHAKE_ENGINE: engine } })
const [here] = createRequire(import.meta.url)('../native.cjs').platformNames()

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

test('a damaged addon is reported under =native and falls back to WASM otherwise', { skip: !here }, () => {
  const dir = bare()
  writeFileSync(join(dir, `stripe-handshake.${here}.node`), 'not an ELF, Mach-O or PE file')
  const r = load(dir, '')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'wasm function')
  const n = load(dir, 'native')
  assert.notEqual(n.status, 0)
  assert.match(n.stderr, new RegExp(`\\./stripe-handshake\\.${here}\\.node: (?!not installed)`))
})

test('a platform package of another version is never loaded', { skip: !here }, () => {
  const dir = bare()
  const other = join(dir, 'node_modules', `stripe-handshake-${here}`)
  mkdirSync(other, { recursive: true })
  writeFileSync(join(other, 'package.json'), JSON.stringify({ name: `stripe-handshake-${here}`, version: '0.0.1', main: 'index.js' }))
  writeFileSync(join(other, 'index.js'), "throw new Error('the stale platform package ran')")
  const r = load(dir, '')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'wasm function')
  const n = load(dir, 'native')
  assert.match(n.stderr, new RegExp(`stripe-handshake-${here}: version 0\\.0\\.1, not `))
  assert.doesNotMatch(n.stderr, /the stale platform package ran/)
})
