/**
 * Read-only attach (docs/protocol.md §7): each server's reading of the attach query `stdin`
 * (`servers.ts`, {@link ReadOnlyAttach}) and the error frame a refused write gets.
 */

import type { ReadOnlyAttach } from './servers.js';

/** The values `boxlite serve` accepts; `0` and `false` are read-only. */
const SERVE_VALUES = ['0', '1', 'false', 'true'];

/** The Close a stdin frame on a read-only `boxlite serve` socket gets, after the error frame. */
export const READ_ONLY_CLOSE = { code: 1008, reason: 'read-only attach' } as const;

/** The query parameter `stdin` of a request target (path and query), if given. */
export function stdinQuery(target: string | undefined): string | undefined {
  const query = target?.indexOf('?') ?? -1;
  return query === -1 ? undefined : (new URLSearchParams(target!.slice(query + 1)).get('stdin') ?? undefined);
}

/**
 * Whether an attach with the query `stdin=value` is read-only under `reading`, or the message of
 * the 400 `boxlite serve` answers for a value it does not know.
 */
export function readOnlyOf(reading: ReadOnlyAttach, value: string | undefined): boolean | string {
  if (value === undefined || reading === 'ignored') return false;
  if (reading === 'runner') return value === 'false';
  if (!SERVE_VALUES.includes(value)) return `stdin must be one of 0, 1, false, true; got ${value}`;
  return value === '0' || value === 'false';
}

/** `{"type":"error","code":"read_only_attach","message":"read-only attach rejected a write: <what>"}`. */
export function readOnlyErrorFrame(rejected: string): string {
  return JSON.stringify({ type: 'error', code: 'read_only_attach', message: `read-only attach rejected a write: ${rejected}` });
}
