import { catchError, type Observable } from 'rxjs';
import { ExecutionIdUnknownError } from '../errors.js';
import type { ExecEvent } from '../events.js';
import type { UpgradeHeaders } from '../transport/webSocket.js';

/** Which execution a followed pipeline attaches to, and how. */
export interface FollowTarget {
  /** Its id; the box's main session's is unknown until its first socket opened. */
  id?: string | undefined;
  /** Attach with `?stdin=false` and send nothing (`observe`). */
  readonly readOnly?: boolean | undefined;
  /** The main session's subscriber: its `started` and a failure before the id is known go to it. */
  readonly main?: Subscriber | undefined;
}

/** What a main session's target needs of its subscriber. */
type Subscriber = { next(event: ExecEvent): void; error(error: unknown): void };

/** Called at a socket's open with its 101's headers (`undefined` where the platform hides them). */
export type OpenedHook = (headers: UpgradeHeaders | undefined) => void;

/**
 * One socket of `target`: `open(hook)` opens it, with `hook` while the main session's id is not
 * known yet. The hook reads the id from the 101 and emits `started` before anything the socket
 * brings; a 101 without the id ends the session with `ExecutionIdUnknownError`, and so does a
 * socket that hides its headers (a runtime's own WebSocket, a browser). An id that cannot be a
 * path segment (`.`, `..`) ends it with the `TypeError` of the first request that would use it.
 * A refusal before the id is known is final: there is nothing to probe or re-attach by.
 *
 * ```
 * open:     --o--a--     o: 101 naming e1
 * result:   --s--a--     s: started e1 (to the main subscriber); later sockets use e1's route
 *
 * open:     --o          o: 101 without the header
 * result:   --#          ExecutionIdUnknownError
 *
 * open:     --409|       refused (attached elsewhere, or the box is stopped)
 * result:   --#          AttachRejectedError, final
 * ```
 */
export function mainSessionSocket(target: FollowTarget, open: (hook?: OpenedHook) => Observable<ExecEvent>): Observable<ExecEvent> {
  const { main } = target;
  if (!main || target.id !== undefined) return open();
  const named: OpenedHook = (headers) => {
    const id = headers?.['x-boxlite-execution-id'];
    if (typeof id === 'string' && id !== '') {
      target.id = id;
      main.next({ type: 'started', executionId: id });
    } else {
      main.error(new ExecutionIdUnknownError());
    }
  };
  return open(named).pipe(
    catchError((error: unknown) => {
      // Once the socket named the session, its cut takes the recovery path like any other.
      if (target.id === undefined) main.error(error);
      throw error;
    }),
  );
}
