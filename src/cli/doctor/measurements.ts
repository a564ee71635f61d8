/**
 * What the doctor measured on a server, raw: the probes fill it in, the checks judge it against
 * docs/protocol.md. A measurement that could not be made is a {@link Problem} saying why.
 */

import type { BodyShape } from './bodyShape.js';

/** Why a value could not be measured, one line. */
export interface Problem {
  readonly problem: string;
}

/** A value, or why it could not be measured. */
export type Measured<T> = T | Problem;

/** Whether a measurement failed. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

/** An error answer: its status and body shape. */
export interface ErrorAnswer {
  readonly status: number;
  readonly shape: BodyShape;
}

/** The answer to `POST /exec` (the first one; without it the doctor cannot run). */
export interface ExecAnswerShape {
  readonly status: number;
  /** Whether the body is `{"execution_id":"…"}` with a non-empty string. */
  readonly executionId: boolean;
  readonly location: boolean;
}

/** The `echo` run: auth on the upgrade, its output, and how the socket closed after the exit frame. */
export interface EchoMeasure {
  readonly exec: ExecAnswerShape;
  /** 101, or the status of the refusal. */
  readonly upgrade: Measured<number>;
  /**
   * The client sends no Close: when the server's came after the exit frame, its code, and when the
   * server dropped the connection (`undefined`: not within the bound).
   */
  readonly close: Measured<{ readonly code: number; readonly closeMs: number; readonly droppedMs: number | undefined }>;
}

/** The re-attach after the burst's exit: its replay of stdout. */
export interface ReplayMeasure {
  /** Bytes the burst wrote. */
  readonly writtenBytes: number;
  /** Payload size of each stdout frame of the replay, in order. */
  readonly frameBytes: readonly number[];
  /** Whether the replay, concatenated, is the end of what was written. */
  readonly isTail: boolean;
}

/** The silent `sleep` run: pings, a second attach, then `DELETE` while attached. */
export interface SleepMeasure {
  /** Milliseconds from the upgrade to the first Ping; `none` when none came within the bound. */
  readonly firstPingMs: Measured<number | 'none'>;
  /** The answer to a second attach while the first is open: its status (101 if accepted). */
  readonly secondAttach: Measured<number>;
  /** What the attached socket got after `DELETE`, and how long after sending it the exit frame (or the end) came. */
  readonly deleted: Measured<{ readonly status: number; readonly exitCode: number | undefined; readonly closeCode: number; readonly ms: number }>;
  /** How the server read the attach query `stdin` beside this attached writer. */
  readonly readOnly: Measured<ReadOnlyMeasure>;
}

/** While a writer held the slot: the answers to an attach with `stdin=false` and with `stdin=bogus`. */
export interface ReadOnlyMeasure {
  readonly observer: number;
  readonly bogus: number;
}

/** A read-only attach to the box's main session: the status, and the `X-Boxlite-Execution-Id` of a 101. */
export interface BoxAttachMeasure {
  readonly status: number;
  readonly executionId: string | undefined;
}

/** `GET /boxes/{boxId}/executions`: the status, and for a 200 the number of entries (`undefined`: not a well-formed list). */
export interface ListingMeasure {
  readonly status: number;
  readonly entries: number | undefined;
}

/** Every frame the doctor received, judged one by one. */
export interface FrameTally {
  readonly count: number;
  /** One line per malformed frame or broken order (output after the exit frame, two exit frames). */
  readonly problems: readonly string[];
}

/** Everything measured. */
export interface Measurements {
  /** Whether a token was given (a server may need none). */
  readonly tokenGiven: boolean;
  /** Median round trip of a small GET. */
  readonly rttMs: Measured<number>;
  /** A `GET` of an execution that does not exist. */
  readonly notFound: Measured<ErrorAnswer>;
  /** The same `GET` with a wrong token. */
  readonly wrongToken: Measured<ErrorAnswer>;
  readonly echo: EchoMeasure;
  readonly replay: Measured<ReplayMeasure>;
  readonly sleep: SleepMeasure;
  readonly boxAttach: Measured<BoxAttachMeasure>;
  readonly listing: Measured<ListingMeasure>;
  readonly frames: FrameTally;
}
