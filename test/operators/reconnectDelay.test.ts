/**
 * `reconnectDelay` against the table in `reconnectWithBackoff`'s JSDoc: one case per row, each
 * named by the row's text as the JSDoc has it (the test reads it from there, so the two cannot
 * drift apart), with the defaults the table names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReconnectReason } from '../../src/events.js';
import { REFUSED_BACKOFF } from '../../src/limits.js';
import { backoffOf, reconnectDelay, type ReconnectDelays } from '../../src/operators/reconnectDelay.js';

const defaults: ReconnectDelays = { initialDelay: 15_000, maxDelay: 30_000, refused: REFUSED_BACKOFF };

/** The rows of the table `| the failure | the delay |` in the operator's JSDoc, as `[failure, delay]`. */
function documentedRows(): [string, string][] {
  const source = readFileSync(new URL('../../src/operators/reconnectWithBackoff.ts', import.meta.url), 'utf8');
  const lines = source.split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
  const header = lines.indexOf('| the failure | the delay |');
  const rows: [string, string][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [failure = '', delay = ''] = line.split('|').slice(1, -1).map((cell) => cell.trim());
    rows.push([failure, delay]);
  }
  return rows;
}

/** A failure of a run, and the delay the table gives it: `[reason, failures, unavailable, refused, delay]`, the failure counted in. */
type Example = [ReconnectReason, number, number, number, number];

/** Each row of the table, by its documented text, with the failures that fall in it. */
const table: [string, string, Example[]][] = [
  ['a cut (the socket had opened), probe `running`, first in the run', '0: at once', [['cut', 1, 0, 0, 0]]],
  [
    'a refused connect (409 slot held, 502, token provider failure), or a repeat, probe `running`',
    '`refused`: 50 ms doubling to 2 s',
    [
      ['conflict', 1, 0, 1, 50], ['refused', 2, 0, 2, 100], ['token', 3, 0, 3, 200], ['cut', 2, 0, 1, 50], ['cut', 3, 1, 2, 100],
      ['conflict', 6, 0, 6, 1_600], ['conflict', 7, 0, 7, 2_000], ['conflict', 20, 0, 20, 2_000],
    ],
  ],
  [
    'probe `unavailable` (network, timeout, 5xx)',
    '`initialDelay` doubling to `maxDelay` (15 s → 30 s)',
    [['unavailable', 1, 1, 0, 15_000], ['unavailable', 2, 2, 0, 30_000], ['unavailable', 5, 2, 3, 30_000], ['unavailable', 9, 9, 0, 30_000]],
  ],
];

describe('reconnectDelay: the table of reconnectWithBackoff, row by row', () => {
  it('the cases below are the rows of the documented table, in its order', () => {
    expect(table.map(([failure, delay]) => [failure, delay])).toEqual(documentedRows());
  });

  describe.each(table)('%s: %s', (_failure, _delay, examples) => {
    it.each(examples)('%s, the run at %i failure(s), %i unavailable, %i refused: %i ms', (reason, failures, unavailable, refused, delay) => {
      expect(reconnectDelay({ startedAt: 0, failures, unavailable, refused }, reason, defaults)).toBe(delay);
    });
  });

  it('each row draws on its own count: refusals do not grow the unavailable backoff, nor the other way round', () => {
    const delays: ReconnectDelays = { initialDelay: 10, maxDelay: 1_000, refused: { initialDelay: 1, maxDelay: 1_000 } };
    expect(reconnectDelay({ startedAt: 0, failures: 4, unavailable: 1, refused: 3 }, 'unavailable', delays)).toBe(10);
    expect(reconnectDelay({ startedAt: 0, failures: 4, unavailable: 3, refused: 1 }, 'conflict', delays)).toBe(1);
  });

  it('backoffOf names the row: none, refused or unavailable', () => {
    expect(backoffOf('cut', 1)).toBe('none');
    expect(backoffOf('cut', 2)).toBe('refused');
    for (const reason of ['conflict', 'refused', 'token'] as const) expect(backoffOf(reason, 1)).toBe('refused');
    expect(backoffOf('unavailable', 1)).toBe('unavailable');
  });
});
