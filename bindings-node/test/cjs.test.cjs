// CommonJS consumers get the same module as ESM ones.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const sh = require('..')

test('require() works and exposes the API', async () => {
  assert.equal(typeof sh.verifyWebhook, 'function')
  assert.equal(typeof sh.dangerous.verifyIgnoringTolerance, 'function')
  const esm = await import('stripe-handshake')
  assert.equal(esm.verifyWebhook, sh.verifyWebhook)
  assert.equal(esm.default, sh)
})

test('require() loads two files of the package and no ES module (the import-cost budget)', () => {
  const { spawnSync } = require('node:child_process')
  const script = `
    const before = new Set(Object.keys(require.cache))
    require(${JSON.stringify(require.resolve('..'))})
    const loaded = Object.keys(require.cache).filter((f) => !before.has(f) && !f.includes('node_modules'))
    console.log(JSON.stringify(loaded.map((f) => require('node:path').basename(f))))`
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const files = JSON.parse(r.stdout).filter((f) => f !== 'package.json')
  // The bundle, the loader and the core it loaded (the addon, or the WASM glue and its module).
  assert.deepEqual(files.slice(0, 2), ['index.cjs', 'native.cjs'])
  assert.ok(files.slice(2).every((f) => f.endsWith('.node') || f.startsWith('stripe_handshake_wasm')), files.join())
  assert.ok(!files.some((f) => f.endsWith('.mjs')), `ES modules loaded: ${files.join()}`)
})

test('index.cjs is the bundle of the wrapper modules as they are now', async () => {
  const { pathToFileURL } = require('node:url')
  const { readFileSync } = require('node:fs')
  const { buildSync } = require('esbuild')
  const dir = pathToFileURL(require('node:path').join(__dirname, '..') + '/')
  const { bundle } = await import(new URL('scripts/gen-wrapper.mjs', dir))
  const [out] = buildSync({ ...bundle(dir), write: false }).outputFiles
  assert.equal(out.text, readFileSync(new URL('index.cjs', dir), 'utf8'), 'index.cjs is stale: run node scripts/gen-wrapper.mjs')
})
