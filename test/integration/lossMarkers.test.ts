/**
 * The host's in-band loss marker (`[boxlite] stdout output dropped N bytes\r\n`) over real sockets,
 * on both emulated servers: live on each stream, inside a replay, through a cut right after it,
 * kept as output on request, in a TTY execution, and look-alikes that stay output.
 */

import { describe, expect, it } from 'vitest';
import type { ExecEvent, NoticeEvent } from '../../src/index.js';
import type { Script, ScriptStep } from '../../src/testing/index.js';
import { toExecResult } from '../../src/index.js';
import { firstValueFrom } from 'rxjs';
import { clientFor, emulator, finish, outcome, socketsClosed } from './support.js';

const SERVERS = ['runner', 'serve'] as const;

/** Log output whose first part ends in the middle of a line, as a guest buffer read does. */
const A = '2026-12-01T12:00:01Z INFO worker started\n2026-12-01T12:00:02Z INFO progress 10% ██▌';
const B = '░░ 90%\n2026-12-01T12:00:09Z INFO worker done ✓\n';
const E1 = 'warning: cache miss for key "ü/x"\n';
const E2 = 'warning: retrying\n';
const marker = (stream: string, bytes: number): string => `[boxlite] ${stream} output dropped ${bytes} bytes\r\n`;
const MARKER_OUT = marker('stdout', 1_048_576);
const byteLength = (text: string): number => Buffer.byteLength(text);

const steps: readonly ScriptStep[] = [
  { stdout: A },
  { lost: { stream: 'stdout', bytes: 1_048_576 } },
  { stdout: B },
  { stderr: E1 },
  { lost: { stream: 'stderr', bytes: 12 } },
  { stderr: E2 },
  { exit: 3 },
];

const lost = (stream: 'stdout' | 'stderr', bytes: number) => ({ type: 'notice', kind: 'output-lost', stream, bytes });

/** The output texts and notices in the order they came, the exit code last. */
function sequence(events: readonly ExecEvent[]): unknown[] {
  return events.flatMap((e) => {
    if (e.type === 'stdout' || e.type === 'stderr') return [`${e.type}:${Buffer.from(e.data).toString('utf8')}`];
    if (e.type === 'notice' && e.kind === 'output-lost') return [`lost:${e.stream}:${e.bytes}`];
    if (e.type === 'exit') return [`exit:${e.exitCode}`];
    return [];
  });
}

/** Joins adjacent output of one stream, so the order check does not depend on frame boundaries. */
function merged(items: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    const last = out.at(-1);
    const stream = typeof item === 'string' ? item.slice(0, 7) : '';
    if (typeof last === 'string' && (stream === 'stdout:' || stream === 'stderr:') && last.startsWith(stream)) {
      out[out.length - 1] = last + (item as string).slice(7);
    } else out.push(item);
  }
  return out;
}

const EXPECTED = [`stdout:${A}`, 'lost:stdout:1048576', `stdout:${B}`, `stderr:${E1}`, 'lost:stderr:12', `stderr:${E2}`, 'exit:3'];

