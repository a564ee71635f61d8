/** Building blocks for scenario values: output, exits, probe answers, and named errors. */
import {
  AttachDisconnectedError,
  AttachRejectedError,
  ExecutionGoneError,
  ExecutionIdUnknownError,
  ReconnectBudgetExceededError,
  TokenProviderError,
} from '../src/errors.js';
import { notice, type ExecEvent, type NoticeEvent, type ReconnectReason } from '../src/events.js';
import type { ProbeResult } from '../src/protocol/probeResult.js';

/** The delivery notices, exactly as the pipeline builds them. */
export { headMayBeMissing, hostDropped, overlapUnknown } from '../src/delivery/notices.js';

const encoder = new TextEncoder();

/** Lines `line <from>\n` … `line <to>\n`: output with no repeats, to make overlaps long and distinct enough to be trusted. */
export const numberedLines = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}\n`).join('');

export const stdout = (text: string): ExecEvent => ({ type: 'stdout', data: encoder.encode(text) });
/** The stdout frames `texts` as one event, as `attach` joins the frames of one socket read. */
export const joined = (...texts: string[]): ExecEvent => ({
  type: 'stdout',
  data: encoder.encode(texts.join('')),
  frames: texts.map((text) => encoder.encode(text).length),
});
export const stderr = (text: string): ExecEvent => ({ type: 'stderr', data: encoder.encode(text) });
/** The server's exit frame. */
export const exitFrame = (exitCode: number): ExecEvent => ({ type: 'exit', exitCode, source: 'frame' });
/** The fallback exit, from the status endpoint. */
/** `started`, as the main session's first socket names its execution. */
export const startedMain: ExecEvent = { type: 'started', executionId: 'exec-1' };
export const exitProbed = (exitCode: number): ExecEvent => ({ type: 'exit', exitCode, source: 'probe' });
export const serverError = (message: string): NoticeEvent => notice('server-error', message);
export const drainIncomplete = (reason: string, exitCode: number): NoticeEvent =>
  notice('drain-incomplete', `${reason}; exit code ${exitCode} from the status endpoint`);

/**
 * Not an event: in a socket lane, the moment the server accepts the upgrade (HTTP 101). The
 * harness recognises this very object, turns it into `outbox.connect(…)` (so `outbox.opens`
 * emits) and passes nothing on. A notice in shape only, so that the diagrams can draw it.
 */
export const socketOpens: ExecEvent = Object.freeze(
  notice('reconnected', 'not an event: the socket opens (HTTP 101), outbox.opens emits; nothing reaches the subscriber'),
);

export const completed = (exitCode: number): ProbeResult => ({ state: 'terminal', status: 'completed', exitCode });
export const running: ProbeResult = { state: 'running' };
export const unavailable: ProbeResult = { state: 'unavailable', status: 503, reason: 'HTTP 503' };
export const gone: ProbeResult = { state: 'gone', message: 'execution exec-1 not found' };

/** The errors a scenario can name. Built fresh per use: errors carry stacks. */
export const errors = {
  cut: () => new AttachDisconnectedError('attach: socket closed before the exit frame (code 1006)', 1006),
  conflict: () => new AttachRejectedError('attach refused: HTTP 409', 409),
  badGateway: () => new AttachRejectedError('attach refused: HTTP 502', 502),
  evicted: () => new AttachRejectedError('attach refused: execution exec-1 not found', 404),
  gone: () => new ExecutionGoneError('exec-1', 'execution gone: execution exec-1 not found'),
  budget: () => new ReconnectBudgetExceededError(4),
  token: () => new TokenProviderError('token provider threw (see cause)', 'threw'),
  unauthorized: () => new AttachRejectedError('attach refused: invalid token (likely a wrong token or webSocketAuth)', 401, 'UNAUTHORIZED'),
  forbidden: () => new AttachRejectedError('attach refused: HTTP 403 (likely a wrong token or webSocketAuth)', 403),
  /** A refused upgrade whose status the socket does not show (a runtime's own WebSocket, a browser). */
  refusedUnknown: () => new AttachRejectedError('attach: could not connect', undefined),
  /** What an execution none of whose sockets opened ends with after refusals without a status. */
  unopened: () => new AttachRejectedError('attach refused: status unknown (likely a wrong token or webSocketAuth)', undefined),
  /** The main session's first socket named no execution (its 101's headers hidden, or no header). */
  idUnknown: () => new ExecutionIdUnknownError(),
  /** The box route refused: no main session. */
  noMainSession: () => new AttachRejectedError('attach refused: main session of box box-1 not found', 404),
} as const;

export type ErrorName = keyof typeof errors;

/** The `reconnecting` notice `reconnectWithBackoff` emits before attempt `attempt`. */
export const reconnecting = (attempt: number, reason: ReconnectReason, delay: number): NoticeEvent =>
  notice('reconnecting', `reconnecting (attempt ${attempt}, ${reason}) in ${delay} ms`, { attempt, reason, delay });

/** The `reconnected` notice: the socket of a reconnect opened, after `attempt` attempts in its run. */
export const reconnected = (attempt: number): NoticeEvent => notice('reconnected', `reconnected after ${attempt} attempt(s)`, { attempt });
