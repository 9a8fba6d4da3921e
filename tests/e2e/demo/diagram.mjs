// The README's sequence diagram, drawn as inline SVG on the demo's pages (no CDN, no script).
// It reads the mermaid block of README.md, so the picture and the README cannot drift apart;
// only the subset the README uses is understood (participant, Note over, A->>B: text), and
// anything else fails loudly at start.
import { readFileSync } from 'node:fs'

/** The diagram's sections ("Install link", "OAuth (Stripe Apps or Connect)", …) from README.md. */
export function readDiagram(readmeUrl) {
  const text = readFileSync(readmeUrl, 'utf8')
  const block = /```mermaid\n([\s\S]*?)```/.exec(text)
  if (!block) throw new Error('README.md has no mermaid block: the demo draws its sequence diagram from it')
  const participants = []
  const sections = []
  let n = 0
  for (const raw of block[1].split('\n')) {
    const line = raw.trim()
    let m
    if (!line || line === 'sequenceDiagram' || line === 'autonumber') continue
    if ((m = /^participant (\w+) as (.+)$/.exec(line))) participants.push({ id: m[1], name: m[2] })
    else if ((m = /^Note over [\w,]+: (.+)$/.exec(line))) sections.push({ title: m[1], messages: [] })
    else if ((m = /^(\w+)->>(\w+): (.+)$/.exec(line))) {
      if (!sections.length) throw new Error(`README.md's diagram: a message before the first Note: ${line}`)
      sections.at(-1).messages.push({ n: ++n, from: m[1], to: m[2], text: m[3] })
    } else throw new Error(`README.md's diagram: the demo cannot draw "${line}"`)
  }
  return { participants, sections }
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * One section as SVG. `marks` maps a message number to 'done' or 'refused'; the others are
 * drawn grey. Long labels wrap at word boundaries; the width scales to its container.
 */
export function sectionSvg(diagram, section, marks = new Map()) {
  const cols = diagram.participants
  const W = 720
  const x = (id) => 90 + cols.findIndex((p) => p.id === id) * ((W - 180) / (cols.length - 1))
  // About 7.2 px a character at 13 px: a note to self wraps before the right edge.
  const rows = section.messages.map((m) => ({ ...m, lines: wrap(m.text, m.from === m.to ? Math.floor((W - x(m.from) - 24) / 7.4) : 46) }))
  let y = 64
  const parts = []
  for (const r of rows) {
    const state = marks.get(r.n) ?? 'todo'
    const color = { done: '#635bff', refused: '#c0123c', todo: '#a3acb9' }[state]
    const weight = state === 'todo' ? 400 : 600
    const h = 18 * r.lines.length
    const label = (x0, anchor) => r.lines.map((l, i) => `<text x="${x0}" y="${y + 14 + i * 18}" text-anchor="${anchor}" font-weight="${weight}" fill="${state === 'todo' ? '#697386' : '#1a1f36'}">${esc(l)}</text>`).join('')
    const badge = `<circle cx="${Math.min(x(r.from), x(r.to)) - 22}" cy="${y + h + 6}" r="10" fill="${color}"/><text x="${Math.min(x(r.from), x(r.to)) - 22}" y="${y + h + 10}" text-anchor="middle" font-size="11" fill="#fff">${r.n}</text>`
    if (r.from === r.to) {
      const x0 = x(r.from)
      parts.push(`<g class="msg ${state}" data-n="${r.n}">${label(x0 + 14, 'start')}<path d="M${x0} ${y + h + 2} h24 v14 h-24" fill="none" stroke="${color}" stroke-width="2" marker-end="url(#arrow-${state})"/>${badge}</g>`)
      y += h + 34
    } else {
      const [a, b] = [x(r.from), x(r.to)]
      parts.push(`<g class="msg ${state}" data-n="${r.n}">${label((a + b) / 2, 'middle')}<line x1="${a}" y1="${y + h + 6}" x2="${b}" y2="${y + h + 6}" stroke="${color}" stroke-width="2" marker-end="url(#arrow-${state})"/>${badge}</g>`)
      y += h + 26
    }
  }
  const H = y + 10
  const heads = cols.map((p) => `<rect x="${x(p.id) - 80}" y="8" width="160" height="32" rx="6" fill="#f6f8fa" stroke="#e3e8ee"/><text x="${x(p.id)}" y="29" text-anchor="middle" font-weight="600">${esc(p.name.replace(/ \(.*\)$/, ''))}</text><line x1="${x(p.id)}" y1="40" x2="${x(p.id)}" y2="${H}" stroke="#e3e8ee" stroke-width="2"/>`)
  const arrows = ['done', 'refused', 'todo'].map((s) => `<marker id="arrow-${s}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${{ done: '#635bff', refused: '#c0123c', todo: '#a3acb9' }[s]}"/></marker>`)
  return `<svg class="sequence" role="img" aria-label="${esc(section.title)}: sequence of requests" viewBox="0 0 ${W} ${H}" font-family="system-ui,sans-serif" font-size="13"><defs>${arrows.join('')}</defs>${heads.join('')}${parts.join('')}</svg>`
}

function wrap(text, width) {
  const lines = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}
