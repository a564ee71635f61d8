// @module-tag slow/cpu
/**
 * Simulated reconnects on realistic output at the real buffer size (256 KiB), both replay shapes:
 * never a silent loss or repeat; `npm run measure:alignment` prints the same table at a larger
 * size for docs/delivery.md (the false-alarm rates).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RING_BYTES } from '../../src/delivery/replayCursor.js';
import { alignmentTable } from '../support/alignmentTable.js';

describe('alignment on realistic output, 256 KiB buffers, one reconnect at a random point', () => {
  it('no run of any kind of output loses or repeats a byte without a notice (1,296 runs: each server shape with its own option and with auto)', () => {
    const rows = alignmentTable(3, 12, DEFAULT_RING_BYTES, 20_261_202);
    expect(rows).toHaveLength(36);
    for (const { kind, shape, client, counts } of rows) {
      expect(counts.silent, `${kind} / ${shape} / ${client}: silent`).toBe(0);
      expect(counts.exact + counts['false-alarm'] + counts.announced, `${kind} / ${shape} / ${client}: runs`).toBe(36);
      expect(counts.announced, `${kind} / ${shape} / ${client}: some runs lost output on the server`).toBeGreaterThan(0);
    }
    // `auto` against each server: the same announced losses, and at most 2 more false alarms per row
    // (one frame delivered, then a replay of periodic output: both shapes explain it; see docs/delivery.md).
    for (const row of rows.filter((candidate) => candidate.client === 'auto')) {
      const own = rows.find((candidate) => candidate.kind === row.kind && candidate.shape === row.shape && candidate.client === row.shape);
      expect(row.counts.announced, `${row.kind} / ${row.shape} / auto: announced`).toBe(own?.counts.announced);
      expect(row.counts['false-alarm'], `${row.kind} / ${row.shape} / auto: false alarms`).toBeLessThanOrEqual((own?.counts['false-alarm'] ?? 0) + 2);
    }
    const total = (verdict: 'exact' | 'false-alarm') => rows.reduce((sum, row) => sum + row.counts[verdict], 0);
    expect(total('exact')).toBeGreaterThan(400);
  });
});
