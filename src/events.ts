import type { OutputStream } from './protocol/types.js';

/** `exec` names the execution before anything else. */
export interface StartedEvent {
  readonly type: 'started';
  readonly executionId: string;
}

/**
 * Output bytes, exactly as the process wrote them (never decoded): one frame's payload, or the
 * payloads of the frames of one stream that arrived in one socket read, joined.
 */
export interface OutputEvent {
  readonly type: OutputStream;
  readonly data: Uint8Array;
  /**
   * The lengths of the frames `data` joins, in order (their sum is `data.length`), when it joins
   * more than one; absent for one frame's payload.
   */
  readonly frames?: readonly number[];
}

/** The one final event. */
export interface ExitEvent {
  readonly type: 'exit';
  readonly exitCode: number;
  /** `frame`: the server's exit frame; `probe`: the status endpoint (the drain fell back). */
  readonly source: 'frame' | 'probe';
  /** The server's diagnostic (`error_message`), when the status carried one: the probed exit, or `exitReason`. */
  readonly message?: string;
}

/**
 * Something the user should know that does not stop the stream.
 * - `server-error`: the server sent a non-fatal `{"type":"error"}` frame.
 * - `malformed-frame`: a frame could not be used (unknown channel, bad JSON, …) and was skipped.
 * - `drain-incomplete`: the re-attach after a cut did not end with an exit frame; the exit code
 *   comes from the probe and output produced after the cut may be missing.
 * - `replay-overlap-unknown`: a replay could not be aligned with certainty and was delivered
 *   whole: up to `bytes` bytes may repeat, and output written while disconnected may be missing.
 * - `output-lost`: the server's buffer no longer holds some output: bytes before the replay are
 *   (or, for a first replay that filled the buffer, may be) missing.
 *   Also the host's own loss marker in the stream, with `bytes` (see `skipReplayed`'s `keepLossMarkers`).
 * - `reconnecting`: the connection was lost while the process may run; attempt `attempt` of the
 *   current run of failures follows in `delay` ms, for `reason`.
 * - `reconnected`: the server accepted a new attach socket.
 * - `server-draining`: the runner is draining for a deploy and refused `POST /exec` (503, nothing
 *   was created); `exec` sends it again in `delay` ms (its `attempt`-th wait), within
 *   `drainingWait`. It comes before `started`.
 * See docs/delivery.md for exactly when each appears.
 */
export interface NoticeEvent {
  readonly type: 'notice';
  readonly kind: NoticeKind;
  readonly message: string;
  readonly stream?: OutputStream;
  /** How many bytes the notice concerns, when known. */
  readonly bytes?: number;
  /** `reconnecting`: which attempt of the current run of failures this is (1, 2, …); `server-draining`: which wait. */
  readonly attempt?: number;
  /** `reconnecting`: why. */
  readonly reason?: ReconnectReason;
  /** `reconnecting`, `server-draining`: milliseconds until the attempt. */
  readonly delay?: number;
}

/**
 * Why a reconnect is needed: `cut` (the socket ended while the process runs), `conflict` (409: the
 * server still holds the old socket's slot), `refused` (another refused or failed connect),
 * `token` (the token provider failed), `unavailable` (the status probe failed: network, timeout, 5xx).
 */
export type ReconnectReason = 'cut' | 'conflict' | 'refused' | 'token' | 'unavailable';

export type NoticeKind =
  | 'server-error'
  | 'malformed-frame'
  | 'drain-incomplete'
  | 'replay-overlap-unknown'
  | 'output-lost'
  | 'reconnecting'
  | 'reconnected'
  | 'server-draining';

/** Everything `attach`, `reattach` and `exec` emit. */
export type ExecEvent = StartedEvent | OutputEvent | ExitEvent | NoticeEvent;

/** Builds a notice event. */
export function notice(
  kind: NoticeKind,
  message: string,
  extra?: { stream?: OutputStream; bytes?: number; attempt?: number; reason?: ReconnectReason; delay?: number },
): NoticeEvent {
  return { type: 'notice', kind, message, ...extra };
}
