/**
 * The client behaviour before BoxLite PR #627, built from this library's own `attach` and
 * `probe` observables so that the comparison with `exec` is fair: same sockets, same decoding,
 * same status endpoint. Only the recovery policy differs.
 */

import { catchError, concatMap, of, throwError, type Observable } from 'rxjs';
import {
  ExecutionGoneError,
  ReconnectRequiredError,
  isRecoverableAttachFailure,
  reconnectWithBackoff,
  type ExecEvent,
  type RunnerClient,
} from '../src/index.js';

/**
 * Follows an execution the pre-fix way: attach; when the socket ends before the exit frame (or
 * the connect fails), probe the status once. A terminal status is reported at once as the exit
 * code, with whatever output had arrived, and never re-attached: the output still in the server's
 * buffer is lost. A running (or unknown) status reconnects, a gone one fails.
 *
 * ```
 * attach:  --o--#           cut right after the upgrade: no frame arrived
 * probe:        --t|        completed, exit code 0
 * result:  --------(x|)     exit 0 with empty output: the bug
 * ```
 *
 * @param client the client whose `attach` and `probe` are used.
 * @param boxId the box.
 * @param executionId the execution to follow.
 * @returns the events of one execution, ending in exactly one exit.
 */
export function preFixFollow(client: RunnerClient, boxId: string, executionId: string): Observable<ExecEvent> {
  return client.attach(boxId, executionId).pipe(
    catchError((error: unknown) => {
      if (!isRecoverableAttachFailure(error)) return throwError(() => error);
      return client.probe(boxId, executionId).pipe(
        concatMap((result): Observable<ExecEvent> => {
          switch (result.state) {
            case 'terminal':
              return of({ type: 'exit', exitCode: result.exitCode, source: 'probe' });
            case 'gone':
              return throwError(() => new ExecutionGoneError(executionId, undefined, { cause: error }));
            default:
              return throwError(() => new ReconnectRequiredError(result, { cause: error }));
          }
        }),
      );
    }),
    reconnectWithBackoff({ initialDelay: 50, maxDelay: 200, budget: 5_000 }),
  );
}
