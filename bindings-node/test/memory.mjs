// What the leak tests share: V8's collector, exposed, and the growth of the process's memory
// over many objects that only a native finalizer frees (a verifier's bound functions, an
// allow-list's own invoke). A helper, not a test file: it defines no tests.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
export const gc = runInNewContext('gc')
export const settle = () => new Promise((resolve) => setImmediate(resolve))

/**
 * Bytes of rss grown over nine rounds of `round` (each followed by three collections, so that
 * finalizers run), after two rounds that warm the heap up.
 */
export async function rssGrowth(round) {
  const once = async () => {
    await round()
    for (let i = 0; i < 3; i++) {
      gc()
      await settle()
    }
    return process.memoryUsage().rss
  }
  await once()
  const start = await once()
  for (let i = 0; i < 8; i++) await once()
  return (await once()) - start
}
