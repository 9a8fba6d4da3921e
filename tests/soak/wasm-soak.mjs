// The WASM build under long runs: separate Node processes, each making millions of mixed calls
// (valid and invalid signatures, strings and bytes, 100 B to 256 KiB bodies, malformed
// headers, whole events), so a crash of V8 itself (a signal, not an exception) is seen.
//
//   node tests/soak/wasm-soak.mjs [--calls N] [--runs R] [--package fallback|wasm] [-- NODE_FLAGS...]
//
// --package fallback  the Node package on its WASM engine (STRIPE_HANDSHAKE_ENGINE=wasm): what
//                     a platform without an addon runs (default)
// --package wasm      the WASM package (bindings-wasm/pkg) started with initSync
// Prints one summary line; exits 1 if any run died or any call gave a wrong answer.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const calls = Number(opt('--calls', '3000000'))
const runs = Number(opt('--runs', '8'))
const pkg = opt('--package', 'fallback')
// --shape mixed: one loop, each call's case drawn at random (polymorphic call sites);
// --shape loops: each case in its own generated loop, in batches (monomorphic, as a benchmark)
const shape = opt('--shape', 'mixed')
const nodeFlags = args.includes('--') ? args.slice(args.indexOf('--') + 1) : []

if (args.includes('--child')) await child(Number(opt('--seed', '1')))
else await parent()

async function parent() {
  const self = fileURLToPath(import.meta.url)
  const started = Date.now()
  const results = []
  let next = 0
  async function worker() {
    while (next < runs) {
      const seed = ++next
      results.push(await new Promise((resolve) => {
        const p = spawn(process.execPath, [...nodeFlags, self, '--child', '--seed', String(seed), '--calls', String(calls), '--package', pkg, '--shape', shape],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRIPE_HANDSHAKE_ENGINE: pkg === 'fallback' ? 'wasm' : process.env.STRIPE_HANDSHAKE_ENGINE } })
        let out = ''
        let err = ''
        p.stdout.on('data', (d) => { out += d })
        p.stderr.on('data', (d) => { err += d })
        p.on('close', (code, signal) => resolve({ seed, code, signal, out: out.trim(), err: err.trim().split('\n').slice(0, 3).join(' | ') }))
      }))
    }
  }
  await Promise.all([worker(), worker()]) // two cores
  const died = results.filter((r) => r.signal || r.code !== 0)
  const secs = ((Date.now() - started) / 1000).toFixed(0)
  for (const d of died) console.error(`run ${d.seed}: ${d.signal ?? `exit ${d.code}`}: ${d.err}`)
  console.log(`${runs} runs x ${calls.toLocaleString('en')} calls on Node ${process.version} (${pkg}, ${shape}${nodeFlags.length ? ' ' + nodeFlags.join(' ') : ''}): ${runs - died.length} finished, ${died.length} died, ${secs} s`)
  process.exitCode = died.length ? 1 : 0
}

