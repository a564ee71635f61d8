/**
 * The time axis of a diagram: one column per virtual millisecond, except that a long idle stretch
 * (a silent command waits 16 s) is cut down to a short break, drawn as a gap.
 */

/** Idle stretches longer than this many milliseconds are cut (the backoff and drain delays drawn stay whole). */
const MAX_GAP = 50;
/** Columns kept on each side of a cut. */
const KEEP = 2;
/** Columns a cut takes instead. */
const BREAK_COLUMNS = 2;

export interface TimeScale {
  /** The x of the centre of a millisecond's column. */
  x(frame: number): number;
  /** Whether a millisecond was cut out. */
  isCut(frame: number): boolean;
  /** The x of the middle of each break. */
  readonly breaks: readonly number[];
}

/**
 * Builds the scale for the given moments (every mark and every subscription edge).
 *
 * @param points the milliseconds that must stay visible.
 * @param left the x of the start of millisecond 0.
 * @param unit the pixels of one column.
 */
export function timeScale(points: readonly number[], left: number, unit: number): TimeScale {
  const sorted = [...new Set([0, ...points])].sort((a, b) => a - b);
  /** Cut milliseconds: `from` < frame < `to`, both ends kept. */
  const cuts: { readonly from: number; readonly to: number }[] = [];
  sorted.forEach((frame, index) => {
    const previous = sorted[index - 1];
    if (previous !== undefined && frame - previous > MAX_GAP) cuts.push({ from: previous + KEEP, to: frame - KEEP });
  });
  const column = (frame: number): number => {
    let shift = 0;
    for (const cut of cuts) {
      if (frame >= cut.to) shift += cut.to - cut.from - 1 - BREAK_COLUMNS;
    }
    return frame - shift;
  };
  return {
    x: (frame) => left + column(frame) * unit + unit / 2,
    isCut: (frame) => cuts.some((cut) => frame > cut.from && frame < cut.to),
    breaks: cuts.map((cut) => left + (column(cut.from) + 1 + BREAK_COLUMNS / 2) * unit),
  };
}
