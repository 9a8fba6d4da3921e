// Errors are real Error subclasses with stable codes; panics become errors; secrets stay hidden.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import * as sh from '../index.mjs'

test('each family has its class, and every error is a StripeHandshakeError with a code', () => {
  const cases = [
    [() => sh.verifySignature('x', 't=1,v1=' + '0'.repeat(64), { secrets: 'whsec_x', now: 1 }), sh.SignatureVerificationError, 'signature_mismatch'],
    [() => sh.checkPlainState('abc', null), sh.StateError, 'state_missing'],
    [() => new sh.RedirectAllowList(['https://a.example/']).check('https://b.example/'), sh.RedirectError, 'redirect_uri_not_allowed'],
    [() => sh.parseTokenResponse(400, '{"error":"invalid_grant","error_description":"used"}'), sh.OAuthError, 'oauth_error'],
    [() => sh.parseSecretKey('pk_test_1'), sh.InvalidInputError, 'invalid_api_key'],
    [() => sh.verifyOAuthCallback('state=x', { flow: 'connect_oauth', expectedState: 'x' }), sh.MalformedInputError, 'missing_parameter'],
    [() => new sh.Verifier('whsec_x', { tolerance: 0 }), sh.InvalidInputError, 'invalid_tolerance'],
    [() => sh.verifySignature(42, 't=1', { secrets: 'whsec_x' }), sh.InvalidInputError, 'invalid_argument'],
  ]
  for (const [fn, Cls, code] of cases) {
    assert.throws(fn, (e) => e instanceof Cls && e instanceof sh.StripeHandshakeError && e.code === code && e.name === Cls.name && typeof e.stack === 'string')
    assert.ok(sh.ERROR_CODES.includes(code))
  }
  try {
    sh.parseTokenResponse(400, '{"error":"invalid_grant","error_description":"This authorization code has already been used."}')
  } catch (e) {
    assert.equal(e.error, 'invalid_grant')
    assert.equal(e.oauthKind, 'invalid_grant')
    assert.equal(e.errorDescription, 'This authorization code has already been used.')
  }
  try {
    new sh.RedirectAllowList(['https://a.example/', 'http://b.example/'])
  } catch (e) {
    assert.equal(e.code, 'invalid_redirect_config')
    assert.equal(e.index, 1)
  }
})

test('no secret appears in messages, inspect output or JSON', () => {
  const secret = 'whsec_do_not_print_me'
  const header = sh.signHeader('{}', secret, 1000)
  try {
    sh.verifySignature('{} ', header, { secrets: secret, now: 1000 })
    assert.fail('should throw')
  } catch (e) {
    assert.ok(!e.message.includes(secret) && !inspect(e).includes(secret))
    assert.ok(!e.message.includes(header.split('v1=')[1]), 'the expected MAC must not leak')
  }
  const verifier = new sh.Verifier(secret)
  assert.ok(!inspect(verifier).includes(secret))
  const req = sh.codeExchangeRequest({ provider: 'connect', secretKey: 'sk_test_do_not_print', code: 'ac_1' })
  const b64 = Buffer.from('sk_test_do_not_print:').toString('base64')
  assert.equal(req.headers.Authorization, `Basic ${b64}`) // usable
  assert.ok(!inspect(req, { depth: 5 }).includes(b64) && !JSON.stringify(req).includes(b64))
  // ...and still a plain record for fetch: the redaction hooks are not own keys.
  assert.deepEqual(Reflect.ownKeys(req.headers), ['Authorization', 'Content-Type'])
  const sent = new Request(req.url, { method: req.method, headers: req.headers, body: req.body })
  assert.equal(sent.headers.get('authorization'), `Basic ${b64}`)
  assert.equal(sent.headers.get('content-type'), 'application/x-www-form-urlencoded')
  const tok = sh.parseTokenResponse(200, '{"access_token":"sk_test_tok","refresh_token":"rt_tok","token_type":"bearer","stripe_user_id":"acct_1"}')
  assert.equal(tok.accessToken, 'sk_test_tok')
  assert.ok(!inspect(tok).includes('sk_test_tok') && !JSON.stringify(tok).includes('rt_tok'))
})

test('tolerance is required to be positive and defaults to 300 s', () => {
  const h = sh.signHeader('{}', 'whsec_x', 1000)
  assert.equal(sh.verifySignature('{}', h, { secrets: 'whsec_x', now: 1300 }).timestamp, 1000)
  assert.throws(() => sh.verifySignature('{}', h, { secrets: 'whsec_x', now: 1301 }), { code: 'timestamp_too_old' })
  for (const tolerance of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => sh.verifySignature('{}', h, { secrets: 'whsec_x', now: 1000, tolerance }), { code: 'invalid_tolerance' })
  }
})

test('the fast path never throws', () => {
  const v = new sh.Verifier(['whsec_new', 'whsec_old'])
  const h = sh.signHeader('{}', 'whsec_old', 1000)
  assert.deepEqual(v.tryVerify('{}', h, 1000), { ok: true, timestamp: 1000, secretIndex: 1, code: null, message: null })
  const bad = v.tryVerify('{ }', h, 1000)
  assert.equal(bad.ok, false)
  assert.equal(bad.code, 'signature_mismatch')
  assert.equal(v.tryVerify('{}', 'garbage', 1000).code, 'malformed_header')
  assert.equal(v.check('{}', h, 1000), null)
  assert.equal(v.check('{ }', h, 1000), 'signature_mismatch')
  assert.equal(v.check('{}', h, 5000), 'timestamp_too_old')
})

test('every exported function and method of the addon catches unwinds', async () => {
  const { readFileSync } = await import('node:fs')
  const src = readFileSync(new URL('../src/lib.rs', import.meta.url), 'utf8')
  const exports = [...src.matchAll(/#\[napi(\([^)]*\))?\]\s*(?:#\[[^\]]*\]\s*)*pub fn (\w+)/g)]
  assert.ok(exports.length >= 8, `found ${exports.length}`) // schema, runCli, invoker, the two constructors, verifierBind and two verifier methods
  const missing = exports.filter((m) => !(m[1] ?? '').includes('catch_unwind')).map((m) => m[2])
  assert.deepEqual(missing, [])
})

test('RedirectAllowList methods behave as JS functions: usable as callbacks, extra arguments ignored', () => {
  const list = new sh.RedirectAllowList(['https://a.example/cb', 'https://b.example/cb'])
  assert.equal(['https://a.example/cb', 'https://b.example/cb'].every(list.check, list), true)
  assert.deepEqual(['https://b.example/cb'].map(list.check.bind(list)), ['https://b.example/cb'])
  assert.equal(list.check.name, 'check')
  assert.throws(() => list.check('https://a.example/cb/'), (e) => e instanceof sh.RedirectError && e.code === 'redirect_uri_not_allowed')
  const entries = list.entries
  entries.push('https://evil.example/')
  assert.deepEqual(list.entries, ['https://a.example/cb', 'https://b.example/cb'])
})
