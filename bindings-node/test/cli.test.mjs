// `npx stripe-handshake` (cli.mjs, the addon's runCli): the command line as a user runs it, with
// the real `stripe` package as the oracle for what it signs and what it explains.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Stripe from 'stripe'

const CLI = fileURLToPath(new URL('../cli.mjs', import.meta.url))
const stripe = new Stripe('sk_test_cli_only', { maxNetworkRetries: 0 })
const SECRET = 'whsec_cli_node'
const dir = mkdtempSync(join(tmpdir(), 'sh-cli-'))
const file = (name, text) => (writeFileSync(join(dir, name), text), join(dir, name))
// The command line runs on the addon (it reads files and the environment), whichever engine
// the rest of the suite runs on (STRIPE_HANDSHAKE_ENGINE=wasm runs this file too).
const NATIVE = { ...process.env, STRIPE_HANDSHAKE_ENGINE: 'native' }
const run = (args, env = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...NATIVE, ...env } })

const pretty = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1' } } }, null, 2)

test('sign makes a header stripe.webhooks.constructEvent accepts, and only for those bytes', () => {
  const body = file('pretty.json', pretty)
  const t = Math.floor(Date.now() / 1000)
  const header = execFileSync(process.execPath, [CLI, 'sign', '--body', body, '--secret-env', 'SH_SECRET', '--at', String(t)],
    { encoding: 'utf8', env: { ...NATIVE, SH_SECRET: SECRET } }).trim()
  assert.equal(stripe.webhooks.constructEvent(pretty, header, SECRET).id, 'evt_1')
  assert.throws(() => stripe.webhooks.constructEvent(JSON.stringify(JSON.parse(pretty)), header, SECRET), /No signatures found/)
})

test('explain-webhook names the middleware fault behind stripe-node\'s "No signatures found"', () => {
  const t = 1700000000
  const header = stripe.webhooks.generateTestHeaderString({ payload: pretty, secret: SECRET, timestamp: t })
  const ok = run(['explain-webhook', '--body', file('ok.json', pretty), '--header', header, '--secret', SECRET, '--now', String(t)])
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /^verified:/)
  // What express.json() + JSON.stringify(req.body) hands a handler.
  const compact = JSON.stringify(JSON.parse(pretty))
  assert.throws(() => stripe.webhooks.constructEvent(compact, header, SECRET))
  const bad = run(['explain-webhook', '--body', file('compact.json', compact), '--header', header, '--secret', SECRET,
    '--now', String(t), '--json'])
  assert.equal(bad.status, 1)
  const d = JSON.parse(bad.stdout)
  assert.deepEqual(d.findings.map((f) => f.code), ['body_changed'])
  assert.ok(!bad.stdout.includes(SECRET) && !bad.stdout.includes(header.split('v1=')[1]), 'the output shows a secret or the MAC')
})

test('usage errors exit 2 with a message; help exits 0', () => {
  const r = run(['explain-webhook', '--bodyy', 'x'])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /unknown option/)
  assert.equal(run(['emulate', '--port', 'http']).status, 2)
  const h = run(['explain-callback', '--help'])
  assert.equal(h.status, 0)
  assert.match(h.stdout, /--manifest FILE/)
})

test('on the WASM build the command line says it needs the addon and exits 69, and the library still loads', () => {
  const r = run(['help'], { STRIPE_HANDSHAKE_ENGINE: 'wasm' })
  assert.equal(r.status, 69)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /needs the native addon/)
  assert.match(r.stderr, /STRIPE_HANDSHAKE_ENGINE=wasm chose the WASM build; unset it/)
})
