/**
 * Test helpers around the runner emulator: emulators (and anything else with `close`) that are
 * closed after each test, bounded waits on emulator events, and raw REST calls.
 */
import { filter, firstValueFrom, map } from 'rxjs';
import { afterEach, expect } from 'vitest';
import { boxUrl, executionUrl, type EndpointBase } from '../../src/protocol/paths.js';
import {
  startRunnerEmulator,
  type EmulatorEvent,
  type EmulatorOptions,
  type RunnerEmulator,
} from '../../src/testing/index.js';
import { failAfter } from './within.js';

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of running.splice(0).reverse()) await server.close();
});

/** Closes `server` after the current test (servers close in reverse order of start). */
export function closeAfterTest<T extends { close(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}

/** Starts an emulator on 127.0.0.1 that is closed after the test. */
export async function emulator(options?: EmulatorOptions): Promise<RunnerEmulator> {
  return closeAfterTest(await startRunnerEmulator(options));
}

/** The next emulator event of this type (and execution), bounded by `ms`. */
export async function nextEvent<T extends EmulatorEvent['type']>(
  em: RunnerEmulator,
  type: T,
  executionId?: string,
  ms = 5_000,
): Promise<Extract<EmulatorEvent, { type: T }>> {
  return (await nextEventAt(em, type, executionId, ms)).event;
}

/**
 * {@link nextEvent} with the `performance.now()` of its emission: read as the emulator emits it
 * (its events are synchronous), so a test that runs late still gets the server's own time.
 */
export function nextEventAt<T extends EmulatorEvent['type']>(
  em: RunnerEmulator,
  type: T,
  executionId?: string,
  ms = 5_000,
): Promise<{ readonly event: Extract<EmulatorEvent, { type: T }>; readonly at: number }> {
  return firstValueFrom(
    em.events.pipe(
      filter(
        (e): e is Extract<EmulatorEvent, { type: T }> =>
          e.type === type && (executionId === undefined || ('executionId' in e && e.executionId === executionId)),
      ),
      map((event) => ({ event, at: performance.now() })),
      failAfter(ms, `a ${type} event`),
    ),
  );
}

/** Where the emulator's REST paths start. */
export const endpoint = (em: RunnerEmulator): EndpointBase => ({ baseUrl: em.url, pathPrefix: em.pathPrefix });

/** Headers of an authenticated JSON request. */
export const auth = (em: RunnerEmulator): Record<string, string> => ({
  authorization: `Bearer ${em.token}`,
  'content-type': 'application/json',
});

/** `POST /exec` with a raw body; expects 201 and returns the execution id. */
export async function startExecution(em: RunnerEmulator, body: Record<string, unknown>, box = 'box'): Promise<string> {
  const res = await fetch(boxUrl(endpoint(em), box, '/exec'), { method: 'POST', headers: auth(em), body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { execution_id: string }).execution_id;
}

/** `GET /executions/{id}` with the emulator's token. */
export const getExecution = (em: RunnerEmulator, id: string, box = 'box'): Promise<Response> =>
  fetch(executionUrl(endpoint(em), box, id), { headers: auth(em) });

/** `POST /executions/{id}/signal` with the emulator's token. */
export const signalExecution = (em: RunnerEmulator, id: string, signal: number, box = 'box'): Promise<Response> =>
  fetch(executionUrl(endpoint(em), box, id, '/signal'), { method: 'POST', headers: auth(em), body: JSON.stringify({ signal }) });
