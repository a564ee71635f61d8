import { defer, from, of, type Observable } from 'rxjs';

/** A bearer token, or a provider asked once per connection (tokens may expire). */
export type TokenSource = string | (() => string | Promise<string>) | undefined;

function checked(token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('the token provider must return a non-empty string');
  }
  return token;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The token for one connection, as an observable of one value; `undefined` means: send no
 * Authorization header. A string or a synchronous provider answers synchronously, so virtual time
 * can drive what follows.
 */
export function resolveToken(source: TokenSource): Observable<string | undefined> {
  if (typeof source !== 'function') return of(source);
  return defer(() => {
    const token: unknown = source();
    return isPromiseLike(token) ? from(Promise.resolve(token).then(checked)) : of(checked(token));
  });
}

/** The Authorization header for a token, or none. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
