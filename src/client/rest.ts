import { Observable, asyncScheduler } from 'rxjs';
import { BoxliteHttpError } from '../errors.js';
import { notice, type NoticeEvent } from '../events.js';
import { retryWithin } from '../operators/retryWithin.js';
import { isDrainingError } from '../protocol/errorBody.js';
import { httpError, httpRequest, type HttpResponse, type HttpTransport } from '../transport/http.js';
import { tokenTimeout } from '../transport/token.js';

/**
 * One REST call that must succeed, within `timeoutMs` from subscription to answer.
 *
 * ```
 * token:  -t|
 * fetch:   ---200|
 * call:   ----r|          r: the answer
 *
 * fetch:   ---404|
 * call:   ----#           BoxliteHttpError (status 404, machine code from the body)
 * ```
 *
 * A non-2xx answer becomes a `BoxliteHttpError` with the status and machine code; no answer
 * within `timeoutMs` becomes one without a status. The token provider shares that budget: one
 * that fails, or is still thinking when the budget runs out, gives a `TokenProviderError` and no
 * request is sent. Unsubscribing aborts the request.
 *
 * @example
 * restCall(http, 'kill', 'DELETE', url, 30_000).subscribe({ error: (e) => console.error(e.message) });
 */
export function restCall(
  http: HttpTransport,
  what: string,
  method: string,
  url: string,
  timeoutMs: number,
  body?: unknown,
): Observable<HttpResponse> {
  // `httpRequest` (one subscriber for the token and the request) and one more instead of `resolveToken → switchMap →
  // takeUntil(timer) → defaultIfEmpty → map`, the deadline one scheduled task: every execution makes at least one call,
  // and each operator is an allocation per call.
  return new Observable<HttpResponse>((subscriber) => {
    // A token string is known from the start; a provider's once it answers.
    let tokenKnown = typeof http.token !== 'function';
    subscriber.add(
      asyncScheduler.schedule(() => {
        subscriber.error(tokenKnown ? new BoxliteHttpError(`${what}: no answer within ${timeoutMs} ms`, undefined) : tokenTimeout(timeoutMs));
      }, timeoutMs),
    );
    const answered = (response: HttpResponse): void => {
      if (response.status < 200 || response.status > 299) {
        subscriber.error(httpError(what, response));
        return;
      }
      subscriber.next(response);
      subscriber.complete();
    };
    subscriber.add(
      httpRequest(http, method, url, body, () => (tokenKnown = true)).subscribe({ next: answered, error: (error: unknown) => subscriber.error(error) }),
    );
  });
}

/**
 * `post$` (`POST /exec`) sent again while the runner answers that it is draining for a deploy
 * (503 `{"error":"runner is draining"}`: nothing was created), 500 ms doubling to 5 s, for at most
 * `wait` ms (the last attempt at `wait`); each wait is announced first with a `server-draining` notice.
 *
 * ```
 * post$ (1st):  --d|                    d: 503 runner is draining
 * announce:       n                     n: server-draining (wait 1, delay 500)
 * post$ (2nd):        --d|              500 ms later
 * announce:             n               n: server-draining (wait 2, delay 1000)
 * post$ (3rd):                --r|      1000 ms later; r: 201
 * result:       ----------------r|
 * ```
 *
 * Any other failure, another 503 included (a proxy's page, an empty body, another shape: the
 * command may have started), errors at once. A draining answer at or after `wait` errors with
 * a `BoxliteHttpError` of its status, its message saying how long it waited
 * (`exec: runner is draining (waited 60000 ms)`), the last answer's error its `cause`.
 */
export function waitOutDraining<T>(post$: Observable<T>, wait: number, announce: (event: NoticeEvent) => void): Observable<T> {
  return post$.pipe(
    retryWithin({
      deadline: wait,
      initialDelay: 500,
      maxDelay: 5_000,
      retryable: isDrainingError,
      waiting: (delay, attempt) =>
        announce(notice('server-draining', `runner is draining: POST /exec again in ${delay} ms`, { attempt, delay })),
      // A draining error is a 503 without a code (`isDrainingError`).
      expired: (error) => new BoxliteHttpError(`${(error as Error).message} (waited ${wait} ms)`, 503, undefined, { cause: error }),
    }),
  );
}
