// @module-tag slow/sockets
/**
 * The demo's core (`npm start`) on a small scale: through the cutting proxy, the pre-fix client
 * loses the output of cut commands, boxlite-rx `exec` loses none, repeats none, and gets every
 * exit code right.
 */

import { describe, expect, it } from 'vitest';
import { runDemo, type RoundReport } from '../../demo/runDemo.js';
import { formatTable, percentile } from '../../demo/table.js';

describe('the demo (BoxLite PR #627 replayed)', () => {
  it('2 rounds of 15 commands: boxlite-rx 0 lost, 0 duplicated, 0 wrong exit codes; pre-fix loses output', async () => {
    const rounds: RoundReport[] = [];
    const report = await runDemo({ rounds: 2, commands: 15, onRound: (round) => rounds.push(round) });
    expect(rounds.map((round) => round.round)).toEqual([1, 2]);
    const { preFix, boxliteRx } = report;
    expect(boxliteRx).toMatchObject({ commands: 30, lost: 0, duplicated: 0, wrongExit: 0, lostPerRound: [0, 0] });
    expect(boxliteRx.cut).toBeGreaterThan(0);
    expect(preFix.commands).toBe(30);
    expect(preFix.lost).toBeGreaterThan(0);
    // Cut right after the 101, a pre-fix command has no output at all, and its exit code is still right.
    expect(preFix.lost).toBe(preFix.cut);
    expect(preFix).toMatchObject({ duplicated: 0, wrongExit: 0 });
    expect(preFix.times).toHaveLength(30);
    expect(formatTable(report).split('\n')).toHaveLength(9);
  });

  it('percentile uses the nearest rank', () => {
    expect(percentile([], 50)).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});
