/**
 * The platform defaults: which WebSocket and fetch to use when the caller passes none.
 *
 * `ws` and `cross-fetch` are optional peer dependencies, loaded only when needed. Their names are
 * kept out of bundlers' sight (a variable specifier, ignore comments), so a browser build neither
 * bundles them nor fails when they are not installed.
 */
import { MissingPeerDependencyError } from '../errors.js';
import type { FetchLike } from './http.js';
import { nodeFetch } from './nodeFetch.js';
import type { WebSocketConstructor } from './webSocket.js';

/**
 * `true` in the browser build (`dist/index.browser.js`, package.json's `browser` condition),
 * `false` in the others (tsup's `define`), not defined when run from source (tests). Read inline
 * as `typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__`, so that a minifier folds
 * it and drops the branches it makes dead (docs/packaging.md: the browser build).
 */
declare const __BOXLITE_BROWSER__: boolean | undefined;

/** Whether this is Node (asked when needed: a module-level check would be a side effect on import). */
function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Loads an optional peer dependency; where it is not installed, `{}` if the runtime has
 * `instead`, else says which one to install and why (`MissingPeerDependencyError`).
 */
async function importOptional(name: 'ws' | 'cross-fetch', why: string, instead?: unknown): Promise<Record<string, unknown>> {
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause;
    if (typeof instead === 'function') return {};
    throw new MissingPeerDependencyError(`boxlite-rx: ${why} needs the optional peer dependency '${name}': npm install ${name}`, name, {
      cause,
    });
  }
}

/**
 * The WebSocket used when none is given: `ws` where it can be loaded (Node, Deno and Bun: it sends
 * the Authorization header and shows pings and refusal statuses); else the runtime's own (Node 22
 * and later, Deno, browsers), which sends the header where the runtime allows it and shows
 * neither: a refusal without a status is retried as a possible 409, and a silent socket is
 * replaced (docs/runtimes.md).
 */
export async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  // The browser build loads no optional peer.
  if (!(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__) && isNode()) {
    const ws = await importOptional('ws', `attaching from Node ${process.versions.node} (no WebSocket of its own) without a \`WebSocket\` option`, native);
    return (ws['WebSocket'] ?? ws['default'] ?? native) as WebSocketConstructor;
  }
  if (typeof native !== 'function') throw new TypeError('no WebSocket implementation: pass the `WebSocket` option');
  return native as WebSocketConstructor;
}

/** The default constructor once loaded: an `import()` per attach costs a module-loader round trip. */
let loadedWebSocket: Promise<WebSocketConstructor> | undefined;

/**
 * `defaultWebSocket()`, loaded on first use and kept; a failed load is not kept, so installing
 * the package later works without a restart.
 */
export function loadDefaultWebSocket(): Promise<WebSocketConstructor> {
  loadedWebSocket ??= defaultWebSocket().catch((error: unknown) => {
    loadedWebSocket = undefined;
    throw error;
  });
  return loadedWebSocket;
}

/** `nodeFetch()` once loaded. */
let loadedNodeFetch: Promise<FetchLike> | undefined;

/**
 * The fetch used when none is given: in Node, `node:http` and `node:https` (`nodeFetch`: a third
 * of the global `fetch`'s CPU per call); elsewhere (Bun, Deno, browsers) the platform's own, else
 * `cross-fetch`.
 */
export async function defaultFetch(): Promise<FetchLike> {
  if (!(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__) && isNode() && !('bun' in process.versions) && !('deno' in process.versions)) {
    return (loadedNodeFetch ??= nodeFetch());
  }
  const native = (globalThis as { fetch?: unknown }).fetch;
  if (typeof native === 'function') return (native as FetchLike).bind(globalThis) as FetchLike;
  // The browser build loads no optional peer.
  if (!(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__)) {
    const crossFetch = await importOptional('cross-fetch', 'a platform without a global fetch');
    return (crossFetch['fetch'] ?? crossFetch['default']) as FetchLike;
  }
  throw new TypeError('no global fetch: pass the `fetch` option');
}
