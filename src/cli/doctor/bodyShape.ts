/**
 * Which of the four error-body shapes of docs/protocol.md a body is in, or that it is in none:
 *
 * | shape | body |
 * |---|---|
 * | `runner` | `{"error":"execution <id> not found"}` |
 * | `auth` | `{"statusCode":401,"message":"…","code":"UNAUTHORIZED",…}` (the runner's auth middleware) |
 * | `serve` | `{"error":{"message":"…","type":"…","code":"not_found"}}` (`boxlite serve`, OpenAPI) |
 * | `proxy` | an empty body or an HTML page: only the status speaks |
 */

/** A shape of docs/protocol.md, or `other`. */
export type BodyShape = 'runner' | 'auth' | 'serve' | 'proxy' | 'other';

/** How each shape reads in a report line. */
export const SHAPE_NAMES: Readonly<Record<BodyShape, string>> = {
  runner: 'runner {"error":"…"}',
  auth: 'runner auth middleware {"statusCode":…,"code":…}',
  serve: 'boxlite serve {"error":{"code":…}}',
  proxy: 'proxy (empty or HTML)',
  other: 'none of the four shapes',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Classifies an error body.
 * @param body the body as text.
 * @returns its shape; `other` for JSON of another form, or text that is neither JSON nor HTML.
 */
export function bodyShape(body: string): BodyShape {
  const text = body.trim();
  if (text === '' || text.startsWith('<')) return 'proxy';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'other';
  }
  if (!isRecord(json)) return 'other';
  // First: some auth middlewares also send `"error":"Unauthorized"`.
  if (typeof json['statusCode'] === 'number' && typeof json['code'] === 'string' && typeof json['message'] === 'string') return 'auth';
  const error = json['error'];
  if (typeof error === 'string') return 'runner';
  if (isRecord(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string') return 'serve';
  return 'other';
}
