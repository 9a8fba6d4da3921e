// Stages the npm packages in napi-rs's layout and packs them:
//   stripe-handshake                   the API, the typings, the CLI and the WASM fallback
//                                      (wasm/), with one optional dependency per platform
//   stripe-handshake-<platform>        one addon each (npm/<platform>/package.json: os, cpu, libc)
// Usage: node scripts/stage.mjs OUT ADDON...
//   each ADDON a built addon named stripe-handshake.<platform>.node (napi-rs's names);
//   writes OUT/<package>/ and OUT/<package>-<version>.tgz, and prints one JSON line per tarball.
// The main package lists every platform of `napi.targets` as an optional dependency at the
// exact version, so npm installs the one matching package and skips the rest; a platform
// with no package (or an install with --omit=optional) gets the WASM fallback.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, statSync, existsSync } from 'node:fs'

// The repository's license files (links in bindings-node/), in every package as files.
const LICENSES = ['LICENSE-MIT', 'LICENSE-APACHE']
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('..', import.meta.url))
const [out, ...addons] = process.argv.slice(2)
if (!out) throw new Error('usage: node scripts/stage.mjs OUT ADDON...')
const main = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
if (!existsSync(join(here, 'wasm', 'stripe_handshake_wasm_bg.wasm'))) {
  throw new Error('bindings-node/wasm/ is missing: run `just build-wasm` (it copies the fallback there)')
}

// The platforms: npm/'s directories, which scripts/release/versions.mjs keeps the same set as
// napi.targets and the loader's (native.cjs) candidates.
const platforms = readdirSync(join(here, 'npm')).sort()

function pack(dir) {
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(out)], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()
  return join(resolve(out), file)
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const made = []

for (const addon of addons) {
  const m = /^stripe-handshake\.(.+)\.node$/.exec(basename(addon))
  if (!m || !platforms.includes(m[1])) throw new Error(`${addon}: not a stripe-handshake.<platform>.node of a platform in npm/`)
  const meta = JSON.parse(readFileSync(join(here, 'npm', m[1], 'package.json'), 'utf8'))
  if (meta.version !== main.version) throw new Error(`npm/${m[1]}/package.json is at ${meta.version}, the package at ${main.version}: run scripts/versions.mjs --write`)
  const dir = join(out, meta.name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...meta, files: [...meta.files, ...LICENSES], repository: main.repository }, null, 2) + '\n')
  copyFileSync(join(here, 'npm', m[1], 'README.md'), join(dir, 'README.md'))
  for (const l of LICENSES) copyFileSync(join(here, l), join(dir, l))
  copyFileSync(addon, join(dir, meta.main))
  made.push({ package: meta.name, tarball: pack(dir), platform: m[1] })
}

const dir = join(out, main.name)
mkdirSync(dir)
// A local install (`npm install ../bindings-node`, the Next.js example) takes this directory's
// own build of the addon (`*.node` in files); the published main package holds none.
const files = main.files.filter((f) => f !== '*.node')
// The license files are links to the repository's: copied as files.
for (const f of files) cpSync(join(here, f), join(dir, f), { recursive: true, dereference: true })
const { devDependencies, scripts, ...published } = main
published.files = files
published.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${main.name}-${p}`, main.version]))
writeFileSync(join(dir, 'package.json'), JSON.stringify(published, null, 2) + '\n')
made.push({ package: main.name, tarball: pack(dir), platform: 'any' })

for (const m of made) console.log(JSON.stringify({ ...m, bytes: statSync(m.tarball).size }))
