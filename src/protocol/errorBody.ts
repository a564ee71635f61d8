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
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { message: fallback };
  }
  if (typeof json !== 'object' || json === null) return { message: fallback };
  const record = json as Record<string, unknown>;
  const error = record['error'];
  if (typeof error === 'object' && error !== null) {
    const nested = error as Record<string, unknown>;
    const code = str(nested['code']) ?? str(nested['type']);
    const message = clip(str(nested['message']) ?? fallback);
    return code === undefined ? { message } : { code, message };
  }
  // An auth-middleware body may also carry `"error":"Unauthorized"`: its `message` says more.
  const message = str(record['message']);
  const code = str(record['code']);
  if (message !== undefined || typeof error !== 'string') {
    const text = clip(message ?? fallback);
    return code === undefined ? { message: text } : { code, message: text };
  }
  return { message: clip(str(error) ?? fallback) };
}
