/**
 * Figures, summary statistics and the printed table shared by every benchmark.
 */

/** One line of the results table. */
export interface Figure {
  /** The figure's number in the issue, with a letter when it has several lines (`1a`). */
  readonly id: string;
  readonly name: string;
  /** boxlite-rx's value, formatted. */
  readonly ours: string;
  /** The baseline's value, formatted, naming the baseline. */
  readonly baseline: string;
  /** `ours / baseline` (CPU or time: lower is better), formatted, rate ratios beside it, or `–`. */
  readonly ratio: string;
  /** The floor (what must be reached) and, where it differs, the target. */
  readonly target: string;
  /** Whether the floor is met. */
  readonly met: boolean;
  /** Whether the target is met, where it differs from the floor. */
  readonly targetMet?: boolean;
  /** The raw numbers behind the line, for tests and for the record. */
  readonly values: Readonly<Record<string, number>>;
}

/** Where a benchmark prints its raw numbers. */
export type Log = (line: string) => void;

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The `p`th percentile of `values`, nearest rank (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** `n` with `digits` decimals. */
export function fixed(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** A ratio as `0.93×`, truncated (never rounded up past a target). */
export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${(Math.floor(ratio * 100) / 100).toFixed(2)}×` : `${ratio}×`;
}

/** Bytes per millisecond as MiB/s. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / 2 ** 20 / (ms / 1000);
}

/** Bytes as MiB. */
export function mib(bytes: number): number {
  return bytes / 2 ** 20;
}

/**
 * A ratio (boxlite-rx's CPU or time ÷ the baseline's, lower is better) against issue 25's floor
 * and target: the `target` text and whether each is met.
 */
export function bounded(ratio: number, floor: number, target: number): Pick<Figure, 'target' | 'met' | 'targetMet'> {
  return { target: `≤ ${fixed(floor, 2)}× (target ≤ ${fixed(target, 2)}×)`, met: ratio <= floor, targetMet: ratio <= target };
}

const yes = (met: boolean): string => (met ? 'yes' : '**no**');

/** The results table, GitHub markdown. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = [
    '| # | figure | boxlite-rx | baseline | ratio: boxlite-rx ÷ baseline, CPU or time (lower is better); rate ratios beside (higher is better) | floor (target) | floor met? | target met? |',
    '|---|---|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.id} | ${f.name} | ${f.ours} | ${f.baseline} | ${f.ratio} | ${f.target} | ${yes(f.met)} | ${yes(f.targetMet ?? f.met)} |`),
  ];
  return rows.join('\n');
}
