/**
 * Draws one scenario as an SVG marble diagram: a time axis in virtual milliseconds, the lanes
 * attach, probe, re-attach and result, and a legend. Pure and deterministic: the same scenario
 * gives the same bytes (integer coordinates, no dates, no randomness).
 */
import type { MarbleScenario } from '../../marbles/index.js';
import { ERROR_TONE, legend, type LegendEntry, type Tone } from './legend.js';
import { timeScale, type TimeScale } from './scale.js';
import { timeline, type Lane, type Mark } from './timeline.js';

/** Pixels per virtual millisecond. */
const W = 22;
const GUTTER = 92;
const PAD = 16;
const LANE_H = 52;
/** Horizontal step between marks of one instant (a `(ab)` group). */
const GROUP_STEP = 18;
const MIN_WIDTH = 640;
/** Rough advance of one character of 12 px sans-serif, to size wrapped text. */
const CHAR_W = 7;
const INK = '#0f172a';
const MUTED = '#64748b';
const FONT = "ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Splits text into lines of at most `max` characters, at spaces. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

interface Placed extends Mark {
  readonly x: number;
}

/** Marks of one instant side by side, in marble order. */
function place(marks: readonly Mark[], scale: TimeScale): Placed[] {
  const seen = new Map<number, number>();
  return marks.map((mark) => {
    const index = seen.get(mark.frame) ?? 0;
    seen.set(mark.frame, index + 1);
    return { ...mark, x: scale.x(mark.frame) + index * GROUP_STEP };
  });
}

function drawMark(mark: Placed, y: number, tones: ReadonlyMap<string, Tone>): string {
  const { x } = mark;
  let shape: string;
  if (mark.kind === 'next') {
    const tone = tones.get(mark.label) ?? { fill: MUTED, ink: '#ffffff' };
    shape =
      `<circle cx="${x}" cy="${y}" r="9" fill="${tone.fill}" stroke="${INK}" stroke-width="1"/>` +
      `<text x="${x}" y="${y + 4}" text-anchor="middle" font-size="11" font-weight="700" fill="${tone.ink}">${esc(mark.label)}</text>`;
  } else if (mark.kind === 'error') {
    shape =
      `<path d="M${x - 6} ${y - 6}L${x + 6} ${y + 6}M${x + 6} ${y - 6}L${x - 6} ${y + 6}" stroke="${ERROR_TONE.fill}" stroke-width="3" stroke-linecap="round"/>` +
      `<text x="${x}" y="${y + 24}" text-anchor="middle" font-size="10" fill="${ERROR_TONE.fill}">${esc(mark.label)}</text>`;
  } else {
    shape = `<line x1="${x}" y1="${y - 11}" x2="${x}" y2="${y + 11}" stroke="${INK}" stroke-width="3"/>`;
  }
  return mark.seen ? shape : `<g opacity="0.3">${shape}</g>`;
}

/** One lane: its name, a faint line where nothing listens, a bold one with brackets where it does, its marks. */
function drawLane(lane: Lane, y: number, scale: TimeScale, axisEnd: number, tones: ReadonlyMap<string, Tone>): string[] {
  const placed = place(lane.marks, scale);
  const out = [
    `<text x="${GUTTER - 12}" y="${y + 4}" text-anchor="end" font-size="13" font-weight="600" fill="${INK}">${lane.name}</text>`,
    `<line x1="${GUTTER}" y1="${y}" x2="${axisEnd}" y2="${y}" stroke="#cbd5e1" stroke-width="1.5" stroke-dasharray="4 4"/>`,
  ];
  for (const span of lane.spans) {
    const from = scale.x(span.from) - W / 2 + 2;
    const last = Math.max(0, ...placed.filter((mark) => span.to !== undefined && mark.frame === span.to).map((mark) => mark.x + 12));
    const to = span.to === undefined ? axisEnd : Math.max(scale.x(span.to) + W / 2 - 2, last);
    out.push(`<line x1="${from}" y1="${y}" x2="${to}" y2="${y}" stroke="${INK}" stroke-width="2"/>`);
    out.push(`<path d="M${from + 5} ${y - 15}H${from}V${y + 15}H${from + 5}" fill="none" stroke="${MUTED}" stroke-width="1.5"/>`);
    if (span.to !== undefined) out.push(`<path d="M${to - 5} ${y - 15}H${to}V${y + 15}H${to - 5}" fill="none" stroke="${MUTED}" stroke-width="1.5"/>`);
  }
  const groups = new Map<number, Placed[]>();
  for (const mark of placed) groups.set(mark.frame, [...(groups.get(mark.frame) ?? []), mark]);
  for (const group of groups.values()) {
    const first = group[0];
    const final = group[group.length - 1];
    if (first === undefined || final === undefined || group.length < 2) continue;
    out.push(`<rect x="${first.x - 13}" y="${y - 13}" width="${final.x - first.x + 26}" height="26" rx="13" fill="#e2e8f0" opacity="0.8"/>`);
  }
  out.push(...placed.map((mark) => drawMark(mark, y, tones)));
  return out;
}

