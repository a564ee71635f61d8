/**
 * Figure 6: keeping up. The emulator drops a live chunk when a client falls a full queue (256
 * chunks) behind (docs/protocol.md §4); its counter must stay 0 through figures 1, 2 and 5.
 */

import type { Figure } from './report.js';

/** Figure 6 from the drop counts measured during figures 1, 2 and 5. */
export function keepingUp(dropped: { readonly large: number; readonly small: number; readonly concurrency: number }): Figure {
  const total = dropped.large + dropped.small + dropped.concurrency;
  return {
    id: '6',
    name: 'Keeping up: emulator dropped chunks in runs 1, 2, 5',
    ours: `${dropped.large}, ${dropped.small}, ${dropped.concurrency}`,
    baseline: '–',
    ratio: '–',
    target: '0, 0, 0',
    met: total === 0,
    values: { ...dropped, total },
  };
}
