// One version for everything, the workspace's (Cargo.toml [workspace.package] version):
// the crates inherit it, the Python package reads it through maturin (dynamic version),
// and the npm packages (bindings-node, its per-platform packages, the WASM package, which
// takes bindings-node's) carry a copy this checks.
//   node scripts/release/versions.mjs           fail, listing each file that differs
//   node scripts/release/versions.mjs --write   set them all to the workspace version
import { readFileSync, writeFileSync, readdirSync } from 'node:fs'

const root = new URL('../../', import.meta.url)
const read = (p) => readFileSync(new URL(p, root), 'utf8')
const workspace = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(read('Cargo.toml'))?.[1]
if (!workspace) throw new Error('Cargo.toml: no [workspace.package] version')

const files = ['bindings-node/package.json', ...readdirSync(new URL('bindings-node/npm/', root)).map((d) => `bindings-node/npm/${d}/package.json`)]
const wrong = []
for (const f of files) {
  const json = JSON.parse(read(f))
  const deps = Object.entries(json.optionalDependencies ?? {}).filter(([, v]) => v !== workspace)
  if (json.version === workspace && deps.length === 0) continue
  if (process.argv.includes('--write')) {
    json.version = workspace
    for (const [k] of deps) json.optionalDependencies[k] = workspace
    writeFileSync(new URL(f, root), JSON.stringify(json, null, 2) + '\n')
  } else wrong.push(`${f}: ${json.version}`)
}
// Each platform package's manifest says what npm filters on, as napi-rs names the target: its
// name and file, `os` and `cpu`, and `libc` on Linux only (npm refuses a package that declares
// a libc on any other OS, so a `libc` on Windows or macOS would never be installed).
const main = JSON.parse(read('bindings-node/package.json'))
// (The loader's platforms read from its literal requires: loading it would need a built core.)
const loadable = [...read('bindings-node/native.cjs').matchAll(/require\('stripe-handshake-([a-z0-9-]+)'\)/g)].map((m) => m[1])
const dirs = readdirSync(new URL('bindings-node/npm/', root)).sort()
if (JSON.stringify(dirs) !== JSON.stringify([...loadable].sort()) || main.napi.targets.length !== dirs.length) {
  wrong.push(`bindings-node: napi.targets (${main.napi.targets.length}), npm/ (${dirs.join(', ')}) and native.cjs's platforms (${loadable.join(', ')}) must be the same set`)
}
for (const d of dirs) {
  const m = JSON.parse(read(`bindings-node/npm/${d}/package.json`))
  const [os, cpu, libc] = d.split('-')
  const want = { name: `${main.name}-${d}`, main: `${main.name}.${d}.node`, os: [os], cpu: [cpu], engines: main.engines.node }
  const got = { name: m.name, main: m.main, os: m.os, cpu: m.cpu, engines: m.engines && m.engines.node }
  if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`bindings-node/npm/${d}/package.json: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`)
  const wantLibc = os === 'linux' ? [libc === 'gnu' ? 'glibc' : 'musl'] : undefined
  if (JSON.stringify(m.libc) !== JSON.stringify(wantLibc)) wrong.push(`bindings-node/npm/${d}/package.json: libc ${JSON.stringify(m.libc)}, want ${JSON.stringify(wantLibc)}`)
}
// Every crate inherits the workspace's version; the Python package takes it from its crate.
for (const f of ['core/Cargo.toml', 'cli/Cargo.toml', 'bindings-node/Cargo.toml', 'bindings-python/Cargo.toml', 'bindings-wasm/Cargo.toml']) {
  if (!/\nversion\.workspace = true\n/.test(read(f))) wrong.push(`${f}: does not inherit the workspace version (version.workspace = true)`)
}
const py = read('bindings-python/pyproject.toml')
if (/\nversion = /.test(py) || !/dynamic = \[[^\]]*"version"/.test(py)) wrong.push('bindings-python/pyproject.toml: must take its version from the crate (dynamic = ["version"], no version =)')
if (wrong.length) {
  console.error(`versions: the workspace is at ${workspace}; these differ (node scripts/release/versions.mjs --write fixes the npm ones):\n  ${wrong.join('\n  ')}`)
  process.exit(1)
}
console.log(`versions: ${files.length} package.json files, 5 crates and the Python package at ${workspace}`)
