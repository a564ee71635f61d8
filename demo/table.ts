/**
 * Formatting of the demo's results: a Markdown table in the shape of BoxLite PR #627's, with the
 * columns padded so it also reads well in a terminal.
 */

import type { DemoReport, RoundReport, Tally } from './runDemo.js';

/** The `p`-th percentile (0-100) by the nearest-rank method; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** `93/200 (19–28 per round of 50)`, or just `0/200`. */
function lost(tally: Tally, perRound: number): string {
  const total = `${tally.lost}/${tally.commands}`;
  if (tally.lost === 0 || tally.lostPerRound.length < 2) return total;
  const low = Math.min(...tally.lostPerRound);
  const high = Math.max(...tally.lostPerRound);
  return `${total} (${low === high ? low : `${low}–${high}`}/${perRound} per round)`;
}

/** Pads each column to its widest cell. */
function render(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = rows;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** The results table. */
export function formatTable(report: DemoReport): string {
  const { preFix, boxliteRx, rounds, commandsPerRound } = report;
  const row = (label: string, cell: (tally: Tally) => string): string[] => [label, cell(preFix), cell(boxliteRx)];
  return render([
    [`${rounds}×${commandsPerRound} fast commands, first attach cut after its 101`, 'pre-fix (attach, probe, report)', 'boxlite-rx exec'],
    row('commands', (t) => String(t.commands)),
    row('first attach cut by the proxy', (t) => String(t.cut)),
    row('output lost', (t) => lost(t, commandsPerRound)),
    row('output duplicated', (t) => String(t.duplicated)),
    row('wrong exit codes', (t) => String(t.wrongExit)),
    row('median time to result', (t) => ms(percentile(t.times, 50))),
    row('p95 time to result', (t) => ms(percentile(t.times, 95))),
  ]);
}

/** One progress line, printed after each round. */
export function formatRound(round: RoundReport): string {
  const last = (tally: Tally): number => tally.lostPerRound.at(-1) ?? 0;
  const per = round.preFix.commands / round.round;
  return (
    `round ${round.round}/${round.rounds}: ` +
    `pre-fix lost output in ${last(round.preFix)}/${per} commands, ` +
    `boxlite-rx in ${last(round.boxliteRx)}/${per} (${round.boxliteRx.duplicated} duplicated so far)`
  );
}
