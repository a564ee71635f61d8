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
  it('no run of any kind of output loses or repeats a byte without a notice (648 runs)', () => {
    const rows = alignmentTable(3, 12, DEFAULT_RING_BYTES, 20_261_202);
    expect(rows).toHaveLength(18);
    for (const { kind, shape, counts } of rows) {
      expect(counts.silent, `${kind} / ${shape}: silent`).toBe(0);
      expect(counts.exact + counts['false-alarm'] + counts.announced, `${kind} / ${shape}: runs`).toBe(36);
      expect(counts.announced, `${kind} / ${shape}: some runs lost output on the server`).toBeGreaterThan(0);
    }
    const total = (verdict: 'exact' | 'false-alarm') => rows.reduce((sum, row) => sum + row.counts[verdict], 0);
    expect(total('exact')).toBeGreaterThan(200);
  });
});
