// Hostile requests against every example platform (Node, Python, edge) and the emulator, as the
// internet sends them: bodies far over the cap (streamed, and announced), malformed queries and
// bodies, cross-origin posts, a DNS-rebinding Host, bad test-hook arguments. Each gets a 4xx
// (never a 500 or a crash), memory stays bounded, and the server still answers afterwards.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { emulator, root, startPlatform } from './harness.mjs'

const venv = fileURLToPath(new URL('.venv/bin/python', root))
const PLATFORMS = [
  ['Node', process.execPath, ['examples/server.mjs'], 'bindings-node/'],
  ['Python', process.env.PYTHON ?? (existsSync(venv) ? venv : 'python3'), ['examples/flask_app.py'], 'bindings-python/'],
  ['edge', process.execPath, ['examples/edge/serve.mjs'], 'bindings-wasm/'],
]
const MiB = 1 << 20

/** Resident memory of a process, in bytes (Linux). */
const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024

/**
 * Sends `total` bytes as fast as the server takes them (chunked, or with the length announced
 * up front) and resolves with the status, or 'reset' when the server cut the connection first.
 */
function flood(url, { total, announce = false, headers = {} }) {
  return new Promise((resolve) => {
    const u = new URL(url)
    const h = { 'Content-Type': 'application/json', ...headers }
    if (announce) h['Content-Length'] = String(total)
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers: h })
    let status = null
    req.on('response', (res) => { status = res.statusCode; res.resume(); res.on('end', () => resolve(status)) })
    req.on('error', () => resolve(status ?? 'reset'))
    const chunk = Buffer.alloc(256 * 1024, 0x61)
    let sent = 0
    const pump = () => {
      while (sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

/** A raw request line and headers, for what fetch() refuses to send. */
function raw(url, lines) {
  return new Promise((resolve) => {
    const u = new URL(url)
    const req = request({ host: u.hostname, port: u.port, path: lines.path, method: lines.method ?? 'GET', headers: lines.headers ?? {}, setHost: !lines.headers?.Host })
    req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)) })
    req.on('error', () => resolve('reset'))
    req.end(lines.body)
  })
}

let emu
before(async () => { emu = await emulator() })
after(async () => { await emu.close() })

for (const [name, cmd, args, dir] of PLATFORMS) {
  test(`${name} platform: hostile requests get a 4xx, memory stays bounded, and it still answers`, async () => {
    const platform = await startPlatform(emu, cmd, args, fileURLToPath(new URL(dir, root)))
    try {
      const base = platform.base
      const pid = platform.child.pid
      const before = rss(pid)
      // 1. A 256 MiB webhook body, streamed without a length: refused at the cap (Werkzeug's
      //    development server does not read chunked bodies at all: a 400 for the empty body).
      const refused = (s, chunked) => s === 413 || s === 'reset' || (chunked && name === 'Python' && s === 400)
      const streamed = await flood(`${base}/stripe/webhook`, { total: 256 * MiB })
      assert.ok(refused(streamed, true), `streamed: ${streamed}`)
      // 2. The same announced in Content-Length: refused before it is read.
      const announced = await flood(`${base}/stripe/webhook`, { total: 256 * MiB, announce: true })
      assert.ok(refused(announced, false), `announced: ${announced}`)
      // A form post over the cap (the edge used to read forms without one), both ways.
      for (const announce of [false, true]) {
        const form = await flood(`${base}/connections/refresh`, { total: 64 * MiB, announce, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base } })
        assert.ok(refused(form, !announce), `form (announced: ${announce}): ${form}`)
      }
      const grown = rss(pid) - before
      assert.ok(grown < 64 * MiB, `${name} grew by ${(grown / MiB).toFixed(0)} MiB on bodies it refused`)
      // 3. Malformed input: typed refusals, never a 500.
      const statuses = {
        webhookGarbage: (await fetch(`${base}/stripe/webhook`, { method: 'POST', body: '{not json', headers: { 'Stripe-Signature': 't=1,v1=00' } })).status,
        webhookNoSignature: (await fetch(`${base}/stripe/webhook`, { method: 'POST', body: '{}' })).status,
        eventsGarbage: (await fetch(`${base}/stripe/events`, { method: 'POST', body: '\u0000\u0001', headers: { 'Stripe-Signature': 'garbage' } })).status,
        badPercent: (await fetch(`${base}/stripe/install/callback?user_id=usr_1&state=%zz`)).status,
        notUtf8: (await fetch(`${base}/stripe/install/callback?user_id=%ff%fe&account_id=acct_1&install_signature=t%3D1`)).status,
        hugeQuery: (await fetch(`${base}/stripe/install/callback?state=${'a'.repeat(60_000)}`)).status,
        duplicateState: (await fetch(`${base}/stripe/install/callback?user_id=usr_1&account_id=acct_1&state=a&state=b`)).status,
        crossOrigin: (await fetch(`${base}/connections/refresh`, { method: 'POST', body: 'account=acct_1', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' } })).status,
        absoluteTarget: await raw(base, { path: 'http://[::1' }),
      }
      for (const [what, status] of Object.entries(statuses)) {
        assert.ok(status === 'reset' || (status >= 400 && status < 500), `${name} ${what}: ${status}`)
      }
      if (name === 'edge') {
        const api = (body) => fetch(`${base}/api/connect/exchange`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Origin: base } })
        // The edge's OAuth callback is a page that posts the query here.
        for (const body of ['{', '[]', '{"query": 5}', 'null', '{"query": "?code=ac_1&state=%zz"}', '{"query": "?code=a&state=x&state=y"}']) {
          assert.equal((await api(body)).status, 400, body)
        }
      }
      // 4. Still up, and nothing was stored from any of it.
      const store = await (await fetch(`${base}/store.json`)).json()
      assert.deepEqual([store.events.length, Object.keys(store.connections).length, store.usedNonces], [0, 0, 0])
      assert.equal(platform.child.exitCode, null, `${name} exited:\n${platform.output()}`)
    } finally {
      await platform.stop()
    }
  })
}

