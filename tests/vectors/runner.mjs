// The cross-language corpus runner for JavaScript hosts (Node, the WASM build in Node, a
// browser page, a Web Worker): no host APIs beyond TextEncoder. `sh` is the package under test.
const hex = (s) => {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16)
  return out
}
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const utf8Hex = (s) => toHex(new TextEncoder().encode(s))
const payload = (i) => (i.payload != null ? i.payload : hex(i.payload_hex))
const keys = (list) => list.map((k) => ({ id: k.id, key: hex(k.key_hex) }))
const opt = (v) => (v === null ? undefined : v)

function stateOptions(c) {
  if (c.mode === 'plain') return { expectedState: c.expected }
  // The corpus checks the state; one-time use is the stores' (tested with them), so it says so.
  if (c.mode === 'signed') return { stateKeys: keys(c.keys), sessionId: hex(c.session_id_hex), replay: 'unchecked' }
  if (c.mode === 'none') return {}
  return { allowStateless: true }
}
const marketplace = (i) => ({ ...(i.marketplace == null ? {} : { marketplace: i.marketplace }), ...(i.replay == null ? {} : { replay: i.replay }) })

function callbackResult(r) {
  const out = { outcome: r.outcome }
  if (r.outcome === 'denied') return { ...out, error: r.error, kind: r.kind, description: r.description ?? null }
  if (r.outcome === 'marketplace_install') {
    return { ...out, user_id: r.userId, account_id: r.accountId, livemode: r.livemode ?? null, signed_form: r.signedForm, timestamp: r.timestamp, secret_index: r.secretIndex }
  }
  if (r.outcome === 'marketplace_authorized') {
    return { ...out, code: r.code, user_id: r.userId, account_id: r.accountId, provider: r.provider, code_id: r.codeId, code_expires_at: r.codeExpiresAt }
  }
  if (r.outcome === 'authorized' && r.userId !== undefined) {
    Object.assign(out, { code: r.code, user_id: r.userId, account_id: r.accountId, provider: r.provider })
  } else if (r.outcome === 'installed') {
    Object.assign(out, {
      user_id: r.userId, account_id: r.accountId, state: r.state ?? null, livemode: r.livemode ?? null,
      timestamp: r.timestamp, secret_index: r.secretIndex,
    })
  } else {
    Object.assign(out, { code: r.code, scope: r.scope ?? null, provider: r.provider })
  }
  out.state_outcome = r.stateOutcome
  if (r.stateOutcome === 'signed') Object.assign(out, { state_nonce: r.stateNonce, state_data: r.stateData ?? null, state_mode: r.stateMode ?? null })
  return out
}

const request = (r) => ({ method: r.method, url: r.url, headers: Object.entries(r.headers), body: r.body })
// Header values are strings, never null (an optional header is absent).
const apiRequest = (r) => {
  for (const v of Object.values(r.headers)) if (typeof v !== 'string') throw new Error('a header value is not a string')
  return { method: r.method, url: r.url, headers: Object.entries(r.headers) }
}
const notification = (n) => ({
  id: n.id, type: n.type, created: n.created, created_rfc3339: n.createdRfc3339, livemode: n.livemode, context: n.context ?? null,
  related_object: n.relatedObject == null ? null : { id: n.relatedObject.id ?? null, type: n.relatedObject.type, url: n.relatedObject.url },
  snapshot_event: n.snapshotEvent ?? null, raw: n.raw, timestamp: n.timestamp, secret_index: n.secretIndex,
})
const sig = (v) => ({ timestamp: v.timestamp, secret_index: v.secretIndex })

