import { Observable, timer } from 'rxjs';
import { BoxliteHttpError } from '../errors.js';
import { httpError, sendRequest, type HttpResponse, type HttpTransport } from '../transport/http.js';
import { resolveToken, tokenTimeout } from '../transport/token.js';

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
  // One subscriber instead of `resolveToken → switchMap → takeUntil(timer) → defaultIfEmpty → map`:
  // every execution makes at least one call, and each operator is an allocation per call.
  return new Observable<HttpResponse>((subscriber) => {
    let tokenKnown = false;
    subscriber.add(
      timer(timeoutMs).subscribe(() => {
        subscriber.error(tokenKnown ? new BoxliteHttpError(`${what}: no answer within ${timeoutMs} ms`, undefined) : tokenTimeout(timeoutMs));
      }),
    );
    const answered = (response: HttpResponse): void => {
      if (response.status < 200 || response.status > 299) {
        subscriber.error(httpError(what, response));
        return;
      }
      subscriber.next(response);
      subscriber.complete();
    };
    const failed = (error: unknown): void => subscriber.error(error);
    subscriber.add(
      resolveToken(http.token).subscribe({
        next: (token) => {
          tokenKnown = true;
          subscriber.add(sendRequest(http.fetch, method, url, token, body).subscribe({ next: answered, error: failed }));
        },
        error: failed,
      }),
    );
  });
}
