import { Observable, asyncScheduler } from 'rxjs';
import { checkKeys, keysOf } from '../checkOptions.js';
import { parseErrorBody } from '../protocol/errorBody.js';
import { parseJson } from '../protocol/json.js';
import { httpRequest, type HttpResponse, type HttpTransport } from '../transport/http.js';
import type { ProbeResult } from '../protocol/probeResult.js';

export type { ProbeResult } from '../protocol/probeResult.js';

/** What one probe needs. */
export interface ProbeConfig {
  readonly http: HttpTransport;
  /** The `GET …/executions/{id}` URL. */
  readonly url: string;
  /** Milliseconds before the probe counts as `unavailable` (the reference client uses 5000). */
  readonly timeout: number;
}

/** Every key of `ProbeConfig`: the compiler checks that the table names each one. */
const CONFIG_KEYS = /* @__PURE__ */ keysOf<ProbeConfig>({ http: true, url: true, timeout: true });

const TERMINAL: readonly unknown[] = ['completed', 'killed', 'timed_out'];

/**
 * Asks the status endpoint what became of an execution: one `ProbeResult`, then complete.
 *
 * ```
 * GET:    ----200{completed,0}|
 * probe:  ----t|                 t = { state: 'terminal', status: 'completed', exitCode: 0 }
 *
 * GET:    ----404|
 * probe:  ----g|                 g = { state: 'gone' }
 *
 * GET:    ---------- (5 s) …
 * probe:  ----------u|           u = { state: 'unavailable', reason: 'timed out …' }
 * ```
 *
 * It never errors: a timeout, a network error, a 5xx, a 401/403 or a body it cannot read all give
 * `unavailable` (the caller reconnects and asks again); only a 404 gives `gone`. A terminal status
 * without an exit code gives exit code -1 and a diagnostic message. Unsubscribing aborts the request.
 *
 * @example
 * probe({ http, url, timeout: 5000 }).subscribe((result) => console.log(result.state));
 * @see drainOnTerminal
 */
export function probe(config: ProbeConfig): Observable<ProbeResult> {
  checkKeys('probe', 'options', config, CONFIG_KEYS);
  return new Observable<ProbeResult>((subscriber) => {
    const answer = (result: ProbeResult): void => {
      subscriber.next(result);
      subscriber.complete();
    };
    const timedOut = (): void => answer({ state: 'unavailable', reason: `status request timed out after ${config.timeout} ms` });
    subscriber.add(asyncScheduler.schedule(timedOut, config.timeout));
    subscriber.add(
      httpRequest(config.http, 'GET', config.url).subscribe({
        next: (response) => answer(classify(response)),
        error: (error: unknown) => answer({ state: 'unavailable', reason: error instanceof Error ? error.message : String(error) }),
        complete: timedOut,
      }),
    );
  });
}

function classify(response: HttpResponse): ProbeResult {
  const { status } = response;
  if (status === 404) return { state: 'gone', message: parseErrorBody(status, response.body).message };
  if (status !== 200) {
    return { state: 'unavailable', status, reason: parseErrorBody(status, response.body, response.statusText).message };
  }
  const info = parseJson(response.body);
  if (typeof info !== 'object' || info === null) {
    return { state: 'unavailable', status, reason: 'status body is not a JSON object' };
  }
  const { status: execStatus, exit_code: exitCode, error_message: errorMessage } = info as Record<string, unknown>;
  if (execStatus === 'running') return { state: 'running' };
  if (!TERMINAL.includes(execStatus)) {
    return { state: 'unavailable', status, reason: `unknown execution status ${JSON.stringify(execStatus) ?? 'undefined'}` };
  }
  const terminal = execStatus as string;
  const reason = typeof errorMessage === 'string' && errorMessage !== '' ? errorMessage : undefined;
  if (Number.isInteger(exitCode)) {
    return { state: 'terminal', status: terminal, exitCode: exitCode as number, ...(reason === undefined ? {} : { message: reason }) };
  }
  const withoutCode = `status ${terminal} without an exit code`;
  return { state: 'terminal', status: terminal, exitCode: -1, message: reason === undefined ? withoutCode : `${withoutCode}: ${reason}` };
}
