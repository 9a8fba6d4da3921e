// Round-robin micro-benchmark harness shared by the JavaScript benchmarks.
//
// - Each case runs in a loop of its own: a function generated per case (`new Function`), so
//   the call site inside it sees one callee only and V8 can inline it, as in a real handler.
//   A loop shared by every case would be megamorphic and time V8's dispatch, not the case.
// - A warm-up (the calibration, then one untimed repetition) lets every case reach its
//   optimised code before anything is timed.
// - Every repetition times each case once, in turn, so cases compared with each other are
//   measured under the same conditions; the table shows median, min and max ns/op (the
//   machine's noise), and each ratio is the median of the per-repetition ratios, with their range.
export const REPS = Number(process.env.BENCH_REPS ?? 11)

function loopFor(name) {
  // The name goes in as a comment only: one distinct function (and feedback vector) per case.
  return new Function('fn', 'n', `'use strict' /* ${name.replace(/\*\//g, '')} */\nlet r\nfor (let i = 0; i < n; i++) r = fn()\nreturn r`)
}

function timeOnce(c, n) {
  const t = process.hrtime.bigint()
  c.sink = c.loop(c.fn, n)
  return Number(process.hrtime.bigint() - t)
}

export function bench(cases) {
  for (const c of cases) {
    c.loop = loopFor(c.name)
    let n = 1
    while (timeOnce(c, n) < 20e6) n *= 2
    c.iters = n
    c.samples = []
  }
  for (const c of cases) timeOnce(c, c.iters) // warm-up repetition, not recorded
  for (let r = 0; r < REPS; r++) {
    for (const c of cases) c.samples.push(timeOnce(c, c.iters) / c.iters)
  }
  return cases
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]

/** Speed-up of `c` over `peer`: the median of the per-repetition ratios, and their range. */
export function speedUp(c, peer) {
  const ratios = c.samples.map((s, i) => peer.samples[i] / s)
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
}

export function table(title, cases) {
  const byName = Object.fromEntries(cases.map((c) => [c.name, c]))
  const lines = [`\n### ${title}\n`, '| case | median ns/op | min | max | speed-up vs peer (median, range) |', '| --- | ---: | ---: | ---: | --- |']
  for (const c of cases) {
    const m = median(c.samples)
    const peer = c.peer && byName[c.peer]
    let ratio = ''
    if (peer) {
      const s = speedUp(c, peer)
      ratio = `**${s.median.toFixed(1)}x** (${s.min.toFixed(1)}–${s.max.toFixed(1)}) vs ${c.peer}`
    }
    lines.push(`| ${c.name} | ${m.toFixed(0)} | ${Math.min(...c.samples).toFixed(0)} | ${Math.max(...c.samples).toFixed(0)} | ${ratio} |`)
  }
  return lines.join('\n')
}
