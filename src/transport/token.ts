/** A bearer token, or a provider asked once per connection (tokens may expire). */
export type TokenSource = string | (() => string | Promise<string>) | undefined;

/** Resolves the token for one connection; `undefined` means: send no Authorization header. */
export async function resolveToken(source: TokenSource): Promise<string | undefined> {
  if (source === undefined) return undefined;
  const token = typeof source === 'function' ? await source() : source;
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('the token provider must return a non-empty string');
  }
  return token;
}

/** The Authorization header for a token, or none. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
