/** How the doctor writes durations and sizes in its lines. */

/**
 * A duration: `0.8 ms`, `12 ms`, `1.25 s`.
 * @param ms milliseconds.
 */
export function duration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(2)} s`;
}

/**
 * A byte count with its binary size when it is a whole number of KiB: `262144 bytes (256 KiB)`.
 * @param bytes the count.
 */
export function bytes(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes} bytes (${bytes / 1024} KiB)` : `${bytes} bytes`;
}
