/**
 * The three clients every throughput figure compares, each running one execution on the emulator
 * and counting its stdout: boxlite-rx `exec` (the full pipeline: POST, attach, replay cursor,
 * drain and reconnect operators), a raw `ws` client that only counts bytes, and RxJS `webSocket()`.
 */

import { webSocket } from 'rxjs/webSocket';
import WebSocket from 'ws';
import { createRunnerClient, type ExecRequest } from '../dist/index.js';
import { gatedRequest } from '../src/protocol/startGate.js';

/** The box every benchmark execution runs in. */
export const BOX = 'bench-box';

/** Where the emulator listens. */
export interface Target {
  readonly url: string;
  readonly token: string;
}

/** What one execution measured. */
export interface StreamResult {
  /** Stdout payload bytes received (channel bytes excluded). */
  readonly bytes: number;
  /** Stdout frames received (a joined event counts each frame it holds). */
  readonly frames: number;
  readonly exitCode: number;
  /** Milliseconds from the first stdout byte to the exit. */
  readonly streamMs: number;
  /** CPU milliseconds the client process spent from the request to the exit. */
  readonly cpuMs: number;
}

/** Runs one execution to its exit; `onData` hears of every stdout chunk's size. */
export type StreamClient = (request: ExecRequest, onData?: (bytes: number) => void) => Promise<StreamResult>;

/** The clients by the name the tables use. */
export type ClientName = 'boxlite-rx' | 'ws' | 'rxjs webSocket()';

/** Counts output and times it from the first byte. */
class Meter {
  private readonly cpu = process.cpuUsage();
  private first = 0;
  bytes = 0;
  frames = 0;

  constructor(private readonly onData: ((bytes: number) => void) | undefined) {}

  /** `frames` frames of `bytes` bytes in all arrived (boxlite-rx joins the frames of one socket read). */
  data(bytes: number, frames = 1): void {
    if (this.frames === 0) this.first = performance.now();
    this.bytes += bytes;
    this.frames += frames;
    this.onData?.(bytes);
  }

  end(exitCode: number): StreamResult {
    const cpu = process.cpuUsage(this.cpu);
    const streamMs = this.frames === 0 ? 0 : performance.now() - this.first;
    return { bytes: this.bytes, frames: this.frames, exitCode, streamMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  }
}

function authorization(target: Target): Record<string, string> {
  return { authorization: `Bearer ${target.token}` };
}

/** `POST /exec` with the global fetch; resolves to the execution id. */
export async function postExec(target: Target, request: ExecRequest): Promise<string> {
  const response = await fetch(`${target.url}/v1/boxes/${BOX}/exec`, {
    method: 'POST',
    headers: { ...authorization(target), 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as { execution_id?: string };
  if (response.status !== 201 || body.execution_id === undefined) throw new Error(`POST /exec answered ${response.status}`);
  return body.execution_id;
}

/** The attach URL of an execution. */
export function attachUrl(target: Target, executionId: string): string {
  return `${target.url.replace(/^http/, 'ws')}/v1/boxes/${BOX}/executions/${encodeURIComponent(executionId)}/attach`;
}

/** `request` behind the start gate, and the stdin line that opens it. */
export function startGate(request: ExecRequest): { readonly request: ExecRequest; readonly line: string } {
  const nonce = 'g' + Math.random().toString(36).slice(2);
  return { request: gatedRequest(request, nonce) ?? request, line: `${nonce}\n` };
}

/** The exit code in an exit text frame, or undefined for any other text frame. */
function exitCodeOf(text: string): number | undefined {
  const message = JSON.parse(text) as { type?: string; exit_code?: number };
  return message.type === 'exit' ? message.exit_code : undefined;
}

/** boxlite-rx: `createRunnerClient(...).exec()`, default fetch and WebSocket, as users run it. */
export function boxliteRxClient(target: Target): StreamClient {
  const client = createRunnerClient({ baseUrl: target.url, token: target.token });
  return (request, onData) =>
    new Promise((resolve, reject) => {
      const meter = new Meter(onData);
      client.exec(BOX, request).subscribe({
        next(event) {
          if (event.type === 'stdout') meter.data(event.data.length, event.frames?.length);
          else if (event.type === 'exit') resolve(meter.end(event.exitCode));
        },
        error: reject,
      });
    });
}

/**
 * The floor: POST, then a bare `ws` socket that counts binary bytes until the exit frame.
 * `gated`: it pays the start gate as boxlite-rx does by default (the wrapped command posted, its
 * nonce line sent as stdin once the socket is open).
 */
export function rawWsClient(target: Target, gated = false): StreamClient {
  return async (request, onData) => {
    const meter = new Meter(onData);
    const gate = gated ? startGate(request) : undefined;
    const id = await postExec(target, gate?.request ?? request);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(attachUrl(target, id), { headers: authorization(target) });
      if (gate) ws.on('open', () => ws.send(Buffer.from(gate.line)));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          meter.data(data.length - 1);
          return;
        }
        const exitCode = exitCodeOf(data.toString('utf8'));
        if (exitCode === undefined) return;
        resolve(meter.end(exitCode));
        ws.close();
      });
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('ws: closed before the exit frame')));
    });
  };
}

/** RxJS `webSocket()` over `ws`, binary frames as ArrayBuffers, the token on the upgrade. */
export function rxjsWebSocketClient(target: Target): StreamClient {
  const headers = authorization(target);
  class AuthorizedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], { headers });
    }
  }
  return async (request, onData) => {
    const meter = new Meter(onData);
    const id = await postExec(target, request);
    return new Promise((resolve, reject) => {
      const subscription = webSocket<ArrayBuffer | string>({
        url: attachUrl(target, id),
        WebSocketCtor: AuthorizedWebSocket as unknown as typeof globalThis.WebSocket,
        binaryType: 'arraybuffer',
        deserializer: (event) => event.data as ArrayBuffer | string,
      }).subscribe({
        next(message) {
          if (typeof message !== 'string') {
            meter.data(message.byteLength - 1);
            return;
          }
          const exitCode = exitCodeOf(message);
          if (exitCode === undefined) return;
          resolve(meter.end(exitCode));
          subscription.unsubscribe();
        },
        error: reject,
        complete: () => reject(new Error('webSocket(): closed before the exit frame')),
      });
    });
  };
}

/** All three clients for one target. */
export function allClients(target: Target): Record<ClientName, StreamClient> {
  return { 'boxlite-rx': boxliteRxClient(target), ws: rawWsClient(target), 'rxjs webSocket()': rxjsWebSocketClient(target) };
}
