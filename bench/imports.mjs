// Import cost: repeated process starts, round-robin, against an empty interpreter.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const N = Number(process.env.BENCH_STARTS ?? 30)
const root = new URL('..', import.meta.url).pathname
const py = `${root}.venv/bin/python`
const cases = [
  { name: 'node (empty)', cmd: ['node', ['-e', '']] },
  { name: "node: require('stripe-handshake')", base: 'node (empty)', cmd: ['node', ['-e', "require('./bindings-node')"]] },
  { name: "node: require('stripe')", base: 'node (empty)', cmd: ['node', ['-e', "require('./bindings-node/node_modules/stripe')"]] },
  { name: 'node, ES module (empty)', cmd: ['node', ['--input-type=module', '-e', '']] },
  { name: "node: import 'stripe-handshake'", base: 'node, ES module (empty)', cmd: ['node', ['--input-type=module', '-e', "import './bindings-node/index.mjs'"]] },
  { name: "node: import 'stripe'", base: 'node, ES module (empty)', cmd: ['node', ['--input-type=module', '-e', "import './bindings-node/node_modules/stripe/esm/stripe.esm.node.js'"]] },
  { name: 'python (empty)', cmd: [py, ['-c', 'pass']] },
  { name: 'python: import stripe_handshake', base: 'python (empty)', cmd: [py, ['-c', 'import stripe_handshake']] },
  { name: 'python: import stripe', base: 'python (empty)', cmd: [py, ['-c', 'import stripe']] },
]
// As installed packages run: Python with the bytecode pip compiles at install (a
// PYTHONDONTWRITEBYTECODE in the environment would make every start compile the sources), and
// one untimed start of each case first (it writes that bytecode for the editable build).
const env = { ...process.env }
delete env.PYTHONDONTWRITEBYTECODE
for (const c of cases) {
  c.samples = []
  const r = spawnSync(c.cmd[0], c.cmd[1], { cwd: root, env })
  if (r.status !== 0) throw new Error(`${c.name}: ${r.stderr}`)
}
for (let i = 0; i < N; i++) {
  for (const c of cases) {
    const t = process.hrtime.bigint()
    const r = spawnSync(c.cmd[0], c.cmd[1], { cwd: root, env })
    if (r.status !== 0) throw new Error(`${c.name}: ${r.stderr}`)
    c.samples.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const by = Object.fromEntries(cases.map((c) => [c.name, c]))
const lines = ['\n### Import cost (process start, median of ' + N + ' round-robin starts)\n', '| case | median ms | min | max | median above empty | min above empty |', '| --- | ---: | ---: | ---: | ---: | ---: |']
for (const c of cases) {
  const m = median(c.samples)
  const min = Math.min(...c.samples)
  const base = c.base && by[c.base]
  lines.push(`| ${c.name} | ${m.toFixed(1)} | ${min.toFixed(1)} | ${Math.max(...c.samples).toFixed(1)} | ${base ? (m - median(base.samples)).toFixed(1) + ' ms' : ''} | ${base ? (min - Math.min(...base.samples)).toFixed(1) + ' ms' : ''} |`)
}
const size = JSON.parse(readFileSync(new URL('../bindings-wasm/pkg/size.json', import.meta.url)))
lines.push('\n### WASM module size\n', '| file | bytes |', '| --- | ---: |',
  `| stripe_handshake_wasm_bg.wasm after wasm-bindgen | ${size.beforeOpt} |`,
  `| after wasm-opt -Oz (shipped) | ${size.raw} |`, `| shipped, gzip -9 | ${size.gzip} |`)
console.log(lines.join('\n'))
