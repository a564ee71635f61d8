import { HttpClient, HttpContext, HttpContextToken, HttpErrorResponse, type HttpResponse } from '@angular/common/http';
import type { FetchLike } from 'boxlite-rx';

/**
 * Set on every request the client sends through `HttpClient`: an interceptor reads
 * `req.context.get(BOXLITE_REQUEST)` to treat BoxLite calls apart (add its token, skip a retry).
 *
 * @example
 * const authInterceptor: HttpInterceptorFn = (req, next) =>
 *   req.context.get(BOXLITE_REQUEST) ? next(req.clone({ setHeaders: { authorization: `Bearer ${inject(Auth).token()}` } })) : next(req);
 */
export const BOXLITE_REQUEST = new HttpContextToken<boolean>(() => false);

type FetchAnswer = Awaited<ReturnType<FetchLike>>;

/**
 * A `FetchLike` that sends each REST call (`POST /exec`, status probes, signal, resize, kill)
 * through Angular's `HttpClient`, so the app's interceptors and `HttpTestingController` see it.
 *
 * ```
 * client:  POST /exec ──▶ HttpClient ──▶ interceptors ──▶ backend
 * answer:  any status resolves ◀── HttpResponse | HttpErrorResponse (status > 0)
 * failure: rejects       ◀── HttpErrorResponse (status 0), an interceptor's error
 * ```
 *
 * Every status resolves, as with `fetch`: the client reads the error body itself. Only a request
 * that got no answer rejects, with the network's own error when there is one. Aborting the signal
 * unsubscribes, which cancels the request. Requests carry `BOXLITE_REQUEST` in their context and
 * stay out of the SSR transfer cache: a status must never be replayed from it.
 *
 * @example
 * createRunnerClient({ baseUrl, fetch: httpClientFetch(inject(HttpClient)) });
 * @see provideBoxliteClient, which does this for you
 */
export function httpClientFetch(http: HttpClient): FetchLike {
  return (url, init) =>
    new Promise<FetchAnswer>((resolve, reject) => {
      const { signal } = init;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        subscription.unsubscribe();
        reject(signal.reason);
      };
      const settle = (): void => signal.removeEventListener('abort', onAbort);
      const subscription = http
        .request(init.method, url, {
          body: init.body ?? null,
          headers: init.headers,
          context: new HttpContext().set(BOXLITE_REQUEST, true),
          observe: 'response',
          responseType: 'text',
          transferCache: false,
        })
        .subscribe({
          next(response: HttpResponse<string>) {
            settle();
            resolve(answer(response.status, response.statusText, response.body ?? '', response.headers));
          },
          error(error: unknown) {
            settle();
            if (error instanceof HttpErrorResponse && error.status !== 0) {
              resolve(answer(error.status, error.statusText, typeof error.error === 'string' ? error.error : ''));
            } else {
              reject(networkError(error));
            }
          },
        });
      if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
    });
}

function answer(status: number, statusText: string, body: string, headers?: FetchAnswer['headers']): FetchAnswer {
  return { status, statusText, ...(headers && { headers }), text: () => Promise.resolve(body) };
}

/**
 * What a request without an answer failed with: the backend's own error when it is one (`fetch
 * failed`, its cause the socket's code), else an `Error` with Angular's message and the backend's
 * report as cause (an XHR gives a bare `ProgressEvent`). Anything else, such as an interceptor's
 * error, as it is.
 */
function networkError(error: unknown): unknown {
  if (!(error instanceof HttpErrorResponse)) return error;
  return error.error instanceof Error ? error.error : new Error(error.message.trim(), { cause: error.error });
}
