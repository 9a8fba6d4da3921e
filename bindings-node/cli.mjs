#!/usr/bin/env node
// `npx stripe-handshake`: the command line (explain-webhook, explain-callback, sign, emulate).
// The same code as the Rust binary (cli/src/lib.rs), run by the addon: `npx stripe-handshake help`.
import { createRequire } from 'node:module'

const native = createRequire(import.meta.url)('./native.cjs')
process.exitCode = native.runCli(process.argv.slice(2))
