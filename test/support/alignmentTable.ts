/**
 * Runs many simulated reconnects per kind of realistic output and replay shape, and counts the
 * verdicts: the measured false-alarm rate of the alignment rules, and proof of no silent error.
 */
import { randomInt, seededRandom } from '../../demo/prng.js';
import type { ReplayShape, ReplayShapeOption } from '../../src/delivery/replayCursor.js';
import { OUTPUT_KINDS, realisticOutput, type OutputKind } from './realisticOutput.js';
import { simulateReconnect, type Verdict } from './replaySimulation.js';

export type Counts = Record<Verdict, number>;

export interface Row {
  readonly kind: OutputKind;
  /** The server's replay shape. */
  readonly shape: ReplayShape;
  /** The client's `replayShape` option: the server's shape, or `auto`. */
  readonly client: ReplayShapeOption;
  readonly counts: Counts;
}

/**
 * `streams` × `cutsPerStream` reconnects for each kind, server shape and client option (the
 * server's shape, `auto`): streams of about three rings,
 * each cut after a random number of chunks, a random amount written while away (from nothing to past a whole ring), and a
 * few live chunks after the replay.
 */
export function alignmentTable(streams: number, cutsPerStream: number, ringBytes: number, seed: number): Row[] {
  const rows: Row[] = [];
  for (const [shape, client] of [['ring', 'ring'], ['ring', 'auto'], ['chunks', 'chunks'], ['chunks', 'auto']] as const) {
    for (const kind of OUTPUT_KINDS) {
      const counts: Counts = { exact: 0, 'false-alarm': 0, announced: 0, silent: 0 };
      const random = seededRandom(seed);
      for (let stream = 0; stream < streams; stream += 1) {
        const chunks = realisticOutput(kind, ringBytes * 3, randomInt(random, 1, 2 ** 30));
        for (let cut = 0; cut < cutsPerStream; cut += 1) {
          const delivered = randomInt(random, 1, Math.max(1, chunks.length - 2));
          const away = randomInt(random, 0, chunks.length - delivered);
          const after = randomInt(random, 0, 3);
          counts[simulateReconnect({ shape, client, ringBytes, chunks, delivered, away, after })] += 1;
        }
      }
      rows.push({ kind, shape, client, counts });
    }
  }
  return rows;
}

/** The table as Markdown, with the false-alarm rate among the runs the server could replay in full. */
export function formatTable(rows: readonly Row[]): string {
  const lines = [
    '| output | server | client | runs | exact | false alarm | announced loss | silent | false-alarm rate |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { kind, shape, client, counts } of rows) {
    const runs = counts.exact + counts['false-alarm'] + counts.announced + counts.silent;
    const recoverable = counts.exact + counts['false-alarm'];
    const rate = recoverable === 0 ? '–' : `${((100 * counts['false-alarm']) / recoverable).toFixed(1)} %`;
    lines.push(`| ${kind} | ${shape} | ${client} | ${runs} | ${counts.exact} | ${counts['false-alarm']} | ${counts.announced} | ${counts.silent} | ${rate} |`);
  }
  return lines.join('\n');
}
