/**
 * Routing of the emulator's paths (docs/protocol.md §1-2). The raw request path is split on `/` first
 * and each segment percent-decoded afterwards, so an encoded `/`, `..`, `?` or `#` inside an id
 * stays inside that id and never changes the route. Nothing is normalized.
 */

/** A matched route; ids are decoded. */
export type Route =
  | { readonly kind: 'exec'; readonly boxId: string }
  | { readonly kind: 'list'; readonly boxId: string }
  | { readonly kind: 'box-attach'; readonly boxId: string }
  | {
      readonly kind: 'execution' | 'signal' | 'resize' | 'attach';
      readonly boxId: string;
      readonly executionId: string;
    };

/** The raw path of a request target (query string removed, still percent-encoded). */
export function rawPath(target: string | undefined): string {
  const value = target ?? '/';
  const query = value.indexOf('?');
  return query === -1 ? value : value.slice(0, query);
}

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

const EXECUTION_TAILS: Readonly<Record<string, 'signal' | 'resize' | 'attach'>> = {
  signal: 'signal',
  resize: 'resize',
  attach: 'attach',
};

/** The routes right under a box. */
const BOX_TAILS: Readonly<Record<string, 'exec' | 'list' | 'box-attach'>> = {
  exec: 'exec',
  attach: 'box-attach',
  executions: 'list',
};

/**
 * Matches `/v1[/{prefix…}]/boxes/{boxId}/(exec | attach | executions[/{id}[/signal|/resize|/attach]])`:
 * `attach` is the box's main session (`'box-attach'`), a bare `executions` the listing (`'list'`).
 * @param path the raw request path (see {@link rawPath}).
 * @param prefixSegments the tenant prefix, split on `/`, decoded.
 * @returns the route, or undefined when nothing matches (404).
 */
export function matchRoute(path: string, prefixSegments: readonly string[]): Route | undefined {
  const segments = decodeSegments(path);
  if (segments === undefined || segments[0] !== '' || segments[1] !== 'v1') return undefined;
  let at = 2;
  for (const expected of prefixSegments) {
    if (segments[at] !== expected) return undefined;
    at += 1;
  }
  const rest = segments.slice(at);
  const [boxes, boxId, what, executionId, tail, ...extra] = rest;
  if (boxes !== 'boxes' || boxId === undefined || boxId === '' || extra.length > 0) return undefined;
  if (executionId === undefined && what !== undefined && Object.hasOwn(BOX_TAILS, what)) return { kind: BOX_TAILS[what]!, boxId };
  if (what !== 'executions' || executionId === undefined || executionId === '') return undefined;
  if (tail === undefined) return { kind: 'execution', boxId, executionId };
  const kind = Object.hasOwn(EXECUTION_TAILS, tail) ? EXECUTION_TAILS[tail] : undefined;
  return kind === undefined ? undefined : { kind, boxId, executionId };
}