/** A cut in time: a gap across the axis and every lane, with a double slash on each line. */
function drawBreak(x: number, ys: readonly number[]): string {
  const top = (ys[0] ?? 0) - 8;
  const bottom = (ys[ys.length - 1] ?? 0) + 16;
  const slashes = ys.map((y) => `M${x - 7} ${y + 6}L${x - 1} ${y - 6}M${x + 1} ${y + 6}L${x + 7} ${y - 6}`).join('');
  return `<rect x="${x - 4}" y="${top}" width="8" height="${bottom - top}" fill="#ffffff"/><path d="${slashes}" stroke="${MUTED}" stroke-width="1.5"/>`;
}

function drawLegendEntry(entry: LegendEntry, text: string, y: number): string {
  const x = PAD + 10;
  const swatch =
    entry.kind === 'value'
      ? `<circle cx="${x}" cy="${y}" r="8" fill="${entry.tone.fill}" stroke="${INK}" stroke-width="1"/>` +
        `<text x="${x}" y="${y + 4}" text-anchor="middle" font-size="10" font-weight="700" fill="${entry.tone.ink}">${esc(entry.label)}</text>`
      : `<path d="M${x - 5} ${y - 5}L${x + 5} ${y + 5}M${x + 5} ${y - 5}L${x - 5} ${y + 5}" stroke="${entry.tone.fill}" stroke-width="2.5" stroke-linecap="round"/>`;
  return `${swatch}<text x="${x + 18}" y="${y + 4}" font-size="12" fill="${INK}">${esc(text)}</text>`;
}

/**
 * Renders a scenario as a complete SVG document.
 *
 * @param key the scenario's key in `marbles/index.ts`, shown in the corner.
 * @param scenario the scenario.
 * @returns the SVG text, ending in a newline.
 */
export function renderScenarioSvg(key: string, scenario: MarbleScenario): string {
  const lanes = timeline(scenario);
  const entries = legend(scenario);
  const tones = new Map(entries.filter((entry) => entry.kind === 'value').map((entry) => [entry.label, entry.tone] as const));

  const moments = lanes.flatMap((lane) => [...lane.marks.map((mark) => mark.frame), ...lane.spans.flatMap((span) => [span.from, span.to ?? 0])]);
  const scale = timeScale(moments, GUTTER, W);
  const lastX = Math.max(...lanes.flatMap((lane) => [...place(lane.marks, scale).map((mark) => mark.x), ...lane.spans.map((span) => scale.x(span.to ?? 0))]));
  const axisEnd = lastX + 2 * W;
  const legendText = (entry: LegendEntry): string => (entry.kind === 'error' ? `${entry.label}: ${entry.text}` : entry.text);
  const legendWidth = Math.max(...entries.map((entry) => PAD + 28 + legendText(entry).length * CHAR_W));
  const width = Math.max(MIN_WIDTH, axisEnd + PAD, legendWidth + PAD);

  const heading = scenario.protocolCase === 0 ? scenario.title : `Case ${scenario.protocolCase} · ${scenario.title}`;
  const claim = wrap(scenario.claim, Math.floor((width - 2 * PAD) / CHAR_W));
  const out: string[] = [
    `<text x="${PAD}" y="28" font-size="16" font-weight="700" fill="${INK}">${esc(heading)}</text>`,
    `<text x="${width - PAD}" y="28" text-anchor="end" font-size="11" fill="${MUTED}">${esc(key)}</text>`,
    ...claim.map((line, index) => `<text x="${PAD}" y="${50 + index * 17}" font-size="12" fill="${INK}">${esc(line)}</text>`),
  ];

  const axisY = 50 + claim.length * 17 + 16;
  out.push(`<text x="${GUTTER - 12}" y="${axisY + 4}" text-anchor="end" font-size="11" fill="${MUTED}">ms</text>`);
  out.push(`<line x1="${GUTTER}" y1="${axisY}" x2="${axisEnd}" y2="${axisY}" stroke="${MUTED}" stroke-width="1"/>`);
  for (let frame = 0; frame <= Math.max(...moments) + 3; frame += 1) {
    const x = scale.x(frame);
    if (scale.isCut(frame) || x >= axisEnd) continue;
    const major = frame % 5 === 0;
    out.push(`<line x1="${x}" y1="${axisY - (major ? 5 : 3)}" x2="${x}" y2="${axisY + (major ? 5 : 3)}" stroke="${MUTED}" stroke-width="1"/>`);
    if (major) out.push(`<text x="${x}" y="${axisY - 9}" text-anchor="middle" font-size="10" fill="${MUTED}">${frame}</text>`);
  }

  const firstLaneY = axisY + 40;
  const laneYs = lanes.map((_, index) => firstLaneY + index * LANE_H);
  lanes.forEach((lane, index) => out.push(...drawLane(lane, laneYs[index] ?? 0, scale, axisEnd, tones)));
  for (const x of scale.breaks) out.push(drawBreak(x, [axisY, ...laneYs]));

  const legendY = firstLaneY + (lanes.length - 1) * LANE_H + 44;
  entries.forEach((entry, index) => out.push(drawLegendEntry(entry, legendText(entry), legendY + index * 20)));
  const height = legendY + (entries.length - 1) * 20 + 10 + PAD;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}" role="img" aria-labelledby="title">`,
    `<title id="title">${esc(`${heading}: ${scenario.claim}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
