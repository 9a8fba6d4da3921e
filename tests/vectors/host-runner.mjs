// The host-level corpus (host.json) for JavaScript packages: wrong types, absent values,
// extreme numbers, lone surrogates, parsed bodies, and the printed forms of results that
// carry credentials. `sh` is the package under test; `inspect` is util.inspect where the
// host has it. No host APIs beyond TextEncoder otherwise.
const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16))
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const jsName = (op) => camel(op).replace(/Oauth/g, 'OAuth')
const snake = (s) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())

// Maps the corpus encodings to this host's own values.
function decode(v, keys = false) {
  if (Array.isArray(v)) return v.map((x) => decode(x))
  if (v === null || typeof v !== 'object') return v
  if ('$bytes' in v) return hex(v.$bytes)
  if ('$undefined' in v) return undefined
  if ('$float' in v) return Number(v.$float)
  if ('$bigint' in v) return BigInt(v.$bigint)
  if ('$lone_surrogate' in v) return v.$lone_surrogate + '\uD800'
  if ('$function' in v) return () => {}
  if ('$object' in v) {
    if (v.$object === 'URL') return new URL(v.value)
    if (v.$object === 'URLSearchParams') return new URLSearchParams(v.value)
    return new Date(0)
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [keys ? camel(k) : k, decode(x)]))
}

// A result in the corpus's terms: snake_case keys, bytes as {$bytes}, undefined as null.
function plain(r) {
  if (r === undefined || r === null) return null
  if (r instanceof Uint8Array) return { $bytes: toHex(r) }
  if (Array.isArray(r)) return r.map(plain)
  if (typeof r === 'object') return Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), plain(v)]))
  return r
}

function strings(v, out = []) {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out))
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out))
  return out
}

function invoke(sh, c) {
  const args = decode(c.args)
  if (c.op.startsWith('Verifier.')) {
    const v = new sh.Verifier(c.secrets)
    return v[camel(c.op.slice('Verifier.'.length))](...args)
  }
  if (c.options !== undefined) args.push(decode(c.options, true))
  if (c.allow_list !== undefined) {
    args.push(Array.isArray(c.allow_list) ? new sh.RedirectAllowList(c.allow_list) : decode(c.allow_list))
  }
  const fn = sh[jsName(c.op)]
  if (typeof fn !== 'function') throw new Error(`no function ${jsName(c.op)}`)
  return fn(...args)
}

// Async: with a store, the callback verifiers return a promise (awaited like a user awaits it).
export async function runHostSuite(sh, doc, { inspect } = {}) {
  const failures = []
  for (const c of doc.cases) {
    const id = `host:${c.id}`
    let r
    try {
      r = invoke(sh, c)
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') r = await r
    } catch (e) {
      if (!(e instanceof sh.StripeHandshakeError)) {
        failures.push(`${id}: untyped ${e && e.name}: ${e && e.message}`)
        continue
      }
      if (!('error' in c)) {
        failures.push(`${id}: expected ok, got ${e.code}`)
        continue
      }
      if (e.code !== c.error) failures.push(`${id}: expected ${c.error}, got ${e.code}`)
      if (!(e instanceof sh[c.class])) failures.push(`${id}: expected ${c.class}, got ${e.name}`)
      for (const s of strings(c.args).concat(strings(c.options || {}))) {
        if (s.length >= 8 && e.message.includes(s)) failures.push(`${id}: the message echoes an argument`)
      }
      continue
    }
    if ('error' in c) {
      failures.push(`${id}: expected error ${c.error}, got ${JSON.stringify(plain(r))}`)
      continue
    }
    if ('ok' in c) {
      if (c.ok === null) {
        const want = c.op === 'Verifier.check' ? null : undefined
        if (r !== want) failures.push(`${id}: expected ${want}, got ${r}`)
      } else if (JSON.stringify(plain(r)) !== JSON.stringify(c.ok)) {
        failures.push(`${id}: expected ${JSON.stringify(c.ok)}, got ${JSON.stringify(plain(r))}`)
      }
    }
    if (c.ok_type === 'string' && typeof r !== 'string') failures.push(`${id}: expected a string`)
    if (c.ok_type === 'record' && (r === null || typeof r !== 'object')) failures.push(`${id}: expected a record`)
    for (const secret of c.prints_without || []) {
      const forms = [JSON.stringify(r), String(r)]
      if (inspect) forms.push(inspect(r, { depth: 10, showHidden: false }))
      if (forms.some((f) => f.includes(secret))) failures.push(`${id}: a printed form shows a credential`)
    }
  }
  return { total: doc.cases.length, failures }
}
