import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachUrl, boxUrl, type EndpointBase } from '../../src/protocol/paths.js';
import { startRunnerEmulator, type RunnerEmulator, type RunnerEmulatorOptions } from '../../src/testing/index.js';

// ----- helpers (each emulator test file keeps its own, small) -----

const open: RunnerEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function emulator(options: RunnerEmulatorOptions): Promise<RunnerEmulator> {
  const started = await startRunnerEmulator(options);
  open.push(started);
  return started;
}

const base = (em: RunnerEmulator): EndpointBase => ({ baseUrl: em.url, pathPrefix: em.pathPrefix });

async function start(em: RunnerEmulator, command: string): Promise<string> {
  const res = await fetch(boxUrl(base(em), 'box', '/exec'), {
    method: 'POST',
    headers: { authorization: `Bearer ${em.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { execution_id: string }).execution_id;
}

/** Attaches and collects every frame until the socket closes. */
function attachAll(em: RunnerEmulator, id: string): Promise<{ binary: Buffer[]; text: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(attachUrl(base(em), 'box', id), { headers: { authorization: `Bearer ${em.token}` } });
    const binary: Buffer[] = [];
    const text: string[] = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? binary.push(data) : text.push(data.toString('utf8'))));
    ws.on('error', reject);
    ws.on('close', (code) => resolve({ binary, text, code }));
  });
}

describe('flood step', () => {
  it('writes every chunk as its own frame, paced by the queue: nothing dropped, nothing before the attach', async () => {
    const chunk = new Uint8Array(1000).map((_, i) => i % 251);
    const em = await emulator({ subscriberQueueChunks: 16, scripts: { flood: { steps: [{ flood: { chunk, count: 600 } }, { exit: 3 }] } } });
    const id = await start(em, 'flood');
    expect(em.execution(id)?.stdoutBytes).toBe(0);
    const { binary, text, code } = await attachAll(em, id);
    expect(binary).toHaveLength(600);
    expect(binary.every((frame) => frame[0] === 0x01 && Buffer.compare(frame.subarray(1), chunk) === 0)).toBe(true);
    expect(text).toEqual(['{"type":"exit","exit_code":3}']);
    expect(code).toBe(1000);
    expect(em.stats).toMatchObject({ droppedChunks: 0, framesSent: 601, bytesSent: 600 * 1001 + text[0]!.length });
  });

  it('sends tiny chunks in bursts with their frame boundaries intact, on the stream asked for', async () => {
    const em = await emulator({ scripts: { flood: { steps: [{ stdout: 'a' }, { flood: { chunk: 'xy', count: 5000, stream: 'stderr' } }, { stdout: 'z' }] } } });
    const id = await start(em, 'flood');
    const { binary, text } = await attachAll(em, id);
    expect(binary).toHaveLength(5002);
    expect(binary[0]).toEqual(Buffer.from([0x01, 0x61]));
    expect(binary.slice(1, -1).every((frame) => frame.equals(Buffer.from([0x02, 0x78, 0x79])))).toBe(true);
    expect(binary.at(-1)).toEqual(Buffer.from([0x01, 0x7a]));
    expect(text).toEqual(['{"type":"exit","exit_code":0}']);
    expect(em.stats.droppedChunks).toBe(0);
  });

  it('a TTY script floods stderr on the stdout channel; count 0 writes nothing', async () => {
    const em = await emulator({
      scripts: { flood: { tty: true, steps: [{ flood: { chunk: 'e', count: 3, stream: 'stderr' } }, { flood: { chunk: 'n', count: 0 } }] } },
    });
    const id = await start(em, 'flood');
    const { binary } = await attachAll(em, id);
    expect(binary.map((frame) => frame.toString('latin1'))).toEqual(['\x01e', '\x01e', '\x01e']);
  });
});
