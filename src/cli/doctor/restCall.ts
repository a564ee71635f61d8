/**
 * One timed, bounded REST call for the doctor: the status, the body as text, the `Location`
 * header, and how long the round trip took. A call that could not be made resolves to its reason
 * instead of throwing, so one failed measurement never stops the others.
 */

/** The answer to a call. */
export interface RestAnswer {
  readonly status: number;
  readonly body: string;
  readonly location: string | undefined;
  /** Milliseconds from sending to the whole body read. */
  readonly ms: number;
}

/** A call that got no answer: the reason, one line. */
export interface RestFailure {
  readonly failed: string;
}

/** What the doctor asks of a server. */
export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  /** Sent as `Authorization: Bearer …` when defined. */
  readonly token: string | undefined;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

/** Whether a call got an answer. */
export function answered(result: RestAnswer | RestFailure): result is RestAnswer {
  return !('failed' in result);
}

/**
 * Makes one call.
 * @param request the method, URL, token, JSON body and bound.
 * @returns the answer, or the reason there is none (never the token: it is not part of the reason).
 */
export async function restCall(request: RestRequest): Promise<RestAnswer | RestFailure> {
  const headers: Record<string, string> = {};
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = await response.text();
    return { status: response.status, body, location: response.headers.get('location') ?? undefined, ms: performance.now() - started };
  } catch (error: unknown) {
    return { failed: `${request.method} ${request.url} failed: ${reasonOf(error)}` };
  }
}

/** `fetch failed (ECONNREFUSED)`, `The operation was aborted due to timeout`: the error and its cause's code. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
