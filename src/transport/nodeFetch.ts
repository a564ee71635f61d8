import type { FetchAnswer, FetchLike } from './http.js';

/** Methods that may be sent again when a kept-alive socket was closed under them (as `fetch` does). */
const IDEMPOTENT: readonly string[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

type Init = Parameters<FetchLike>[1];

/**
 * The REST calls of a client in Node, over `node:http` and `node:https` with their global agents
 * (kept-alive sockets, as the attach sockets of `ws` use): a small call costs a third of the CPU it
 * costs through the global `fetch` (docs/benchmarks.md, "REST calls in Node"), and the status probe
 * lies on the path of every resume. It does what this library needs of `fetch`:
 *
 * - the answer's status, status text, headers and body as text, any status;
 * - a failure before an answer is a `TypeError('fetch failed')` whose `cause` is the socket's error
 *   (so messages read as with `fetch`: `fetch failed (ECONNREFUSED)`);
 * - a request sent on a kept-alive socket that the server closed meanwhile is sent once more on a
 *   new one when its method is idempotent (not a POST);
 * - a redirect (3xx with a `location`) is handed to the global `fetch`, which follows it;
 * - the signal aborts the request.
 *
 * A proxy or an undici dispatcher set for `fetch` is not used here: pass `fetch` to use it.
 */
export async function nodeFetch(): Promise<FetchLike> {
  // Named through a variable, as the optional peers are (defaults.ts): no bundler resolves it for a browser.
  const load = (name: string): Promise<typeof import('node:http')> => import(/* webpackIgnore: true */ /* @vite-ignore */ name);
  const [http, https] = await Promise.all([load('node:http'), load('node:https')]);
  const send = (url: string, init: Init, again: boolean): Promise<FetchAnswer> =>
    new Promise((resolve, reject) => {
      const { method, headers, body, signal } = init;
      // `end(body)` with nothing written before sends the body with its length, not chunked.
      const request = (url.startsWith('https:') ? https : http).request(url, { method, headers, signal }, (response) => {
        const status = response.statusCode ?? 0;
        const redirect = typeof globalThis.fetch === 'function' && status >= 300 && status < 400 && response.headers.location;
        if (redirect) {
          response.resume();
          resolve(globalThis.fetch(url, init));
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', failed);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status,
            statusText: response.statusMessage ?? '',
            headers: { get: (name) => [response.headers[name.toLowerCase()] ?? []].flat().join(', ') || null },
            text: () => Promise.resolve(text),
          });
        });
      });
      function failed(cause: Error & { code?: string }): void {
        if (again && request.reusedSocket && cause.code === 'ECONNRESET' && IDEMPOTENT.includes(method)) resolve(send(url, init, false));
        else reject(new TypeError('fetch failed', { cause }));
      }
      request.on('error', failed);
      request.end(body);
    });
  return (url, init) => send(url, init, true);
}