function ops(sh) {
  // The one-shot operation `name` and the prepared verifier's method of that name must agree:
  // the same record (every field, in the same order) or the same error (class, code, message).
  // In the Node addon the method's record crosses by another transport (bindings-node/src/fast/verifier.rs).
  const prepared = (i, name) => {
    const run = (f) => { try { return { ok: f() } } catch (e) { return { e } } }
    const one = run(() => sh[name](payload(i), i.header, { secrets: i.secrets, now: i.now, tolerance: i.tolerance }))
    const method = run(() => new sh.Verifier(i.secrets, { tolerance: i.tolerance })[name](payload(i), i.header, i.now))
    const shown = (r) => (r.e ? `${r.e.constructor.name} ${r.e.code} ${r.e.message}` : JSON.stringify(r.ok))
    if (shown(one) !== shown(method)) throw new Error(`Verifier.${name} differs from ${name}: ${shown(method)} vs ${shown(one)}`)
    if (one.e) throw one.e
    return one.ok
  }
  return {
  hmac_sha256: (i) => ({ mac_hex: toHex(sh.hmacSha256(hex(i.key_hex), hex(i.msg_hex)).subarray(0, i.truncate_bits / 8)) }),
  verify_hmac_sha256: (i) => (sh.verifyHmacSha256(hex(i.key_hex), hex(i.msg_hex), hex(i.tag_hex)), {}),
  verify_signature: (i) => sig(sh.verifySignature(payload(i), i.header, { secrets: i.secrets, now: i.now, tolerance: i.tolerance })),
  verify_ignoring_tolerance: (i) => sig(sh.dangerous.verifyIgnoringTolerance(payload(i), i.header, i.secrets)),
  sign_header: (i) => ({ header: sh.signHeader(i.payload, i.secret, i.t) }),
  install_payload: (i) => ({
    payload_hex: utf8Hex(sh.installPayload({ userId: i.user_id, accountId: i.account_id, state: i.state_form === 'value' ? i.state : undefined, nullState: i.state_form === 'null' })),
  }),
  check_redirect: (i) => ({ uri: new sh.RedirectAllowList(i.allow_list, { testMode: i.mode === 'test' }).check(i.requested) }),
  redirect_allow_list: (i) => ({ default_uri: new sh.RedirectAllowList(i.entries, { testMode: i.mode === 'test' }).defaultUri }),
  parse_manifest: (i) => {
    const m = sh.parseManifest(i.json, { testMode: i.mode === 'test' })
    return { id: m.id, stripe_api_access_type: m.stripeApiAccessType ?? null, distribution_type: m.distributionType ?? null, redirect_uris: m.redirectUris, default_uri: m.redirectUris[0] }
  },
  install_link: (i) => ({ url: sh.installLink({ linkId: i.link_id, redirectUri: opt(i.redirect_uri), state: opt(i.state), baseUrl: opt(i.base_url) }, new sh.RedirectAllowList(i.allow_list, { testMode: i.mode === 'test' })) }),
  apps_oauth_link: (i) => ({
    url: sh.appsOAuthLink({ clientId: i.client_id, redirectUri: opt(i.redirect_uri), state: opt(i.state), testLinkId: opt(i.test_link_id), baseUrl: opt(i.base_url), mode: opt(i.link_mode) }, new sh.RedirectAllowList(i.allow_list, { testMode: i.mode === 'test' })),
  }),
  connect_oauth_link: (i) => ({
    url: sh.connectOAuthLink({
      clientId: i.client_id, accountType: i.account_type, scope: opt(i.scope), redirectUri: opt(i.redirect_uri), state: opt(i.state),
      stripeLanding: opt(i.stripe_landing), alwaysPrompt: opt(i.always_prompt), suggestedCapabilities: opt(i.suggested_capabilities),
      stripeUser: opt(i.stripe_user), baseUrl: opt(i.base_url),
    }, new sh.RedirectAllowList(i.allow_list, { testMode: i.mode === 'test' })),
  }),
  issue_state_token: (i) => ({
    token: sh.issueStateToken({ keys: keys(i.keys), flow: i.flow, sessionId: hex(i.session_id_hex), ttlSecs: opt(i.ttl_secs), data: opt(i.data), now: i.now, nonce: hex(i.nonce_hex), mode: opt(i.link_mode) }),
  }),
  verify_state_token: (i) => {
    const v = sh.verifyStateToken(i.token, { keys: keys(i.keys), sessionId: hex(i.session_id_hex), flow: i.flow, now: i.now, replay: 'unchecked' })
    return { version: v.version, key_id: v.keyId, issued_at: v.issuedAt, expires_at: v.expiresAt, flow: v.flow, nonce: v.nonce, data: v.data ?? null, mode: v.mode ?? null }
  },
  check_plain_state: (i) => (sh.checkPlainState(i.expected, i.received), {}),
  plain_state_from_entropy: (i) => ({ state: sh.plainStateFromEntropy(hex(i.entropy_hex)) }),
  install_callback: (i) => callbackResult(sh.verifyInstallCallback(i.query, { secrets: i.secrets, now: i.now, tolerance: i.tolerance, ...stateOptions(i.state_check), ...marketplace(i) })),
  app_callback: (i) => callbackResult(sh.verifyAppCallback(i.query, {
    accessType: i.access_type, secrets: opt(i.secrets), now: i.now, tolerance: i.tolerance, ...stateOptions(i.state_check), ...marketplace(i),
  })),
  ui_extension_signature: (i) => {
    const c = sh.verifyUiExtensionSignature(i.header, { userId: i.user_id, accountId: i.account_id, secrets: i.secrets, now: i.now, tolerance: i.tolerance })
    return { user_id: c.userId, account_id: c.accountId, timestamp: c.timestamp, secret_index: c.secretIndex }
  },
  oauth_callback: (i) => callbackResult(sh.verifyOAuthCallback(i.query, { flow: i.flow, now: i.now, ...stateOptions(i.state_check) })),
  verify_webhook: (i) => {
    const e = prepared(i, 'verifyWebhook')
    return { id: e.id, type: e.type, account: e.account ?? null, livemode: e.livemode, created: e.created, api_version: e.apiVersion ?? null, data_object: e.dataObjectJson, timestamp: e.timestamp }
  },
  deauthorization: (i) => {
    const d = prepared(i, 'verifyDeauthorization')
    return { account_id: d.accountId, application_id: d.applicationId, application_name: d.applicationName ?? null, livemode: d.livemode }
  },
  verify_event_notification: (i) => {
    const one = notification(sh.verifyEventNotification(payload(i), i.header, { secrets: i.secrets, now: i.now, tolerance: i.tolerance }))
    // The prepared verifier's method gives the same answer.
    const prepared = notification(new sh.Verifier(i.secrets, { tolerance: i.tolerance }).verifyEventNotification(payload(i), i.header, i.now))
    if (JSON.stringify(prepared) !== JSON.stringify(one)) throw new Error('Verifier.verifyEventNotification differs from verifyEventNotification')
    return one
  },
  diagnose_signature: (i) => {
    const d = sh.diagnoseSignature(payload(i), i.header, { secrets: i.secrets, now: i.now, tolerance: i.tolerance })
    const macs = i.header.split(',').map((e) => e.trim()).filter((e) => e.startsWith('v1=')).map((e) => e.slice(3))
    for (const f of d.findings) {
      for (const x of [...i.secrets.map((x) => x.trim()), ...macs]) {
        if (x.length >= 8 && (f.message.includes(x) || f.action.includes(x))) throw new Error('a finding shows a secret')
      }
    }
    return { verified: d.verified, codes: d.findings.map((f) => f.code) }
  },
  diagnose_redirect_uri: (i) => {
    const d = sh.diagnoseRedirectUri(i.requested, new sh.RedirectAllowList(i.allow_list, { testMode: i.mode === 'test' }))
    return { verified: d.verified, codes: d.findings.map((f) => f.code) }
  },
  one_time_entry: (i) => {
    const e = sh.oneTimeEntry(i.namespace, i.id, i.expires_at, { now: i.now, prefix: opt(i.prefix) })
    return { namespace: e.namespace, id: e.id, expires_at: e.expiresAt, key: e.key, ttl_secs: e.ttlSecs }
  },
  postgres_statements: (i) => {
    const p = sh.postgresStatements({ table: opt(i.table), placeholders: i.placeholders })
    return { create: p.create, consume: p.consume, prune: p.prune, release: p.release, extend: p.extend }
  },
  webhook_reply: (i) => { const r = sh.webhookReply(i.outcome); return { status: r.status, body: r.body } },
  one_time_outcome: (i) => ({ first_time: sh.oneTimeOutcome(opt(i.answer), { namespace: i.namespace }) }),
  diagnose_callback: (i) => {
    const options = { secrets: i.secrets, now: i.now, tolerance: i.tolerance }
    if (i.keys) Object.assign(options, { stateKeys: keys(i.keys), sessionId: hex(i.session_id_hex) })
    if (i.manifest !== undefined) options.manifest = i.manifest
    if (i.redirect_uris !== undefined) options.redirectUris = i.redirect_uris
    const d = sh.diagnoseCallback(i.query, options)
    return { verified: d.verified, codes: d.findings.map((f) => f.code) }
  },
  account_link_request: (i) => request(sh.accountLinkRequest({
    secretKey: i.secret_key, account: i.account, type: opt(i.type), returnUrl: i.return_url, refreshUrl: i.refresh_url,
    collectionFields: opt(i.collection_fields), futureRequirements: opt(i.future_requirements), stateKeys: keys(i.keys),
    sessionId: hex(i.session_id_hex), mode: opt(i.link_mode), now: i.now, nonce: hex(i.nonce_hex), expectedMode: opt(i.expected_mode),
    baseUrl: opt(i.base_url),
  }, new sh.RedirectAllowList(i.allow_list))),
  parse_account_link_response: (i) => {
    const l = sh.parseAccountLinkResponse(i.status, i.body)
    return { url: l.url, created: l.created, expires_at: l.expiresAt }
  },
  account_link_callback: (i) => {
    const c = sh.verifyAccountLinkCallback(i.query, { kind: i.kind, stateKeys: keys(i.keys), sessionId: hex(i.session_id_hex), now: i.now, replay: 'unchecked' })
    return { kind: c.kind, account_id: c.accountId, next_step: c.nextStep, state_nonce: c.stateNonce, state_expires_at: c.stateExpiresAt, state_mode: c.stateMode ?? null }
  },
  retrieve_account_request: (i) => apiRequest(sh.retrieveAccountRequest({
    secretKey: i.secret_key, account: i.account, expectedMode: opt(i.expected_mode), apiVersion: opt(i.api_version), baseUrl: opt(i.base_url),
  })),
  fetch_event_request: (i) => apiRequest(sh.fetchEventRequest({ secretKey: i.secret_key, eventId: i.event_id, livemode: i.livemode, context: opt(i.context), apiVersion: opt(i.api_version), baseUrl: opt(i.base_url) })),
  fetch_related_object_request: (i) => apiRequest(sh.fetchRelatedObjectRequest({ secretKey: i.secret_key, url: i.url, livemode: i.livemode, context: opt(i.context), apiVersion: opt(i.api_version), baseUrl: opt(i.base_url) })),
  code_exchange_request: (i) => request(sh.codeExchangeRequest({ provider: i.provider, secretKey: i.secret_key, code: i.code, expectedMode: opt(i.expected_mode), baseUrl: opt(i.base_url) })),
  refresh_request: (i) => request(sh.refreshRequest({ provider: i.provider, secretKey: i.secret_key, refreshToken: i.refresh_token, scope: opt(i.scope), expectedMode: opt(i.expected_mode), baseUrl: opt(i.base_url) })),
  deauthorize_request: (i) => request(sh.deauthorizeRequest({ secretKey: i.secret_key, clientId: i.client_id, stripeUserId: i.stripe_user_id, expectedMode: opt(i.expected_mode), baseUrl: opt(i.base_url) })),
  parse_secret_key: (i) => ({ mode: sh.parseSecretKey(i.key).mode }),
  parse_token_response: (i) => {
    const t = sh.parseTokenResponse(i.status, i.body)
    return { access_token: t.accessToken, refresh_token: t.refreshToken ?? null, scope: t.scope ?? null, livemode: t.livemode ?? null, token_type: t.tokenType, stripe_user_id: t.stripeUserId, stripe_publishable_key: t.stripePublishableKey ?? null }
  },
  parse_deauthorize_response: (i) => (sh.parseDeauthorizeResponse(i.status, i.body, i.expected_stripe_user_id), {}),
  apps_token_expiry: (i) => {
    const e = sh.appsTokenExpiry(i.issued_at, { now: i.now, marginSecs: i.margin_secs })
    return { access_expires_at: e.accessExpiresAt, refresh_expires_at: e.refreshExpiresAt, needs_refresh: e.needsRefresh, refresh_expired: e.refreshExpired }
  },
  }
}


