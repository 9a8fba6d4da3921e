// Round-robin micro-benchmark harness shared by the JavaScript benchmarks: every repetition
// times each case once, in turn, so ratios compare cases measured under the same conditions.
// Reports median, min and max ns/op over REPS repetitions.
export const REPS = Number(process.env.BENCH_REPS ?? 7)

export function bench(cases) {
  for (const c of cases) {
    let n = 1
    for (;;) {
      const t = process.hrtime.bigint()
      for (let i = 0; i < n; i++) c.fn()
      if (Number(process.hrtime.bigint() - t) >= 20e6) break
      n *= 2
    }
    c.iters = n
    c.samples = []
  }
  for (let r = 0; r < REPS; r++) {
    for (const c of cases) {
      const t = process.hrtime.bigint()
      for (let i = 0; i < c.iters; i++) c.fn()
      c.samples.push(Number(process.hrtime.bigint() - t) / c.iters)
    }
  }
  return cases
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]

export function table(title, cases) {
  const byName = Object.fromEntries(cases.map((c) => [c.name, c]))
  const lines = [`\n### ${title}\n`, '| case | median ns/op | min | max | speed-up vs peer |', '| --- | ---: | ---: | ---: | --- |']
  for (const c of cases) {
    const m = median(c.samples)
    const peer = c.peer && byName[c.peer]
    const ratio = peer ? `**${(median(peer.samples) / m).toFixed(1)}x** faster than ${c.peer}` : ''
    lines.push(`| ${c.name} | ${m.toFixed(0)} | ${Math.min(...c.samples).toFixed(0)} | ${Math.max(...c.samples).toFixed(0)} | ${ratio} |`)
  }
  return lines.join('\n')
}
