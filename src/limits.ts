/**
 * The limits that more than one module reads, each stated once: the client, its operators and
 * the emulator all take them from here.
 */

/** The longest delay a timer can wait (2^31 - 1 ms): past it, Node's and browsers' timers fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The runner's largest stdin frame (1 MiB): longer input is sent as frames of this size. */
export const MAX_STDIN_FRAME_BYTES = 1024 * 1024;

/** The largest terminal width or height the runner accepts; the smallest is 1. */
export const MAX_TERMINAL_DIMENSION = 65_535;

/** Whether a terminal width or height is one the runner accepts: an integer from 1 to 65535. */
export function isTerminalDimension(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_TERMINAL_DIMENSION;
}

/** The backoff after a refused connect (a 409 slot still held, a 502): 50 ms doubling to 2 s. */
export const REFUSED_BACKOFF = { initialDelay: 50, maxDelay: 2_000 } as const;

/**
 * The delay before attempt `attempt` (1, 2, …) of a doubling backoff: `initialDelay`, then twice
 * the one before, never more than `maxDelay`.
 */
export function doublingDelay(initialDelay: number, maxDelay: number, attempt: number): number {
  return Math.min(initialDelay * 2 ** (attempt - 1), maxDelay);
}
