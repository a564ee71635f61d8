/**
 * The four error-body shapes of docs/protocol.md §2, so a client can be tested against each:
 *
 * - `runner`: `{"error":"execution <id> not found"}` (the Go runner's controllers); its 401s come
 *   from its auth middleware, in the `auth` shape
 * - `auth`: `{"statusCode":401,"message":"…","code":"UNAUTHORIZED","timestamp":"…","path":"…","method":"GET"}`
 *   (the runner's auth middleware, NestJS style)
 * - `serve`: `{"error":{"message":"…","type":"NotFoundError","code":"not_found"}}` (`boxlite serve`, OpenAPI `ErrorResponse`)
 * - `proxy`: what a reverse proxy answers on its own: an nginx-like HTML page for 401, 403, 404 and
 *   5xx, an empty body for every other status.
 */

import { STATUS_CODES } from 'node:http';

/** Which of the four shapes the emulator writes its error bodies in. */
export type ErrorShape = 'runner' | 'auth' | 'serve' | 'proxy';

/** How an emulator answers errors: set by its server (`servers.ts`), or overridden by `errorShape`. */
export interface ErrorBodies {
  /** The shape of every error body but a 401's. */
  readonly shape: ErrorShape;
  /** The shape of a 401's body. */
  readonly unauthorizedShape: ErrorShape;
  /** The Content-Type of a JSON body. */
  readonly jsonContentType: string;
}

/** The machine codes the emulator uses, in the OpenAPI `ErrorModel.code` vocabulary. */
export type ErrorCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'not_found'
  | 'unsupported'
  | 'invalid_state'
  | 'already_exists'
  | 'resource_exhausted'
  | 'internal';

/** A serialized error response. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const SERVE_TYPES: Readonly<Record<ErrorCode, string>> = {
  invalid_argument: 'InvalidArgumentError',
  unauthenticated: 'AuthError',
  not_found: 'NotFoundError',
  unsupported: 'UnsupportedError',
  invalid_state: 'InvalidStateError',
  already_exists: 'AlreadyExistsError',
  resource_exhausted: 'ResourceExhaustedError',
  internal: 'InternalError',
};

const AUTH_CODES: Readonly<Record<ErrorCode, string>> = {
  invalid_argument: 'BAD_REQUEST',
  unauthenticated: 'UNAUTHORIZED',
  not_found: 'NOT_FOUND',
  unsupported: 'METHOD_NOT_ALLOWED',
  invalid_state: 'CONFLICT',
  already_exists: 'CONFLICT',
  resource_exhausted: 'PAYLOAD_TOO_LARGE',
  internal: 'INTERNAL_SERVER_ERROR',
};

/** `"404 Not Found"`: the status and its reason phrase. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** The small HTML page nginx answers with on its own errors. */
export function htmlStatusPage(status: number): string {
  const line = statusLine(status);
  return (
    `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n` +
    `<center><h1>${line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

/** The request an error answers: the `auth` shape echoes its path and method. */
export interface ErrorRequest {
  /** The raw request path (no query string). */
  readonly path: string;
  readonly method: string;
}

/** Statuses a proxy answers with an HTML page under the `proxy` shape; others get an empty body. */
const PROXY_HTML_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/**
 * Builds an error response in the shape `bodies` gives for its status.
 * @param bodies the shapes and the JSON Content-Type.
 * @param status the HTTP status.
 * @param code the machine code (used by the `auth` and `serve` shapes).
 * @param message the human-readable message.
 * @param request the request answered, echoed by the `auth` shape.
 */
export function errorResponse(
  bodies: ErrorBodies,
  status: number,
  code: ErrorCode,
  message: string,
  request: ErrorRequest,
): ErrorResponse {
  const json = (value: unknown): ErrorResponse => {
    const body = JSON.stringify(value);
    return { status, headers: { 'content-type': bodies.jsonContentType }, body };
  };
  switch (status === 401 ? bodies.unauthorizedShape : bodies.shape) {
    case 'runner':
      return json({ error: message });
    case 'auth':
      return json({
        statusCode: status,
        message,
        code: AUTH_CODES[code],
        timestamp: new Date().toISOString(),
        path: request.path,
        method: request.method,
      });
    case 'serve':
      return json({ error: { message, type: SERVE_TYPES[code], code } });
    case 'proxy':
      if (status >= 500 || PROXY_HTML_STATUSES.has(status)) {
        return { status, headers: { 'content-type': 'text/html' }, body: htmlStatusPage(status) };
      }
      return { status, headers: {}, body: '' };
  }
}
