import {
  EMPTY,
  catchError,
  concat,
  concatMap,
  defaultIfEmpty,
  defer,
  of,
  take,
  takeUntil,
  tap,
  throwError,
  timer,
  type MonoTypeOperatorFunction,
  type Observable,
} from 'rxjs';
import { ExecutionGoneError, ReconnectRequiredError, isAttachDisconnectedError } from '../errors.js';
import { notice, type ExecEvent, type ExitEvent } from '../events.js';
import type { ProbeResult } from '../observables/probeResult.js';

const NO_PROBE_RESULT: ProbeResult = { state: 'unavailable', reason: 'the probe gave no result' };

/** Configuration of `drainOnTerminal`. */
export interface DrainOnTerminalConfig {
  /** Asks the server what became of the execution (`probe`); subscribed once per cut. */
  readonly probe: () => Observable<ProbeResult>;
  /** The drain attach (`reattach`); subscribed at most once per cut, and only after a terminal probe. */
  readonly reattach: () => Observable<ExecEvent>;
  /**
   * Milliseconds the drain may take in all, 409 retries included, before the probed exit code is
   * used instead of the server's exit frame. Default 60000.
   */
  readonly drainTimeout?: number;
  /**
   * Which errors count as a cut. Default: `AttachDisconnectedError` only. `exec` also counts a
   * failed connect (a 502 from a load balancer, a 409, a network error) so it takes the same path.
   */
  readonly isDisconnect?: (error: unknown) => boolean;
  /** Names the execution in `ExecutionGoneError`. */
  readonly executionId?: string;
}

/**
 * When the attach stream is cut, asks whether the process ended, and if it did, splices in one
 * re-attach that drains the server's buffer before the exit.
 *
 * The server keeps every byte of output in a replay ring and sends it to each new attach, so a
 * cut that races the exit frame loses nothing if the client attaches once more, at once.
 *
 * ```
 * source:    --a--#                 # AttachDisconnectedError
 * probe:          --t|              t terminal, exit code 0
 * reattach:          --a--b--x|     the ring replayed, then the server's exit frame x
 * result:    --a--------a--b--x|
 *
 * reattach:          --#            refused, cut again, or not done within drainTimeout
 * result:    --a--------(nx|)       n drain-incomplete notice, x exit code from the probe
 *
 * probe:          --r|              r running (or u unavailable)
 * result:    --a------#             ReconnectRequiredError: retry downstream
 *
 * probe:          --g|              g gone (404)
 * result:    --a------#             ExecutionGoneError
 * ```
 *
 * Exactly one exit leaves the drain: the re-attach's own exit frame when it arrives, otherwise the
 * probed exit code (source `probe`) after a `drain-incomplete` notice. The drain never waits
 * longer than `drainTimeout`, so a server that never sends exit cannot hang the client. The
 * re-attach replays bytes the source already delivered; put `skipReplayed` on both streams (as
 * `exec` does) to drop them. Errors that are not cuts pass through untouched: a `TimeoutError`
 * stays a `TimeoutError`. Source completion and unsubscription pass through as they are.
 *
 * @example
 * attach$.pipe(
 *   drainOnTerminal({ probe: () => probe$, reattach: () => reattach$ }),
 *   retry({ delay: (error) => (isReconnectRequiredError(error) ? timer(15_000) : throwError(() => error)) }),
 * );
 * @see reattach
 * @see probe
 * @see docs/marbles/README.md
 * @param config The probe and re-attach to use, and the drain's bound.
 * @returns An operator that mirrors the source and heals a cut that races the exit.
 */
export function drainOnTerminal(config: DrainOnTerminalConfig): MonoTypeOperatorFunction<ExecEvent> {
  const { drainTimeout = 60_000, isDisconnect = isAttachDisconnectedError } = config;
  if (!(drainTimeout > 0)) throw new RangeError(`drainOnTerminal: drainTimeout must be > 0, got ${drainTimeout}`);

  const afterProbe = (result: ProbeResult, cut: unknown): Observable<ExecEvent> => {
    switch (result.state) {
      case 'terminal':
        return drain(config.reattach, result, drainTimeout);
      case 'gone':
        return throwError(() => new ExecutionGoneError(config.executionId ?? 'unknown', `execution gone: ${result.message}`, { cause: cut }));
      default:
        return throwError(() => new ReconnectRequiredError(result, { cause: cut }));
    }
  };

  return (source) =>
    source.pipe(
      catchError((error: unknown) => {
        if (!isDisconnect(error)) return throwError(() => error);
        return config.probe().pipe(
          take(1),
          defaultIfEmpty(NO_PROBE_RESULT),
          concatMap((result) => afterProbe(result, error)),
        );
      }),
    );
}

function drain(
  reattach: () => Observable<ExecEvent>,
  probed: Extract<ProbeResult, { state: 'terminal' }>,
  drainTimeout: number,
): Observable<ExecEvent> {
  return defer(() => {
    let exited = false;
    let failure = 'the re-attach ended without an exit frame';
    const fallback = defer(() => {
      if (exited) return EMPTY;
      const exit: ExitEvent = {
        type: 'exit',
        exitCode: probed.exitCode,
        source: 'probe',
        ...(probed.message === undefined ? {} : { message: probed.message }),
      };
      return of(notice('drain-incomplete', `${failure}; exit code ${probed.exitCode} from the status endpoint`), exit);
    });
    const deadline = timer(drainTimeout).pipe(
      tap(() => {
        failure = `the re-attach did not finish within ${drainTimeout} ms`;
      }),
    );
    return concat(
      reattach().pipe(
        takeUntil(deadline),
        tap((event) => {
          if (event.type === 'exit') exited = true;
        }),
        catchError((error: unknown) => {
          failure = `the re-attach failed: ${error instanceof Error ? error.message : String(error)}`;
          return EMPTY;
        }),
      ),
      fallback,
    );
  });
}
