import { Observable, concatMap } from 'rxjs';
import { BoxliteHttpError } from '../errors.js';
import { parseErrorBody } from '../protocol/errorBody.js';
import { redact } from './redact.js';

export { parseJson } from '../protocol/json.js';
import { authHeaders, resolveToken, type TokenSource } from './token.js';

/** The subset of `fetch` this library uses; inject the browser's or any compatible one. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<FetchAnswer>;

/** What a `FetchLike` resolves to: a `fetch` `Response` fits. */
export interface FetchAnswer {
  readonly status: number;
  readonly statusText: string;
  /** The response headers, where the implementation shows them (only `content-type` is read). */
  readonly headers?: { get(name: string): string | null };
  text(): Promise<string>;
}

/** How REST calls are made. */
export interface HttpTransport {
  readonly fetch: FetchLike;
  readonly token: TokenSource;
}

/** A REST answer, any status. */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
}

/**
 * One REST call as a cold observable: asks for the token, then sends the request; emits the
 * answer (any status) and completes.
 *
 * ```
 * token:    -t|
 * fetch:     ---r|
 * request:  ----r|       r: the answer, 2xx or not
 * ```
 *
 * Errors with a `TokenProviderError` when the token provider fails (no request is sent), or with
 * a `BoxliteHttpError` without a status when no answer came. A provider that never answers never
 * emits: bound the call (as `restCall` does). Unsubscribing aborts the request. `tokenKnown` is
 * called once a provider's token is known, before the request goes out (a token string is known
 * from the start: it is not called for one).
 *
 * @example
 * httpRequest({ fetch, token }, 'GET', url).subscribe((response) => console.log(response.status));
 */
export function httpRequest(
  transport: HttpTransport,
  method: string,
  url: string,
  body?: unknown,
  tokenKnown?: () => void,
): Observable<HttpResponse> {
  const { token } = transport;
  // A token string is known at once: the request alone, without the token's observable and its subscribers.
  if (typeof token !== 'function') return sendRequest(transport.fetch, method, url, token, body);
  return resolveToken(token).pipe(
    concatMap((known) => {
      tokenKnown?.();
      return sendRequest(transport.fetch, method, url, known, body);
    }),
  );
}

/**
 * The request part of `httpRequest`, the token known: emits the answer (any status) and
 * completes, or errors with a `BoxliteHttpError` without a status when no answer came.
 * The answer's body and status text come with `token` masked (`***`): a server that echoes it
 * cannot put it in an error message, a notice or an exit message. Unsubscribing aborts the request.
 *
 * @example
 * sendRequest(fetch, 'DELETE', url, token).subscribe((response) => console.log(response.status));
 */
export function sendRequest(
  fetch: FetchLike,
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Observable<HttpResponse> {
  return new Observable<HttpResponse>((subscriber) => {
    const abort = new AbortController();
    let answered = false;
    (async () => {
      const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(token) };
      const init: Parameters<FetchLike>[1] = { method, headers, signal: abort.signal };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const response = await fetch(url, init);
      const text = await response.text();
      return { status: response.status, statusText: redact(response.statusText, token), body: redact(text, token) };
    })().then(
      (response) => {
        answered = true;
        subscriber.next(response);
        subscriber.complete();
      },
      (cause: unknown) => {
        if (abort.signal.aborted) return;
        const message = `${method} ${url} failed: ${redact(describeFailure(cause), token)}`;
        subscriber.error(new BoxliteHttpError(message, undefined, undefined, { cause }));
      },
    );
    // An answered request has nothing to abort; aborting it anyway costs a DOMException and
    // undici's abort steps per call (7 % of the client's CPU at 1,000 executions).
    return () => {
      if (!answered) abort.abort();
    };
  });
}

/** Maps a non-2xx answer to a typed `BoxliteHttpError` (any of the four body shapes). */
export function httpError(what: string, response: HttpResponse): BoxliteHttpError {
  const parsed = parseErrorBody(response.status, response.body, response.statusText);
  return new BoxliteHttpError(`${what}: ${parsed.message}`, response.status, parsed.code);
}

/** `fetch failed (ECONNREFUSED)`: the message plus what node puts in `cause` (a code or a reason). */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${error.message} (${detail})` : error.message;
}
