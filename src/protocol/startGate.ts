/**
 * The start gate (docs/delivery.md, "Start gate"): a non-TTY `exec` runs its command behind a
 * small `sh` wrapper that reads stdin lines until one is the client's nonce, then
 * `exec "$0" "$@"`, so the command starts only once the client's socket is attached and sees its
 * output from the first byte. `exec` keeps the PID, signals, arguments and exit code.
 *
 * A gate that cannot open (stdin ends, or SIGHUP, SIGINT, SIGTERM before it opened) exits 125 with
 * one stderr line, `boxlite-rx: start gate closed: stdin ended` (or `: signal`). After it, sh's
 * own `exec` failures are one line and 127 (not found) or 126 (not executable).
 */

import type { ExecRequest } from './types.js';

/** The exit code of a gate that could not open. */
export const GATE_CLOSED_EXIT = 125;

/** The wrapper's script for `nonce` (lowercase letters and digits). */
export const gateScript = (nonce: string): string =>
  `g(){ echo "boxlite-rx: start gate closed: $1">&2;exit ${GATE_CLOSED_EXIT};};trap 'g signal' 1 2 15;` +
  `while IFS= read -r l;do [ "$l" = ${nonce} ]&&exec "$0" "$@";done;g 'stdin ended'`;

/**
 * The request to send for `request` behind the gate of `nonce`, or `undefined` when it is not
 * gated: a TTY (the pty would echo the line) or a command beginning with `-` (bash's `exec`
 * reads it as an option).
 */
export const gatedRequest = (request: ExecRequest, nonce: string): ExecRequest | undefined =>
  request.tty || request.command[0] === '-'
    ? undefined
    : { ...request, command: 'sh', args: ['-c', gateScript(nonce), request.command, ...(request.args ?? [])] };
