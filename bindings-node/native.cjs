'use strict'
// Loads the core for this process, once: the napi addon built for this platform or, where
// none loads, the WASM build of the same core (the same Rust, the same schema, the same
// results; slower). `engine` says which one is running.
//
//   STRIPE_HANDSHAKE_ENGINE=native  the addon only: fail, listing what was tried, if none loads
//   STRIPE_HANDSHAKE_ENGINE=wasm    the WASM build only
//   unset (or empty)                the addon, else the WASM build
//
// The addon is looked for in this order, each candidate a direct require of a known file
// (no probing of the libc through child processes or process.report):
//   1. next to this file, as a build from source names it: stripe-handshake.<platform>.node
//   2. the platform package npm installed from optionalDependencies: stripe-handshake-<platform>,
//      at this package's version
// where <platform> is napi-rs's name (linux-x64-gnu, linux-x64-musl, darwin-arm64, …). On
// Linux the glibc build is tried before the musl one: a glibc addon fails to load on musl
// (and is never installed there: its package says `libc: ["glibc"]`), so no detection is needed.
// A platform with no addon built (FreeBSD, Linux on s390x, …) tries none and runs the WASM build.
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

// Each platform this package is built for (package.json `napi.targets`; scripts/release/versions.mjs
// checks the two agree), best first on each OS, and how to load its addon: from a build next to
// this file, or from its platform package, which must be this package's version. Literal
// requires, so bundlers and file tracers (Next.js standalone, Vercel) see every candidate.
const ADDONS = {
  linux: {
    x64: [
      ['linux-x64-gnu', () => require('./stripe-handshake.linux-x64-gnu.node'), () => require('stripe-handshake-linux-x64-gnu/package.json'), () => require('stripe-handshake-linux-x64-gnu')],
      ['linux-x64-musl', () => require('./stripe-handshake.linux-x64-musl.node'), () => require('stripe-handshake-linux-x64-musl/package.json'), () => require('stripe-handshake-linux-x64-musl')],
    ],
    arm64: [
      ['linux-arm64-gnu', () => require('./stripe-handshake.linux-arm64-gnu.node'), () => require('stripe-handshake-linux-arm64-gnu/package.json'), () => require('stripe-handshake-linux-arm64-gnu')],
      ['linux-arm64-musl', () => require('./stripe-handshake.linux-arm64-musl.node'), () => require('stripe-handshake-linux-arm64-musl/package.json'), () => require('stripe-handshake-linux-arm64-musl')],
    ],
  },
  darwin: {
    x64: [['darwin-x64', () => require('./stripe-handshake.darwin-x64.node'), () => require('stripe-handshake-darwin-x64/package.json'), () => require('stripe-handshake-darwin-x64')]],
    arm64: [['darwin-arm64', () => require('./stripe-handshake.darwin-arm64.node'), () => require('stripe-handshake-darwin-arm64/package.json'), () => require('stripe-handshake-darwin-arm64')]],
  },
  win32: {
    x64: [['win32-x64-gnu', () => require('./stripe-handshake.win32-x64-gnu.node'), () => require('stripe-handshake-win32-x64-gnu/package.json'), () => require('stripe-handshake-win32-x64-gnu')]],
  },
}

/** The napi-rs platform names of the addons built for this OS and CPU, best first (none: WASM). */
function platformNames(platform = process.platform, arch = process.arch) {
  return ((ADDONS[platform] || {})[arch] || []).map(([name]) => name)
}

const why = (e) => (e && e.code === 'MODULE_NOT_FOUND' ? 'not installed' : String(e && e.message).split('\n')[0])

function loadAddon(tried) {
  const { version } = require('./package.json')
  for (const [name, local, manifest, pkg] of (ADDONS[process.platform] || {})[process.arch] || []) {
    try {
      return local()
    } catch (e) {
      // A build from source is absent in an installed package: the common case.
      tried.push(`./stripe-handshake.${name}.node: ${why(e)}`)
    }
    try {
      // Only the platform package of this very version: an older one found further up the
      // directory tree (or in NODE_PATH) would run other code than this package's.
      const found = manifest().version
      if (found !== version) {
        tried.push(`stripe-handshake-${name}: version ${found}, not ${version}`)
        continue
      }
      return pkg()
    } catch (e) {
      // Anything but absence (a wrong libc, a damaged file) is worth reporting when none loads.
      tried.push(`stripe-handshake-${name}: ${why(e)}`)
    }
  }
  return null
}

function loadWasm() {
  // The WASM package's own glue (wasm-bindgen, ES module) and module, copied into wasm/ by
  // the build; started synchronously from the bytes, so `require` and `import` both work.
  // The module does not carry the schema (it would cost the browser package 5.5 KB gzipped):
  // the build wrote it next to the module, and it is read only when this fallback runs.
  const glue = require('./wasm/stripe_handshake_wasm.js')
  glue.initSync({ module: readFileSync(join(__dirname, 'wasm', 'stripe_handshake_wasm_bg.wasm')) })
  const schema = readFileSync(join(__dirname, 'wasm', 'schema.json'), 'utf8')
  return Object.freeze({ ...glue, schema: () => schema })
}

function load() {
  const wanted = process.env.STRIPE_HANDSHAKE_ENGINE || ''
  if (wanted !== '' && wanted !== 'native' && wanted !== 'wasm') {
    throw new Error('STRIPE_HANDSHAKE_ENGINE must be "native", "wasm" or unset; unset it to load the native addon with the WASM build as the fallback')
  }
  const tried = []
  if (wanted !== 'wasm') {
    const addon = loadAddon(tried)
    if (addon) return { native: addon, engine: 'native' }
    if (wanted === 'native') {
      const e = new Error(`STRIPE_HANDSHAKE_ENGINE=native, but no native addon of stripe-handshake loads on ${process.platform}-${process.arch}. Tried:\n  ${tried.join('\n  ')}\nReinstall the package with optional dependencies enabled (npm install --include=optional), or unset STRIPE_HANDSHAKE_ENGINE to use the WASM build.`)
      e.code = 'ERR_STRIPE_HANDSHAKE_NO_ADDON'
      throw e
    }
  }
  return { native: loadWasm(), engine: 'wasm' }
}

const { native, engine } = load()
/** The loaded core: the addon's exports or the WASM glue's (both what api.mjs builds on). */
exports.native = native
/** Which build of the core is running: `'native'` (the napi addon) or `'wasm'`. */
exports.engine = engine
exports.platformNames = platformNames
