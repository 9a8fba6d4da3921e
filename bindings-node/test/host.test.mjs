// The host-level corpus (tests/vectors/host.json) through a JavaScript package: the Node
// addon (bindings-wasm/test/corpus.test.mjs runs it through the WASM package).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { runHostSuite } from '../../tests/vectors/host-runner.mjs'

import * as sh from '../index.mjs'

const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/host.json', import.meta.url), 'utf8'))

test(`host corpus (node)`, async () => {
  const r = await runHostSuite(sh, doc, { inspect })
  assert.deepEqual(r.failures, [])
  assert.ok(r.total >= 80, `only ${r.total} cases`)
})

test('a code exchange from the authorized record: the code keeps its provider and its state\'s mode', async () => {
  const apps = sh.verifyOAuthCallback('code=ac_AppsCode&state=s', { flow: 'apps_oauth', expectedState: 's' })
  const connect = sh.verifyOAuthCallback('code=ac_ConnectCode&state=s', { flow: 'connect_oauth', expectedState: 's' })
  assert.equal(sh.codeExchangeRequest({ authorization: apps, secretKey: 'sk_test_1' }).url, 'https://api.stripe.com/v1/oauth/token')
  assert.equal(sh.codeExchangeRequest({ authorization: connect, secretKey: 'sk_test_1' }).url, 'https://connect.stripe.com/oauth/token')
  assert.match(sh.codeExchangeRequest({ authorization: apps, secretKey: 'sk_test_1' }).body, /code=ac_AppsCode/)
  // Reject twins: a provider beside it, a denial, a live key for a state that says sandbox.
  assert.throws(() => sh.codeExchangeRequest({ authorization: apps, provider: 'connect', secretKey: 'sk_test_1' }), { code: 'invalid_argument' })
  const denied = sh.verifyOAuthCallback('error=access_denied', { flow: 'apps_oauth', expectedState: 's' })
  assert.throws(() => sh.codeExchangeRequest({ authorization: denied, secretKey: 'sk_test_1' }), { code: 'invalid_argument' })
  const keys = [{ id: 'k1', key: new Uint8Array(32).fill(3) }]
  const state = sh.issueStateToken({ keys, flow: 'apps_oauth', sessionId: 's1', mode: 'sandbox' })
  const sandbox = await sh.verifyOAuthCallback(`code=ac_1&state=${state}`, { flow: 'apps_oauth', stateKeys: keys, sessionId: 's1', store: new sh.MemoryStore() })
  assert.equal(sandbox.stateMode, 'sandbox')
  assert.throws(() => sh.codeExchangeRequest({ authorization: sandbox, secretKey: 'sk_live_1' }), { code: 'key_mode_mismatch' })
  assert.equal(sh.codeExchangeRequest({ authorization: sandbox, secretKey: 'sk_test_1' }).method, 'POST')
})
