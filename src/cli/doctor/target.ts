/**
 * The box the doctor examines: its URLs, the token, the executions the doctor started (each is
 * deleted before the doctor leaves) and every attach socket it opened (their frames are judged).
 */

import type { ExecRequest } from '../../protocol/types.js';
import { attachUrl, boxUrl, executionUrl, type EndpointBase } from '../../protocol/paths.js';
import { rawAttach, type RawAttach, type RawAttachBounds } from './rawAttach.js';
import { restCall, type RestAnswer, type RestFailure } from './restCall.js';
import { WireSession, type WireFrame } from './wireSession.js';

/** Bound of one REST call. */
export const REST_TIMEOUT_MS = 10_000;
/** Bound of one attach upgrade. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** See the file comment. */
export class DoctorTarget {
  private readonly started = new Set<string>();
  private readonly sessions: WireSession[] = [];
  private readonly frameLogs: (readonly WireFrame[])[] = [];

  /**
   * @param endpoint the base URL and tenant prefix.
   * @param token the bearer token, if any.
   * @param boxId the box the commands run in.
   */
  constructor(
    private readonly endpoint: EndpointBase,
    private readonly token: string | undefined,
    private readonly boxId: string,
  ) {}

  /** The frames of every attach socket opened so far, one list per socket. */
  get frames(): readonly (readonly WireFrame[])[] {
    return this.frameLogs;
  }

  /** `POST /exec`; a 2xx answer with an execution id is remembered for {@link cleanup}. */
  async exec(request: ExecRequest): Promise<RestAnswer | RestFailure> {
    const answer = await restCall({ method: 'POST', url: boxUrl(this.endpoint, this.boxId, '/exec'), token: this.token, body: request, timeoutMs: REST_TIMEOUT_MS });
    const id = 'status' in answer && answer.status >= 200 && answer.status < 300 ? executionIdOf(answer.body) : undefined;
    if (id !== undefined) this.started.add(id);
    return answer;
  }

  /** `GET /executions/{id}`, with the doctor's token or with `token`. */
  get(executionId: string, token: string | undefined = this.token): Promise<RestAnswer | RestFailure> {
    return restCall({ method: 'GET', url: executionUrl(this.endpoint, this.boxId, executionId), token, timeoutMs: REST_TIMEOUT_MS });
  }

  /** `DELETE /executions/{id}`: the execution is no longer the doctor's to clean up. */
  delete(executionId: string): Promise<RestAnswer | RestFailure> {
    this.started.delete(executionId);
    return restCall({ method: 'DELETE', url: executionUrl(this.endpoint, this.boxId, executionId), token: this.token, timeoutMs: REST_TIMEOUT_MS });
  }

  /** Opens an attach socket, with `query` (`?stdin=false`) if given. */
  attach(executionId: string, query = ''): WireSession {
    return this.open(attachUrl(this.endpoint, this.boxId, executionId) + query);
  }

  /** Opens a socket on the box's main session (`GET /boxes/{boxId}/attach`), with `query` if given. */
  attachBox(query = ''): WireSession {
    return this.open(boxUrl(this.endpoint, this.boxId, `/attach${query}`).replace(/^http(s?):/i, 'ws$1:'));
  }

  /** `GET /boxes/{boxId}/executions`, the listing of newer runners. */
  list(): Promise<RestAnswer | RestFailure> {
    return restCall({ method: 'GET', url: boxUrl(this.endpoint, this.boxId, '/executions'), token: this.token, timeoutMs: REST_TIMEOUT_MS });
  }

  private open(url: string): WireSession {
    const session = new WireSession(url, this.token, CONNECT_TIMEOUT_MS);
    this.sessions.push(session);
    this.frameLogs.push(session.frames);
    return session;
  }

  /** Attaches without sending a Close first (see `rawAttach`). */
  async rawAttach(executionId: string, bounds: Omit<RawAttachBounds, 'connectMs'>): Promise<RawAttach> {
    const attached = await rawAttach(attachUrl(this.endpoint, this.boxId, executionId), this.token, { connectMs: CONNECT_TIMEOUT_MS, ...bounds });
    this.frameLogs.push(attached.frames);
    return attached;
  }

  /** Drops every socket still open and deletes every execution the doctor started and did not delete yet. */
  async cleanup(): Promise<void> {
    for (const session of this.sessions) session.terminate();
    await Promise.all([...this.started].map((id) => this.delete(id)));
  }
}

/** The `execution_id` of a `POST /exec` answer, if it has a non-empty string one. */
export function executionIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { execution_id?: unknown } | null)?.execution_id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
