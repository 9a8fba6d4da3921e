// Runs the edge platform locally, the way `wrangler dev` or `deno serve` would: node:http in,
// Request/Response to createPlatform, static files (app.js and the WASM package) beside it.
// Run after `just build-wasm`: PORT=8787 STRIPE_APP_SECRET=absec_… … node examples/edge/serve.mjs
import { createServer } from 'node:http'
import { readFile, readdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import * as sh from '../../pkg/index.js'
import { createPlatform } from './platform.mjs'

const pkg = new URL('../../pkg/', import.meta.url)
sh.initSync(await readFile(new URL('stripe_handshake_wasm_bg.wasm', pkg)))
const env = {
  ...process.env,
  STATE_KEY_HEX: process.env.STATE_KEY_HEX ?? randomBytes(32).toString('hex'),
  SESSION_KEY_HEX: process.env.SESSION_KEY_HEX ?? randomBytes(32).toString('hex'),
}
const port = Number(env.PORT ?? 8787)
env.PUBLIC_URL ??= `http://127.0.0.1:${port}`
const platform = createPlatform(sh, env)

const STATIC = {
  '/app.js': [new URL('app.js', import.meta.url), 'text/javascript'],
  '/pkg/index.js': [new URL('index.js', pkg), 'text/javascript'],
  '/pkg/api.mjs': [new URL('api.mjs', pkg), 'text/javascript'],
  '/pkg/errors.mjs': [new URL('errors.mjs', pkg), 'text/javascript'],
  '/pkg/stores.mjs': [new URL('stores.mjs', pkg), 'text/javascript'],
  '/pkg/adapters.mjs': [new URL('adapters.mjs', pkg), 'text/javascript'],
  '/pkg/flows.mjs': [new URL('flows.mjs', pkg), 'text/javascript'],
  '/pkg/stripe_handshake_wasm.js': [new URL('stripe_handshake_wasm.js', pkg), 'text/javascript'],
  '/pkg/stripe_handshake_wasm_bg.wasm': [new URL('stripe_handshake_wasm_bg.wasm', pkg), 'application/wasm'],
}
// The glue imports its JS snippets (pkg/snippets/<crate>-<hash>/*.js): each file there, listed
// once at start, so that no request path reaches the file system.
for (const f of await readdir(new URL('snippets/', pkg), { recursive: true })) {
  if (f.endsWith('.js')) STATIC[`/pkg/snippets/${f}`] = [new URL(`snippets/${f}`, pkg), 'text/javascript']
}

createServer(async (req, res) => {
  // A request Node accepted but the web APIs cannot represent (a malformed target or header)
  // gets a 400, never an unhandled rejection that takes the server down.
  let request, path
  try {
    path = new URL(req.url, 'http://x').pathname
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Readable.toWeb(req)
    request = new Request(new URL(req.url, env.PUBLIC_URL), { method: req.method, headers: req.headers, body, duplex: 'half' })
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' })
    return res.end('Bad request')
  }
  if (STATIC[path]) {
    res.writeHead(200, { 'Content-Type': STATIC[path][1] })
    return res.end(await readFile(STATIC[path][0]))
  }
  const response = await platform.fetch(request)
  // Refused for its size: answer, then drop the connection instead of reading the rest.
  if (response.status === 413) response.headers.set('Connection', 'close')
  res.writeHead(response.status, [...response.headers].flat())
  res.end(Buffer.from(await response.arrayBuffer()), () => { if (response.status === 413) req.destroy() })
}).listen(port, '127.0.0.1', () => console.log(`edge platform on ${env.PUBLIC_URL}/`))