async function child(seed) {
  let sh
  if (pkg === 'wasm') {
    sh = await import('../../bindings-wasm/pkg/index.js')
    sh.initSync(readFileSync(new URL('../../bindings-wasm/pkg/stripe_handshake_wasm_bg.wasm', import.meta.url)))
  } else {
    sh = await import('../../bindings-node/index.mjs')
    if (sh.engine !== 'wasm') throw new Error(`the soak runs on the WASM engine, not ${sh.engine}`)
  }
  let x = seed * 2654435761 >>> 0 // xorshift32: the mix differs per run, repeatably
  const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x }
  const secret = 'whsec_soak'
  const now = 1_700_000_000
  const body = (n) => JSON.stringify({ id: `evt_${n}`, object: 'event', created: 1_700_000_000, livemode: false, api_version: '2025-01-27.acacia', type: 'account.application.deauthorized', data: { object: { id: 'ca_1', pad: 'x'.repeat(Math.max(0, n - 110)) } } })
  const bodies = [100, 1000, 16_384, 262_144].map((n) => { const s = body(n); return { s, b: new TextEncoder().encode(s), h: sh.signHeader(s, secret, now) } })
  const verifier = new sh.Verifier(secret)
  const other = sh.signHeader(bodies[0].s, 'whsec_other', now)
  // Signed at the real clock, for the calls that leave `now` out (the default clock); re-signed
  // when a minute old (checked between batches: the loops never yield to timers), so it stays
  // inside the 300 s tolerance however long the run.
  let live
  let signedAt = 0
  const fresh = () => { if (Date.now() - signedAt > 60_000) { signedAt = Date.now(); live = sh.signHeader(bodies[0].s, secret, Math.floor(signedAt / 1000)) } }
  fresh()
  const buf = Buffer.from(bodies[0].s)
  let wrong = 0
  const expect = (cond) => { if (!cond) { wrong++; if (process.env.SOAK_DEBUG) console.error(new Error().stack.split("\n")[2]) } }
  if (shape === 'loops') {
    const cases = [
      () => expect(verifier.check(bodies[0].s, bodies[0].h, now) === null),
      () => expect(verifier.check(bodies[0].b, bodies[0].h, now) === null),
      () => expect(verifier.check(bodies[0].s, other, now) === 'signature_mismatch'),
      () => expect(verifier.verify(bodies[1].b, bodies[1].h, now).timestamp === now),
      () => { try { verifier.verify(bodies[0].s + ' ', bodies[0].h, now); wrong++ } catch (e) { expect(e.code === 'signature_mismatch') } },
      () => expect(verifier.tryVerify(bodies[0].s, 't=1,v1=zz', now).ok === false),
      () => expect(verifier.check(bodies[0].s, live) === null),
      () => expect(sh.verifyWebhook(bodies[0].b, bodies[0].h, { secrets: secret, now }).id === 'evt_100'),
      () => expect(sh.verifySignature(buf, bodies[0].h, { secrets: [secret, 'whsec_old'], now, tolerance: 600 }).timestamp === now),
      () => expect(verifier.check(bodies[2].b, bodies[2].h, now) === null),
    ]
    // One generated function per case, so each loop's call site sees one callee.
    const loops = cases.map(() => new Function('f', 'n', 'for (let i = 0; i < n; i++) f(i)'))
    const batch = 10_000
    // (the 16 KiB case runs a hundredth of a batch; `done` counts the calls made)
    for (let done = 0, c = 0; done < calls; c = (c + 1) % cases.length) {
      const n = c === 9 ? batch / 100 : batch
      fresh()
      loops[c](cases[c], n)
      done += n
    }
    console.log(JSON.stringify({ seed, calls, wrong }))
    if (wrong) process.exitCode = 2
    return
  }
  for (let i = 0; i < calls; i++) {
    if ((i & 0xffff) === 0) fresh()
    const r = rand()
    // Mostly small bodies; a large one now and then, as real traffic.
    const k = r % 1000 === 0 ? 3 : r % 100 === 0 ? 2 : r % 10 === 0 ? 1 : 0
    const { s, b, h } = bodies[k]
    switch ((r >>> 10) % 12) {
      case 0: expect(verifier.check(s, h, now) === null); break
      case 1: expect(verifier.check(b, h, now) === null); break
      case 2: expect(verifier.check(k === 0 ? s : b, other, now) === (k === 0 ? 'signature_mismatch' : 'signature_mismatch')); break
      case 3: expect(verifier.verify(b, h, now).timestamp === now); break
      case 4: try { verifier.verify(s + ' ', h, now); wrong++ } catch (e) { expect(e.code === 'signature_mismatch') } break
      case 5: expect(verifier.tryVerify(s, 't=1,v1=zz', now).ok === false); break
      case 6: expect(verifier.check(s, h, now + 10_000) === 'timestamp_too_old'); break
      case 8: expect(verifier.check(bodies[0].s, live) === null); break
      case 9: expect(verifier.check(buf, h === bodies[0].h ? h : bodies[0].h, now) === null); break
      case 10: expect(sh.verifySignature(buf, bodies[0].h, { secrets: [secret, 'whsec_old'], now, tolerance: 600 }).timestamp === now); break
      default: if (k < 2) expect(sh.verifyWebhook(b, h, { secrets: secret, now }).id === `evt_${[100, 1000][k]}`); else expect(verifier.check(b, h, now) === null)
    }
  }
  console.log(JSON.stringify({ seed, calls, wrong }))
  if (wrong) process.exitCode = 2
}
