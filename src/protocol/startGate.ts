/**
 * The start gate (docs/delivery.md, "Start gate"): a non-TTY `exec` runs its command behind a
 * small `sh` wrapper that reads stdin lines until one is the client's nonce, then
 * `exec "$0" "$@"`, so the command starts only once the client's socket is attached and sees its
 * output from the first byte. `exec` keeps the PID, signals, arguments and exit code.
 *
 * Before the gate opens: stdin ending exits 125, a SIGHUP, SIGINT or SIGTERM exits 128+N, each
 * with one stderr line starting `boxlite-rx: start gate:`. After it, sh's own `exec` failures
 * are one line and 127 (not found) or 126 (not executable).
 */

import type { ExecRequest } from './types.js';

/** The exit code of a gate whose stdin ended before it opened. */
export const GATE_CLOSED_EXIT = 125;

/** The wrapper's script for `nonce` (lowercase letters and digits). */
export const gateScript = (nonce: string): string =>
  `for s in 1 2 15;do trap "echo boxlite-rx: start gate: signal $s before it opened>&2;exit $((128+s))" $s;done;` +
  `while IFS= read -r l;do [ "$l" = ${nonce} ]&&exec "$0" "$@";done;` +
  `echo boxlite-rx: start gate: stdin ended before it opened>&2;exit ${GATE_CLOSED_EXIT}`;

/**
 * The request to send for `request` behind the gate of `nonce`, or `undefined` when it is not
 * gated: a TTY (the pty would echo the line) or a command beginning with `-` (bash's `exec`
 * reads it as an option).
 */
export const gatedRequest = (request: ExecRequest, nonce: string): ExecRequest | undefined =>
  request.tty || request.command[0] === '-'
    ? undefined
    : { ...request, command: 'sh', args: ['-c', gateScript(nonce), request.command, ...(request.args ?? [])] };
