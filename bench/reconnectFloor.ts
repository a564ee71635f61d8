/**
 * The floor of figure 8: a bare `ws` client that re-attaches the moment its socket closes, with no
 * status probe, no replay alignment and no operators, to the same ticker execution boxlite-rx
 * follows. What it shows is what a cut costs on this machine and emulator before any client
 * logic: the cut reaching the client, a new upgrade, the replay frame. It re-delivers the replay
 * (the ticker run counts those lines as repeated and times each line's first arrival only).
 *
 * It offers the three calls `runTicker` makes of a client: `exec` (as events), `signal`, `kill`.
 */

import { Observable, concat, concatMap, from, map, of } from 'rxjs';
import WebSocket from 'ws';
import type { ExecEvent, ExecRequest, RunnerClient } from '../dist/index.js';
import { BOX, attachUrl, postExec, type Target } from './clients.js';

/** REST call to the emulator; resolves when it answered 2xx. */
async function command(target: Target, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${target.url}/v1/boxes/${BOX}/executions/${path}`, {
    method,
    headers: { authorization: `Bearer ${target.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}`);
}

/** Attaches, and on every close before the exit frame attaches again at once. */
function followRaw(target: Target, executionId: string): Observable<ExecEvent> {
  return new Observable<ExecEvent>((subscriber) => {
    let socket: WebSocket | undefined;
    let attempts = 0;
    const open = (): void => {
      attempts += 1;
      if (attempts > 1_000) {
        subscriber.error(new Error('raw ws: more than 1,000 attaches'));
        return;
      }
      const ws = new WebSocket(attachUrl(target, executionId), { headers: { authorization: `Bearer ${target.token}` } });
      socket = ws;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          if (data[0] === 1) subscriber.next({ type: 'stdout', data: data.subarray(1) });
          return;
        }
        const message = JSON.parse(data.toString('utf8')) as { type?: string; exit_code?: number };
        if (message.type !== 'exit') return;
        subscriber.next({ type: 'exit', exitCode: message.exit_code ?? -1, source: 'frame' });
        subscriber.complete();
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (!subscriber.closed) open();
      });
    };
    open();
    return () => {
      socket?.removeAllListeners('close');
      socket?.terminate();
    };
  });
}

/** The raw client, shaped as the part of `RunnerClient` that `runTicker` uses. */
export function rawReconnectClient(target: Target): RunnerClient {
  const client = {
    exec: (_box: string, request: ExecRequest) =>
      from(postExec(target, request)).pipe(
        concatMap((executionId) => concat(of<ExecEvent>({ type: 'started', executionId }), followRaw(target, executionId))),
      ),
    signal: (_box: string, executionId: string, signal: number) =>
      from(command(target, 'POST', `${encodeURIComponent(executionId)}/signal`, { signal })).pipe(map(() => undefined)),
    kill: (_box: string, executionId: string) => from(command(target, 'DELETE', encodeURIComponent(executionId))).pipe(map(() => undefined)),
  };
  return client as unknown as RunnerClient;
}
