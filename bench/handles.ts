/**
 * Active handles of this process (`process.getActiveResourcesInfo()`), counted by kind, and a wait
 * until they are back to a baseline.
 */

import { firstValueFrom, timer } from 'rxjs';

/** How many active resources of each kind there are now. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The kinds of which there are more now than in `baseline`, as `kind +n`. */
export function excess(baseline: ReadonlyMap<string, number>, now: ReadonlyMap<string, number>): string[] {
  return [...now].filter(([kind, n]) => n > (baseline.get(kind) ?? 0)).map(([kind, n]) => `${kind} +${n - (baseline.get(kind) ?? 0)}`);
}

/**
 * Polls every 50 ms until no kind exceeds `baseline` and `others()` reports nothing left, for at
 * most `limitMs`.
 * @returns the milliseconds it took, and what is still left (empty when everything is back).
 */
export async function settle(
  baseline: ReadonlyMap<string, number>,
  limitMs: number,
  others: () => Promise<string[]>,
): Promise<{ ms: number; left: string[] }> {
  const start = performance.now();
  for (;;) {
    const left = [...excess(baseline, activeResources()), ...(await others())];
    const ms = performance.now() - start;
    if (left.length === 0 || ms >= limitMs) return { ms, left };
    await firstValueFrom(timer(50));
  }
}
