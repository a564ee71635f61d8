import { map, throwError, timeout, type Observable } from 'rxjs';
import { BoxliteHttpError } from '../errors.js';
import { httpError, httpRequest, type HttpResponse, type HttpTransport } from '../transport/http.js';

/**
 * One REST call that must succeed: a non-2xx answer becomes a `BoxliteHttpError` with the status
 * and machine code; no answer within `timeoutMs` becomes one without a status.
 */
export function restCall(
  http: HttpTransport,
  what: string,
  method: string,
  url: string,
  timeoutMs: number,
  body?: unknown,
): Observable<HttpResponse> {
  return httpRequest(http, method, url, body).pipe(
    timeout({
      first: timeoutMs,
      with: () => throwError(() => new BoxliteHttpError(`${what}: no answer within ${timeoutMs} ms`, undefined)),
    }),
    map((response) => {
      if (response.status < 200 || response.status > 299) throw httpError(what, response);
      return response;
    }),
  );
}
