import { defer, type Observable, type ObservableInput } from 'rxjs';
import { just } from '../observables/just.js';
import { TokenProviderError } from '../errors.js';

/** A bearer token, or a provider asked once per connection (tokens may expire). */
export type TokenSource = string | (() => string | Promise<string>) | undefined;

/** Characters an HTTP header value may not hold (RFC 9110): controls such as CR, LF and NUL, and anything above U+00FF. */
const NOT_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;
/** Whitespace that `fetch` would strip from the header's edge, changing the token sent. */
const EDGE_WHITESPACE = /^[\t ]|[\t ]$/;

/**
 * Why a string cannot be sent as a bearer token (`with …`), or `undefined` when it can. Never
 * quotes it: a header `fetch` refuses would put it in the refusal's message.
 */
export function tokenProblem(token: string): string | undefined {
  if (NOT_IN_HEADER.test(token)) {
    return 'with a character an HTTP header may not hold (a control character such as CR or LF, or one above U+00FF)';
  }
  if (EDGE_WHITESPACE.test(token)) return 'with leading or trailing whitespace';
  return undefined;
}

/** Why a provider's answer cannot be sent as a bearer token, or `undefined` when it can. Never quotes the answer. */
function unusable(token: unknown): string | undefined {
  if (typeof token !== 'string') return `returned ${token === null ? 'null' : typeof token}, not a string`;
  if (token === '') return 'returned an empty string';
  const problem = tokenProblem(token);
  return problem === undefined ? undefined : `returned a token ${problem}`;
}

function checked(token: unknown): string {
  const problem = unusable(token);
  if (problem !== undefined) throw new TokenProviderError(`token provider ${problem}`, 'unusable');
  return token as string;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The token for one connection, as an observable of one value; `undefined` means: send no
 * Authorization header.
 *
 * ```
 * provider:  ---t|        answers t (sync or async)
 * token:     ---t|
 *
 * provider:  ---#         throws, rejects, or answers '', 42, 'a\r\nb'
 * token:     ---#         TokenProviderError
 * ```
 *
 * A string or a synchronous provider answers synchronously, so virtual time can drive what
 * follows. A provider that never answers never emits: the caller bounds the wait (see
 * {@link tokenTimeout}). The error's message never contains the token.
 *
 * @example
 * resolveToken(() => fetchToken()).subscribe((token) => console.log(authHeaders(token)));
 */
export function resolveToken(source: TokenSource): Observable<string | undefined> {
  if (typeof source !== 'function') return just(source);
  return defer((): ObservableInput<string | undefined> => {
    let answer: unknown;
    try {
      answer = source();
    } catch (cause: unknown) {
      throw new TokenProviderError('token provider threw (see cause)', 'threw', { cause });
    }
    if (!isPromiseLike(answer)) return [checked(answer)];
    const rejected = (cause: unknown): never => {
      throw new TokenProviderError('token provider rejected (see cause)', 'rejected', { cause });
    };
    return Promise.resolve(answer).then(checked, rejected);
  });
}

/** The error for a provider still thinking when the connection's budget of `ms` ran out. */
export function tokenTimeout(ms: number): TokenProviderError {
  return new TokenProviderError(`token provider did not answer within ${ms} ms`, 'timeout');
}

/** The Authorization header for a token, or none. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
