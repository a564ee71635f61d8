import { parseJson } from './json.js';
import { isBoxliteHttpError, isHttpStatusError, type BoxliteHttpError } from '../errors.js';

/**
 * Reads the four error-body shapes of docs/protocol.md §2 into one `{ code, message }`:
 * 1. runner: `{"error":"execution <id> not found"}`
 * 2. auth middleware: `{"statusCode":401,"message":"…","code":"UNAUTHORIZED"}`
 * 3. `boxlite serve` / OpenAPI: `{"error":{"message":"…","type":"…","code":"not_found"}}`
 * 4. proxies: an empty body or an HTML page: only the status speaks.
 */
export interface ErrorBody {
  readonly code?: string;
  readonly message: string;
}

const MAX_MESSAGE = 300;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Parses an error body; `statusText` names the status when the body says nothing usable. */
export function parseErrorBody(status: number, body: string, statusText = ''): ErrorBody {
  const fallback = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const json = parseJson(body);
  if (typeof json !== 'object' || json === null) return { message: fallback };
  const record = json as Record<string, unknown>;
  const error = record['error'];
  const nested = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
  const fields = nested ?? record;
  const message = str(fields['message']);
  // Shape 1 is a string `error` alone: an auth-middleware body may also carry `"error":"Unauthorized"`; its `message` says more.
  const runner = nested === undefined && message === undefined && typeof error === 'string';
  const code = runner ? undefined : (str(fields['code']) ?? str(nested?.['type']));
  const text = clip(message ?? (runner ? str(error) : undefined) ?? fallback);
  return code === undefined ? { message: text } : { code, message: text };
}

/**
 * Whether an HTTP error is a runner draining for a deploy: a 503 whose body is the runner's
 * `{"error":"runner is draining"}` (read by `parseErrorBody` as that message and no code). On
 * `POST /exec` it means nothing was created; any other 503 (a proxy's page, an empty body,
 * another shape) may have started the command.
 */
export function isDrainingError(error: unknown): boolean {
  return isHttpStatusError(error) && error.status === 503 && error.code === undefined && error.message.endsWith(': runner is draining');
}

/**
 * Whether a REST error is the guest's failed spawn: a 500 whose message holds `spawn_failed`
 * (both servers: the program could not be started, and nothing was created).
 */
export function isSpawnFailure(error: unknown): error is BoxliteHttpError {
  return isBoxliteHttpError(error) && error.status === 500 && error.message.includes('spawn_failed');
}