test('the emulator: test hooks only for loopback and this origin, arguments checked, bodies capped, Bearer keys', async () => {
  const port = new URL(emu.url).port
  const now = (await (await fetch(`${emu.url}/_emulator/log`)).json()).now
  // A DNS-rebinding page reaches the emulator under its own host name: no log, no tokens.
  assert.equal(await raw(emu.url, { path: '/_emulator/log', headers: { Host: `rebind.example:${port}` } }), 403)
  assert.equal(await raw(emu.url, { path: '/_emulator/advance?seconds=60', method: 'POST', headers: { Host: `rebind.example:${port}` } }), 403)
  // A page of another site posting to the hooks (a form, or fetch with no-cors).
  assert.equal((await fetch(`${emu.url}/_emulator/advance?seconds=60`, { method: 'POST', headers: { Origin: 'http://evil.example' } })).status, 403)
  assert.equal((await fetch(`${emu.url}/_emulator/advance?seconds=60`, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } })).status, 403)
  for (const seconds of ['abc', '-5', '1e9', '', '1.5', '9999999999']) {
    assert.equal((await fetch(`${emu.url}/_emulator/advance?seconds=${seconds}`, { method: 'POST' })).status, 400, seconds)
  }
  assert.equal((await fetch(`${emu.url}/_emulator/uninstall?account=${encodeURIComponent('acct_1<script>')}`, { method: 'POST' })).status, 400)
  assert.equal((await fetch(`${emu.url}/_emulator/uninstall?client_id=ca_other`, { method: 'POST' })).status, 400)
  const after = await (await fetch(`${emu.url}/_emulator/log`)).json()
  assert.ok(Number.isFinite(after.now) && after.now - now < 5, 'the clock did not move')
  // The accept twins: loopback, no foreign origin, a whole number.
  assert.equal((await fetch(`${emu.url}/_emulator/advance?seconds=0`, { method: 'POST', headers: { Origin: emu.url } })).status, 200)
  assert.equal(await raw(emu.url, { path: '/_emulator/log', headers: { Host: `localhost:${port}` } }), 200)
  // Bodies over 64 KiB: a 413, streamed or announced.
  for (const announce of [false, true]) {
    const s = await flood(`${emu.url}/oauth/token`, { total: 32 * MiB, announce, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    assert.ok(s === 413 || s === 'reset', String(s))
  }
  // Stripe takes the secret key as Bearer too (what stripe-node and stripe-python send).
  const key = emu.config.platform.secretKeys.test
  const bearer = await fetch(`${emu.url}/oauth/token`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=ac_unknown' })
  assert.deepEqual([bearer.status, (await bearer.json()).error], [400, 'invalid_grant'], 'authenticated, then the code is refused')
  const none = await fetch(`${emu.url}/oauth/token`, { method: 'POST', headers: { Authorization: 'Bearer ' }, body: 'grant_type=authorization_code&code=x' })
  assert.equal(none.status, 401)
  // Still up.
  assert.equal((await fetch(`${emu.url}/_emulator/log`)).status, 200)
})