// Numbers above 2^53 cannot cross into JavaScript exactly: such inputs may fail as
// invalid_argument instead (listed in `skipped`).
const UNSAFE = (c) => JSON.stringify(c.input).match(/\d{17,}/)

export function runSuite(sh, doc) {
  const OPS = ops(sh)
  const failures = []
  const skipped = []
  for (const c of doc.cases) {
    let got
    try {
      got = { ok: OPS[c.op](c.input) }
    } catch (e) {
      if (!(e instanceof sh.StripeHandshakeError)) {
        failures.push(`${doc.suite}:${c.id}: untyped ${e && e.name}: ${e && e.message}`)
        continue
      }
      got = { error: e.code, e }
    }
    const id = `${doc.suite}:${c.id}`
    if ('ok' in c) {
      if (!deepEqual(got.ok, c.ok)) {
        if (UNSAFE(c) && got.error === 'invalid_argument') skipped.push(id)
        else failures.push(`${id}: expected ok ${JSON.stringify(c.ok)}, got ${JSON.stringify(got.ok ?? got.error)}`)
      }
    } else if (got.error !== c.error) {
      if (UNSAFE(c) && got.error === 'invalid_argument') skipped.push(id)
      else failures.push(`${id}: expected error ${c.error}, got ${JSON.stringify(got.ok ?? got.error)}`)
    } else if (c.detail) {
      const e = got.e
      const have = { index: e.index, oauth_error: e.error, oauth_kind: e.oauthKind, description: e.errorDescription ?? null }
      for (const [k, v] of Object.entries(c.detail)) if (have[k] !== v) failures.push(`${id}: detail ${k}=${have[k]} != ${v}`)
    }
  }
  return { total: doc.cases.length, failures, skipped }
}

function deepEqual(a, b) {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
}
