// Import cost: repeated process starts, round-robin, against an empty interpreter; and the
// import alone, timed inside each started process (the clock read just before and just after
// the import statement), which the start-up noise of a busy machine does not reach.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const N = Number(process.env.BENCH_STARTS ?? 30)
const root = new URL('..', import.meta.url).pathname
const py = `${root}.venv/bin/python`
// Node runs as an application does: a main script in a directory whose node_modules holds
// the packages (links to this checkout's), importing each by its name. The first package a
// process imports costs Node a one-time setup of its package loader, whatever the package (the
// one-line `first-package` case measures it); an application pays it once, so each script
// imports that package first, untimed, and then times the import. The clock stops before
// anything is printed: `process.stdout` is made on first use (about 2.5 ms here). Each case
// prints how long its import took (ms); the empty ones print nothing (but make `process.stdout`
// too, so that process starts compare).
const app = mkdtempSync(join(tmpdir(), 'sh-import-bench-'))
mkdirSync(join(app, 'node_modules', 'first-package'), { recursive: true })
writeFileSync(join(app, 'node_modules', 'first-package', 'package.json'), JSON.stringify({
  name: 'first-package', version: '1.0.0', exports: { '.': { require: './index.cjs', import: './index.mjs' } },
}))
writeFileSync(join(app, 'node_modules', 'first-package', 'index.cjs'), 'module.exports = 1\n')
writeFileSync(join(app, 'node_modules', 'first-package', 'index.mjs'), 'export default 1\n')
symlinkSync(`${root}bindings-node`, join(app, 'node_modules', 'stripe-handshake'))
symlinkSync(`${root}bindings-node/node_modules/stripe`, join(app, 'node_modules', 'stripe'))
writeFileSync(join(app, 'app.cjs'), `const what = process.argv[2]
if (what !== 'first-package') require('first-package')
if (what) {
  const t = process.hrtime.bigint()
  require(what)
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  process.stdout.write(String(ms))
} else process.stdout.write('')
`)
writeFileSync(join(app, 'app.mjs'), `const what = process.argv[2]
if (what !== 'first-package') await import('first-package')
if (what) {
  const t = process.hrtime.bigint()
  await import(what)
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  process.stdout.write(String(ms))
} else process.stdout.write('')
`)
process.on('exit', () => rmSync(app, { recursive: true, force: true }))
const cjs = (what) => ['node', [join(app, 'app.cjs'), ...(what ? [what] : [])]]
const esm = (what) => ['node', [join(app, 'app.mjs'), ...(what ? [what] : [])]]
const pyImport = (what) => [py, ['-c', `import time; t = time.perf_counter_ns(); import ${what}; print((time.perf_counter_ns() - t) / 1e6, end='')`]]
const cases = [
  { name: 'node (the app, empty)', cmd: cjs() },
  { name: "node: require('first-package'), one line: Node's loader setup", base: 'node (the app, empty)', cmd: cjs('first-package') },
  { name: "node: require('stripe-handshake')", base: 'node (the app, empty)', cmd: cjs('stripe-handshake') },
  { name: "node: require('stripe')", base: 'node (the app, empty)', cmd: cjs('stripe') },
  { name: 'node, ES module (the app, empty)', cmd: esm() },
  { name: "node: import 'first-package', one line: Node's loader setup", base: 'node, ES module (the app, empty)', cmd: esm('first-package') },
  { name: "node: import 'stripe-handshake'", base: 'node, ES module (the app, empty)', cmd: esm('stripe-handshake') },
  { name: "node: import 'stripe'", base: 'node, ES module (the app, empty)', cmd: esm('stripe') },
  { name: 'python (empty)', cmd: [py, ['-c', 'pass']] },
  { name: 'python: import stripe_handshake', base: 'python (empty)', cmd: pyImport('stripe_handshake') },
  { name: 'python: import stripe', base: 'python (empty)', cmd: pyImport('stripe') },
]
// As installed packages run: Python with the bytecode pip compiles at install (a
// PYTHONDONTWRITEBYTECODE in the environment would make every start compile the sources), and
// one untimed start of each case first (it writes that bytecode for the editable build).
const env = { ...process.env }
delete env.PYTHONDONTWRITEBYTECODE
const start = (c) => {
  const r = spawnSync(c.cmd[0], c.cmd[1], { cwd: root, env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${c.name}: ${r.stderr}`)
  return r.stdout
}
for (const c of cases) {
  c.samples = []
  c.inner = []
  start(c)
}
for (let i = 0; i < N; i++) {
  for (const c of cases) {
    const t = process.hrtime.bigint()
    const out = start(c)
    c.samples.push(Number(process.hrtime.bigint() - t) / 1e6)
    if (c.base) c.inner.push(Number(out))
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const by = Object.fromEntries(cases.map((c) => [c.name, c]))
const lines = ['\n### Import cost (median of ' + N + ' round-robin process starts)\n',
  'The import timed inside the process (the clock around the import statement) is the import cost itself; ' +
  'the whole process start, against an empty interpreter, also carries the start-up noise of the machine. ' +
  "Node's cases run as an application's main script that has imported one package already (Node sets up its " +
  "package loader on the first, whatever it is: the `first-package` rows), as bench/imports.mjs says.\n",
  '| case | import, in process: median ms | min | max | process start: median ms | min | max | median above empty |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
for (const c of cases) {
  const base = c.base && by[c.base]
  const inner = base ? `${median(c.inner).toFixed(1)} | ${Math.min(...c.inner).toFixed(1)} | ${Math.max(...c.inner).toFixed(1)}` : ' | | '
  const m = median(c.samples)
  lines.push(`| ${c.name} | ${inner} | ${m.toFixed(1)} | ${Math.min(...c.samples).toFixed(1)} | ${Math.max(...c.samples).toFixed(1)} | ${base ? (m - median(base.samples)).toFixed(1) + ' ms' : ''} |`)
}
const size = JSON.parse(readFileSync(new URL('../bindings-wasm/pkg/size.json', import.meta.url)))
lines.push('\n### WASM module size\n', '| file | bytes |', '| --- | ---: |',
  `| stripe_handshake_wasm_bg.wasm after wasm-bindgen | ${size.beforeOpt} |`,
  `| after wasm-opt -Oz (shipped) | ${size.raw} |`, `| shipped, gzip -9 | ${size.gzip} |`)
console.log(lines.join('\n'))
