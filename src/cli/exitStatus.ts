import { writeSync } from 'node:fs';
import { isSpawnFailure } from '../protocol/errorBody.js';

/**
 * The exit statuses of `boxlite-rx` besides the command's own. A command may itself exit with any
 * of them; none can be told apart from the command's by the number alone, so each is documented
 * in `--help` together with the line it prints (or, for 141, the closed stdout that caused it).
 */

/** Bad command line: one line on stderr (the shell convention for usage errors). */
export const USAGE_ERROR = 2;
/** `--strict` and a warning was printed: replaces the command's exit code, after all output. */
export const STRICT_WARNING = 124;
/** A failure of the client itself at run time: one line on stderr. */
export const CLIENT_FAILURE = 125;
/** The box could not start the program: not found (docker exec's 127). */
export const NOT_FOUND = 127;
/** The box could not start the program for another reason, e.g. not executable (docker exec's 126). */
export const CANNOT_RUN = 126;
/** Stdout was closed (EPIPE): 128 + SIGPIPE (13), the shell's status for a killed pipe writer. */
export const BROKEN_PIPE = 141;

/**
 * Whether a write failed because its reader went away: EPIPE on a pipe, ECONNRESET on a socket
 * (a parent that spawned us with `stdio: 'pipe'` and closed its end with bytes still unread).
 */
export function readerGone(error: NodeJS.ErrnoException | undefined): boolean {
  return error?.code === 'EPIPE' || error?.code === 'ECONNRESET';
}

/**
 * The status for leaving after a write to a standard stream (`name`) failed: 141 when its reader
 * went away, else 125 after one line on descriptor `stderrFd`, written directly (the stream that
 * failed may be stderr itself; if that line cannot be written either, the status says it).
 */
export function writeFailureStatus(name: string, error: NodeJS.ErrnoException, stderrFd: number): number {
  if (readerGone(error)) return BROKEN_PIPE;
  try {
    writeSync(stderrFd, `boxlite-rx: ${name}: ${error.message}\n`);
  } catch {
    // Nowhere left to say it: the status says it.
  }
  return CLIENT_FAILURE;
}

/** The status for leaving on signal `signal`: 128 + N, as a shell reports a process it killed. */
export function signalled(signal: number): number {
  return 128 + signal;
}

/**
 * The status and line for a `POST /exec` the server answered with the guest's `spawn_failed`
 * (500: the program could not be started, nothing was created), as `docker exec` reports it:
 * 127 when the program was not found, else 126; `undefined` for any other failure.
 */
export function spawnFailure(error: unknown): { status: number; line: string } | undefined {
  if (!isSpawnFailure(error)) return undefined;
  const detail = /spawn_failed: (.*?)(?: \(code=\d+\))?$/.exec(error.message)?.[1];
  if (detail === undefined) return undefined;
  return { status: /ENOENT|not found|no such file/i.test(detail) ? NOT_FOUND : CANNOT_RUN, line: `cannot start the command: ${detail}` };
}
