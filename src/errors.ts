/**
 * Typed errors. Every error this library creates extends `BoxliteError`; each has a stable `name`.
 * Branch on them with the guards: `isBoxliteError` checks a brand registered with `Symbol.for`,
 * the `isXxxError` guards compare names, so all of them work when the package is loaded twice (ESM
 * and CJS side by side), where `instanceof` does not.
 */
import type { ProbeResult } from './protocol/probeResult.js';

/** The brand of every error of this library: a registry symbol, the same in every copy of the package. */
const BRAND: unique symbol = /* @__PURE__ */ Symbol.for('boxlite-rx.error');

function hasName(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === name;
}

/**
 * The base class of every error this library creates, so one `catchError` can tell them from the
 * rest. Bad options and arguments are the exception: they throw plain `TypeError`/`RangeError`.
 *
 * @example
 * client.exec(box, request).pipe(catchError((e) => (isBoxliteError(e) ? of(fallback) : throwError(() => e))));
 */
export class BoxliteError extends Error {
  /** The brand `isBoxliteError` checks (set in the constructor: a computed field would keep the class in every bundle). */
  declare readonly [BRAND]: true;
  override readonly name: string = 'BoxliteError';

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this[BRAND] = true;
  }
}

/**
 * Whether `value` is an error of this library (any subclass of `BoxliteError`), from any copy of
 * the package: ES module and CommonJS builds loaded side by side included.
 */
export function isBoxliteError(value: unknown): value is BoxliteError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * What the two HTTP-answer errors share (`BoxliteHttpError`, `AttachRejectedError`): the status
 * and the body's machine code. Its message never holds the token, even when a server echoes it.
 */
export abstract class HttpStatusError extends BoxliteError {
  constructor(
    message: string,
    /** HTTP status (404, 409, 401, 502, …); `undefined` when no answer came (network error, timeout). */
    readonly status: number | undefined,
    /** Machine code from the body (`not_found`, `UNAUTHORIZED`, …) when there is one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A REST call answered with a non-success status, or could not be made at all. */
export class BoxliteHttpError extends HttpStatusError {
  override readonly name = 'BoxliteHttpError';
}
export const isBoxliteHttpError = (e: unknown): e is BoxliteHttpError => hasName(e, 'BoxliteHttpError');

/** The attach upgrade was refused, or no connection could be made. */
export class AttachRejectedError extends HttpStatusError {
  override readonly name = 'AttachRejectedError';
}
export const isAttachRejectedError = (e: unknown): e is AttachRejectedError => hasName(e, 'AttachRejectedError');

/** Whether `e` is one of the two HTTP-answer errors, with a `status` and maybe a `code`. */
export const isHttpStatusError = (e: unknown): e is HttpStatusError => isBoxliteHttpError(e) || isAttachRejectedError(e);

/** The attach socket ended (or went silent) before the exit frame. */
export class AttachDisconnectedError extends BoxliteError {
  override readonly name = 'AttachDisconnectedError';
  constructor(
    message: string,
    /** WebSocket close code (1006 for a cut without a Close frame). */
    readonly closeCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
export const isAttachDisconnectedError = (e: unknown): e is AttachDisconnectedError =>
  hasName(e, 'AttachDisconnectedError');

/** The server no longer knows the execution (404: unknown or evicted). Final. */
export class ExecutionGoneError extends BoxliteError {
  override readonly name = 'ExecutionGoneError';
  constructor(
    readonly executionId: string,
    message = `execution ${executionId} is gone (unknown or evicted)`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
export const isExecutionGoneError = (e: unknown): e is ExecutionGoneError => hasName(e, 'ExecutionGoneError');

/**
 * `followMain` could not learn the main session's execution id: its 101 had no
 * `X-Boxlite-Execution-Id`, or the socket does not show a 101's headers (a runtime's own
 * WebSocket, a browser). Final: it never follows without an id.
 */
export class ExecutionIdUnknownError extends BoxliteError {
  override readonly name = 'ExecutionIdUnknownError';
  constructor() {
    super("followMain: no X-Boxlite-Execution-Id on the 101 (a browser's WebSocket hides it: use ws)");
  }
}
export const isExecutionIdUnknownError = (e: unknown): e is ExecutionIdUnknownError => hasName(e, 'ExecutionIdUnknownError');

/**
 * The connection was lost while the execution may still run (probe said `running`, or could
 * not tell). Retryable: a downstream `retry` reconnects.
 */
export class ReconnectRequiredError extends BoxliteError {
  override readonly name = 'ReconnectRequiredError';
  constructor(
    /** What the probe said. */
    readonly probe: ProbeResult,
    options?: { cause?: unknown },
  ) {
    super(`attach lost and the execution is not known to be finished (probe: ${probe.state})`, options);
  }
}
export const isReconnectRequiredError = (e: unknown): e is ReconnectRequiredError =>
  hasName(e, 'ReconnectRequiredError');

/** Reconnecting did not succeed within the configured budget. `cause` is the last failure. */
export class ReconnectBudgetExceededError extends BoxliteError {
  override readonly name = 'ReconnectBudgetExceededError';
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`gave up reconnecting after ${attempts} attempt(s)`, options);
  }
}
export const isReconnectBudgetExceededError = (e: unknown): e is ReconnectBudgetExceededError =>
  hasName(e, 'ReconnectBudgetExceededError');

/** What went wrong with a token provider: see `TokenProviderError`. */
export type TokenProviderFailure = 'threw' | 'rejected' | 'unusable' | 'timeout';

/**
 * The token provider (the `token` option as a function) threw, rejected, returned something that
 * cannot be sent as a bearer token (not a non-empty string, or a character an HTTP header value
 * may not hold, such as CR or LF), or did not answer within the connection's budget. The message
 * never contains a token; `cause` is the provider's own error, when it gave one.
 */
export class TokenProviderError extends BoxliteError {
  override readonly name = 'TokenProviderError';
  constructor(
    message: string,
    /** Which way the provider failed. */
    readonly failure: TokenProviderFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
export const isTokenProviderError = (e: unknown): e is TokenProviderError => hasName(e, 'TokenProviderError');

/**
 * An optional peer dependency is needed here and not installed: `ws` to attach from Node without a
 * `WebSocket` option (`exec` checks before its `POST`, so no command starts that could not be
 * followed) and for the emulator of `boxlite-rx/testing`; `cross-fetch` where there is no global
 * `fetch`. The message names the package and the install command.
 */
export class MissingPeerDependencyError extends BoxliteError {
  override readonly name = 'MissingPeerDependencyError';
  constructor(
    message: string,
    /** The package to install (`ws`, `cross-fetch`). */
    readonly packageName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
export const isMissingPeerDependencyError = (e: unknown): e is MissingPeerDependencyError =>
  hasName(e, 'MissingPeerDependencyError');
