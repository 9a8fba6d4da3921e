#!/usr/bin/env node
// `npx stripe-handshake`: the command line (explain-webhook, explain-callback, sign, emulate).
// The same code as the Rust binary (cli/src/lib.rs), run by the addon: `npx stripe-handshake help`.
import { createRequire } from 'node:module'

const { native, engine } = createRequire(import.meta.url)('./native.cjs')
if (engine === 'native') {
  process.exitCode = native.runCli(process.argv.slice(2))
} else {
  // The WASM build has no process I/O: the command line needs the addon.
  const why = process.env.STRIPE_HANDSHAKE_ENGINE === 'wasm'
    ? 'STRIPE_HANDSHAKE_ENGINE=wasm chose the WASM build; unset it to use the addon'
    : `no addon loads on ${process.platform}-${process.arch} (the library runs on its WASM build). Reinstall with optional dependencies enabled (npm install --include=optional) on a platform in the README's platform table`
  process.stderr.write(`stripe-handshake: the command line needs the native addon: ${why}\n`)
  process.exitCode = 69 // EX_UNAVAILABLE
}
