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
//   2. the platform package npm installed from optionalDependencies: stripe-handshake-<platform>
// where <platform> is napi-rs's name (linux-x64-gnu, linux-x64-musl, darwin-arm64, …). On
// Linux the glibc build is tried before the musl one: a glibc addon fails to load on musl
// (and is never installed there: its package says `libc: ["glibc"]`), so no detection is needed.
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

const PLATFORMS = {
  linux: (arch) => [`linux-${arch}-gnu`, `linux-${arch}-musl`],
  darwin: (arch) => [`darwin-${arch}`],
  win32: (arch) => [`win32-${arch}-msvc`, `win32-${arch}-gnu`],
  freebsd: (arch) => [`freebsd-${arch}`],
}

/** The napi-rs platform names this process can load, best first. */
function platformNames(platform = process.platform, arch = process.arch) {
  const names = PLATFORMS[platform]
  return names ? names(arch) : []
}

function loadAddon(tried) {
  for (const name of platformNames()) {
    for (const where of [join(__dirname, `stripe-handshake.${name}.node`), `stripe-handshake-${name}`]) {
      try {
        return require(where)
      } catch (e) {
        // A missing file or package is the common case; anything else (a wrong libc, a
        // damaged file) is worth reporting when no candidate loads.
        tried.push(`${where}: ${e && e.code === 'MODULE_NOT_FOUND' ? 'not installed' : String(e && e.message).split('\n')[0]}`)
      }
    }
  }
  return null
}

function loadWasm() {
  // The WASM package's own glue (wasm-bindgen, ES module) and module, copied into wasm/ by
  // the build; started synchronously from the bytes, so `require` and `import` both work.
  const glue = require('./wasm/stripe_handshake_wasm.js')
  glue.initSync({ module: readFileSync(join(__dirname, 'wasm', 'stripe_handshake_wasm_bg.wasm')) })
  return glue
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
