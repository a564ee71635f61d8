/**
 * URL building for the REST and WebSocket endpoints (docs/protocol.md §1). Every id is one
 * percent-encoded path segment, so no id can change the path.
 */

/** Where a client talks to: the base URL and the optional tenant prefix. */
export interface EndpointBase {
  readonly baseUrl: string;
  readonly pathPrefix?: string | undefined;
}

/** Throws a `TypeError` naming `name` unless `id` is a non-empty string that can be a path segment. */
export function assertId(name: string, id: unknown): void {
  if (typeof id !== 'string' || id === '') throw new TypeError(`${name} must be a non-empty string`);
  encodeSegment(id, name);
}

/** Checks a box id and an execution id. */
export function assertIds(boxId: unknown, executionId: unknown): void {
  assertId('boxId', boxId);
  assertId('executionId', executionId);
}

/**
 * Encodes one opaque id as a single path segment. `.` and `..` cannot be sent at all: URL parsers
 * (WHATWG, used by fetch and ws) treat them as dot segments even when percent-encoded, so they are
 * refused with a `TypeError`, naming the id as `name`, rather than allowed to change the path.
 */
export function encodeSegment(id: string, name = 'an id'): string {
  if (id === '.' || id === '..') throw new TypeError(`${name} cannot be ${JSON.stringify(id)}: URLs resolve it as a path step`);
  return encodeURIComponent(id);
}

function prefixPath(pathPrefix: string | undefined): string {
  if (pathPrefix === undefined) return '';
  const parts = pathPrefix.split('/').filter((part) => part !== '');
  return parts.map((part) => `/${encodeSegment(part)}`).join('');
}

/** `{baseUrl}/v1[/{prefix}]/boxes/{boxId}` plus the given already-encoded tail. */
export function boxUrl(base: EndpointBase, boxId: string, tail: string): string {
  const root = base.baseUrl.replace(/\/+$/, '');
  return `${root}/v1${prefixPath(base.pathPrefix)}/boxes/${encodeSegment(boxId)}${tail}`;
}

/** `.../boxes/{boxId}/executions/{executionId}` plus the given tail. */
export function executionUrl(base: EndpointBase, boxId: string, executionId: string, tail = ''): string {
  return boxUrl(base, boxId, `/executions/${encodeSegment(executionId)}${tail}`);
}

/**
 * The attach WebSocket URL (`http`→`ws`, `https`→`wss`) of an execution, or of the box's main
 * session (`/boxes/{boxId}/attach`) without one; `?stdin=false` when `readOnly`: the one value
 * every server reads as a read-only attach (docs/protocol.md §3).
 */
export function attachUrl(base: EndpointBase, boxId: string, executionId?: string, readOnly?: boolean): string {
  const url = executionId === undefined ? boxUrl(base, boxId, '/attach') : executionUrl(base, boxId, executionId, '/attach');
  return url.replace(/^http(s?):/i, 'ws$1:') + (readOnly ? '?stdin=false' : '');
}
