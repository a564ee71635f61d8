/**
 * Wire types of the BoxLite exec-attach protocol (docs/protocol.md §2-3).
 * These mirror the JSON the server speaks; field names stay in snake_case.
 */

/** Body of `POST /v1/.../boxes/{boxId}/exec`. */
export interface ExecRequest {
  /** Program to run (required). */
  readonly command: string;
  /** Arguments passed to the program. */
  readonly args?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Server-side time limit, at least 0.1 s. */
  readonly timeout_seconds?: number;
  /** Working directory inside the box. */
  readonly working_dir?: string;
  /** Allocate a TTY (only the stdout channel is used then). */
  readonly tty?: boolean;
}

/** Body of a `201` answer to `POST /exec`. */
export interface ExecResponse {
  readonly execution_id: string;
}

/** Statuses the servers report; `killed` and `timed_out` come from the OpenAPI file. */
export type ExecutionStatus = 'running' | 'completed' | 'killed' | 'timed_out';

/** Body of `GET /executions/{id}`. Extra fields may appear and are ignored. */
export interface ExecutionInfo {
  readonly execution_id: string;
  readonly status: ExecutionStatus;
  readonly exit_code?: number;
  readonly error_message?: string;
  /** The command and its arguments joined with spaces, omitted when empty (newer runners). */
  readonly command?: string;
  /** Whether a writing client is attached (newer runners). */
  readonly attached?: boolean;
}

/** Output channel byte that prefixes every binary frame. */
export const STDOUT_CHANNEL = 0x01;
/** Output channel byte for stderr (never used by TTY executions). */
export const STDERR_CHANNEL = 0x02;

/** Output stream names, as they appear in events. */
export type OutputStream = 'stdout' | 'stderr';

/** Text frames the server sends. */
export type ServerTextMessage =
  | { readonly type: 'exit'; readonly exit_code: number }
  | { readonly type: 'error'; readonly message: string };

/** Text frames the client sends. */
export type ClientControlMessage =
  | { readonly type: 'resize'; readonly cols: number; readonly rows: number }
  | { readonly type: 'signal'; readonly sig: number }
  | { readonly type: 'stdin_eof' };

/** Signals accepted by `POST /signal` and the in-band `signal` message. SIGKILL only via DELETE. */
export const SIGNAL_WHITELIST: ReadonlySet<number> = new Set([1, 2, 3, 6, 10, 12, 15, 28]);

/** Why the runner would refuse `signal`, or `undefined` when it is whitelisted. */
export function signalProblem(signal: number): string | undefined {
  return SIGNAL_WHITELIST.has(signal) ? undefined : `signal: ${signal} is not one of ${[...SIGNAL_WHITELIST].join(', ')}`;
}

/** Normal closure after the exit frame. */
export const CLOSE_NORMAL = 1000;
/** Server-side failure path: no exit frame. */
export const CLOSE_GOING_AWAY = 1001;
/** Panic or "pump drain timed out": no exit frame. */
export const CLOSE_INTERNAL_ERROR = 1011;
