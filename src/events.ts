import type { OutputStream } from './protocol/types.js';

/** `exec` names the execution before anything else. */
export interface StartedEvent {
  readonly type: 'started';
  readonly executionId: string;
}

/** Output bytes, exactly as the process wrote them (never decoded). */
export interface OutputEvent {
  readonly type: OutputStream;
  readonly data: Uint8Array;
}

/** The one final event. */
export interface ExitEvent {
  readonly type: 'exit';
  readonly exitCode: number;
  /** `frame`: the server's exit frame; `probe`: the status endpoint (the drain fell back). */
  readonly source: 'frame' | 'probe';
  /** The server's diagnostic, when the status carried one. */
  readonly message?: string;
}

/**
 * Something the user should know that does not stop the stream.
 * - `server-error`: the server sent a non-fatal `{"type":"error"}` frame.
 * - `malformed-frame`: a frame could not be used (unknown channel, bad JSON, …) and was skipped.
 * - `drain-incomplete`: the re-attach after a cut did not end with an exit frame; the exit code
 *   comes from the probe and output produced after the cut may be missing.
 * - `replay-overlap-unknown`: a replay may have wrapped and could not be aligned: up to `bytes`
 *   bytes may repeat, or output before the replay may be missing.
 * - `output-lost`: the server's ring wrapped while disconnected: bytes before the replay are (or,
 *   after a short chance match, may be) missing.
 * See docs/delivery.md for exactly when each appears.
 */
export interface NoticeEvent {
  readonly type: 'notice';
  readonly kind: NoticeKind;
  readonly message: string;
  readonly stream?: OutputStream;
  /** How many bytes the notice concerns, when known. */
  readonly bytes?: number;
}

export type NoticeKind =
  | 'server-error'
  | 'malformed-frame'
  | 'drain-incomplete'
  | 'replay-overlap-unknown'
  | 'output-lost';

/** Everything `attach`, `reattach` and `exec` emit. */
export type ExecEvent = StartedEvent | OutputEvent | ExitEvent | NoticeEvent;

/** Builds a notice event. */
export function notice(
  kind: NoticeKind,
  message: string,
  extra?: { stream?: OutputStream; bytes?: number },
): NoticeEvent {
  return { type: 'notice', kind, message, ...extra };
}
