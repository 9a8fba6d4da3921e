// The WASM package in real headless Chromium (Debian's), from a page served on loopback,
// and inside a module Web Worker with no Node globals: the whole corpus in both.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { chromium } from 'playwright-core'

const root = new URL('../../', import.meta.url)
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' }
const ALLOWED = ['bindings-wasm/pkg/', 'bindings-wasm/site/', 'tests/vectors/']

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '')
    try {
      if (path === 'readme-snippet.html') {
        // The README's browser snippet as it is, with the import map pointed at this checkout.
        const readme = await readFile(new URL('bindings-wasm/README.md', root), 'utf8')
        const html = /<!-- browser-snippet[^>]*-->\n```html\n([\s\S]*?)```/.exec(readme)[1]
        res.writeHead(200, { 'Content-Type': 'text/html' })
        return res.end(`<!doctype html><meta charset="utf-8">${html.replace('/node_modules/stripe-handshake-wasm/', '/bindings-wasm/pkg/')}`)
      }
      if (path === 'vectors-index.json') {
        const files = (await readdir(new URL('tests/vectors/', root))).filter((f) => f.endsWith('.json') && f !== 'error_codes.json' && f !== 'host.json')
        res.writeHead(200, { 'Content-Type': 'application/json' })
        return res.end(JSON.stringify(files.sort()))
      }
      const file = path === '' ? 'bindings-wasm/site/index.html' : path
      if (!ALLOWED.some((p) => file.startsWith(p)) || file.includes('..')) throw new Error('forbidden')
      const body = await readFile(new URL(file, root))
      res.writeHead(200, { 'Content-Type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' })
      res.end(body)
    } catch {
      res.writeHead(404)
      res.end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Debian's Chromium, headless, in a fresh profile (removed by the caller). */
async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'sh-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
  return { profile, context }
}

test('the corpus passes in a Chromium page and in a Web Worker, and the host corpus in the page', async () => {
  const server = await serve()
  const { profile, context } = await launch()
  try {
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.waitForFunction(() => window.__result, null, { timeout: 60_000 })
    const r = await page.evaluate(() => window.__result)
    await page.screenshot({ path: join(tmpdir(), 'stripe-handshake-wasm-browser.png') })
    assert.deepEqual(errors, [])
    assert.equal(r.error, undefined)
    for (const where of ['page', 'worker']) {
      assert.deepEqual(r[where].failures, [], where)
      assert.ok(r[where].total >= 450, `${where}: ${r[where].total}`)
      assert.ok(r[where].skipped.length <= 8)
    }
    assert.deepEqual(r.host.failures, [], 'host corpus in the page')
    assert.ok(r.host.total >= 80, `host corpus: ${r.host.total}`)
    assert.equal(r.worker.noNodeGlobals, true)
    assert.equal(r.worker.deauthorized, 'acct_1')
    assert.deepEqual(r.worker.oneTime, [true, false, 'invalid_argument'], 'the memory store in a Worker')
    assert.match(r.link, /^https:\/\/connect\.stripe\.com\/express\/oauth\/authorize\?response_type=code&client_id=ca_1&redirect_uri=https%3A%2F%2Fplatform\.example%2Fcallback&state=[\w-]{43}$/)
    console.log(`browser: page ${r.page.total - r.page.skipped.length} passed, worker ${r.worker.total - r.worker.skipped.length} passed, host ${r.host.total}`)
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
    server.close()
  }
})

test("the README's browser snippet runs as it is, with no bundler (an import map)", async () => {
  const server = await serve()
  const { profile, context } = await launch()
  try {
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`http://127.0.0.1:${server.address().port}/readme-snippet.html`)
    await page.waitForFunction(() => document.querySelector('#connect').href, null, { timeout: 30_000 })
    const href = await page.locator('#connect').getAttribute('href')
    const state = await page.evaluate(() => sessionStorage.getItem('stripe_oauth_state'))
    assert.deepEqual(errors, [])
    assert.match(state, /^[\w-]{43}$/)
    assert.equal(href, `https://connect.stripe.com/express/oauth/authorize?response_type=code&client_id=ca_32D88BD1qLklliziD7gYQvctJIhWBSQ7&redirect_uri=https%3A%2F%2Fplatform.example%2Fcallback&state=${state}`)
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
    server.close()
  }
})