describe.each(SERVERS)('server %s', (server) => {
  it('live on each stream: an output-lost notice in its place, never output', async () => {
    const em = await emulator({ server, scripts: { job: { steps } } });
    const { events, error } = await outcome(clientFor(em).exec('box', { command: 'job' }));
    expect(error).toBeUndefined();
    expect(merged(sequence(events))).toEqual(EXPECTED);
    const notices = events.filter((e): e is NoticeEvent => e.type === 'notice');
    expect(notices).toEqual([expect.objectContaining(lost('stdout', 1_048_576)), expect.objectContaining(lost('stderr', 12))]);
    expect(notices[0]?.message).toBe("stdout: the host dropped 1048576 bytes (the guest's output buffer overran)");
    await socketsClosed(em);
  });

  it('inside a replay (the first attach cut right after its 101): read from the replay, in place', async () => {
    const script: Script = { steps, attachFaults: [{ cut: { after: 'upgrade', how: 'destroy' } }] };
    const em = await emulator({ server, scripts: { job: script } });
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    expect(result.stdout).toBe(A + B);
    expect(result.stderr).toBe(E1 + E2);
    expect(result.notices).toEqual([expect.objectContaining(lost('stdout', 1_048_576)), expect.objectContaining(lost('stderr', 12))]);
    expect(result.exit).toMatchObject({ exitCode: 3, source: 'frame' });
  });

  it('a cut right after the marker: the replay holding it aligns exactly, one notice, no byte twice', async () => {
    const after = byteLength(A) + byteLength(MARKER_OUT);
    const script: Script = { steps, attachFaults: [{ cut: { after: { outputBytes: after }, how: 'destroy' } }] };
    const em = await emulator({ server, scripts: { job: script } });
    const { events, error } = await outcome(clientFor(em).exec('box', { command: 'job' }));
    expect(error).toBeUndefined();
    expect(em.stats).toMatchObject({ cuts: 1 });
    // Each stream in its order (the server keeps no order between the two streams across a replay).
    const outputs = merged(sequence(events));
    expect(outputs.filter((item) => !String(item).includes('stderr'))).toEqual(EXPECTED.filter((item) => !item.includes('stderr')));
    expect(outputs.filter((item) => String(item).includes('stderr'))).toEqual(EXPECTED.filter((item) => item.includes('stderr')));
    const notices = events.filter((e): e is NoticeEvent => e.type === 'notice' && e.kind !== 'reconnecting' && e.kind !== 'reconnected');
    expect(notices.map((n) => `${n.kind}:${n.stream}:${n.bytes}`)).toEqual(['output-lost:stdout:1048576', 'output-lost:stderr:12']);
  });

  it('a cut after the marker and one more line: exact bytes through a later replay too', async () => {
    const after = byteLength(A) + byteLength(MARKER_OUT) + 7;
    const script: Script = { steps, attachFaults: [{ cut: { after: { outputBytes: after }, how: 'destroy' } }] };
    const em = await emulator({ server, scripts: { job: script } });
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    expect(result.stdoutBytes.equals(Buffer.from(A + B))).toBe(true);
    expect(result.stderr).toBe(E1 + E2);
    expect(result.notices.map((n) => `${n.kind}:${n.stream}:${n.bytes}`)).toEqual(['output-lost:stdout:1048576', 'output-lost:stderr:12']);
  });

  it('keepLossMarkers: true hands the marker on as output, live and through a cut after it', async () => {
    const after = byteLength(A) + byteLength(MARKER_OUT);
    const script: Script = { steps, attachFaults: [{ cut: { after: { outputBytes: after }, how: 'destroy' } }] };
    const em = await emulator({ server, scripts: { job: script } });
    const result = await finish(clientFor(em, { keepLossMarkers: true }).exec('box', { command: 'job' }));
    expect(result.stdout).toBe(A + MARKER_OUT + B);
    expect(result.stderr).toBe(E1 + marker('stderr', 12) + E2);
    expect(result.notices).toEqual([]);
  });

  it('a TTY execution (one channel): the marker names the stream of its notice', async () => {
    const em = await emulator({ server, scripts: { job: { steps, tty: true } } });
    const { events, error } = await outcome(clientFor(em).exec('box', { command: 'job' }));
    expect(error).toBeUndefined();
    expect(merged(sequence(events))).toEqual([`stdout:${A}`, 'lost:stdout:1048576', `stdout:${B}${E1}`, 'lost:stderr:12', `stdout:${E2}`, 'exit:3']);
  });

  it('toExecResult of binary output: the marker is not in the middle of stdout', async () => {
    const binary = Uint8Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256);
    const em = await emulator({
      server,
      scripts: { cat: { steps: [{ stdout: binary.subarray(0, 1024) }, { lost: { stream: 'stdout', bytes: 4096 } }, { stdout: binary.subarray(1024) }] } },
    });
    const result = await firstValueFrom(clientFor(em).exec('box', { command: 'cat' }).pipe(toExecResult()));
    expect(Buffer.from(result.stdoutBytes).equals(Buffer.from(binary))).toBe(true);
  });

  it.each([
    ['a different number format', '[boxlite] stdout output dropped 1,024 bytes\r\n'],
    ['a leading zero', '[boxlite] stdout output dropped 01024 bytes\r\n'],
    ['missing \\r\\n', '[boxlite] stdout output dropped 1024 bytes'],
    ['only \\n', '[boxlite] stdout output dropped 1024 bytes\n'],
    ['extra bytes in the frame', '[boxlite] stdout output dropped 1024 bytes\r\nnext line\n'],
    ['a byte before it', ' [boxlite] stdout output dropped 1024 bytes\r\n'],
    ['another stream name', '[boxlite] stdin output dropped 1024 bytes\r\n'],
  ])('a look-alike with %s in a live frame stays output', async (_, text) => {
    const live: ScriptStep[] = [{ waitForAttach: true }, { stdout: 'before\n' }, { waitMs: 20 }, { stdout: text }, { waitMs: 20 }, { stdout: 'after\n' }];
    const em = await emulator({ server, scripts: { job: { steps: live } } });
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    expect(result.stdout).toBe(`before\n${text}after\n`);
    expect(result.notices).toEqual([]);
  });
});
