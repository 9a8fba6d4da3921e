// Import cost: repeated process starts, round-robin, against an empty interpreter; and the
// import alone, timed inside each started process (the clock read just before and just after
// the import statement), which the start-up noise of a busy machine does not reach.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const N = Number(process.env.BENCH_STARTS ?? 30)
const root = new URL('..', import.meta.url).pathname
const py = `${root}.venv/bin/python`
// Each case prints how long its import took (ms) on its standard output; the empty ones print nothing.
const cjs = (what) => ['node', ['-e', `const t = process.hrtime.bigint(); require(${JSON.stringify(what)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`]]
const esm = (what) => ['node', ['--input-type=module', '-e', `const t = process.hrtime.bigint(); await import(${JSON.stringify(what)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`]]
const pyImport = (what) => [py, ['-c', `import time; t = time.perf_counter_ns(); import ${what}; print((time.perf_counter_ns() - t) / 1e6, end='')`]]
const cases = [
  { name: 'node (empty)', cmd: ['node', ['-e', '']] },
  { name: "node: require('stripe-handshake')", base: 'node (empty)', cmd: cjs('./bindings-node') },
  { name: "node: require('stripe')", base: 'node (empty)', cmd: cjs('./bindings-node/node_modules/stripe') },
  { name: 'node, ES module (empty)', cmd: ['node', ['--input-type=module', '-e', '']] },
  { name: "node: import 'stripe-handshake'", base: 'node, ES module (empty)', cmd: esm('./bindings-node/index.mjs') },
  { name: "node: import 'stripe'", base: 'node, ES module (empty)', cmd: esm('./bindings-node/node_modules/stripe/esm/stripe.esm.node.js') },
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
  'the whole process start, against an empty interpreter, also carries the start-up noise of the machine.\n',
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
