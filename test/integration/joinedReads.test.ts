// @module-tag slow/sockets
/**
 * Issue 25, decision 1, over real sockets with DEFAULT options (start gate on, the replay shape
 * found from the frames): the frames of one socket read are one event that keeps each frame's
 * length, on both servers, through a cut mid-stream. Every byte once and in order, no notice, the
 * exit exact, the frame boundaries exactly the chunks the command wrote, and the whole run quick.
 */
import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createRunnerClient, type ExecEvent, type OutputEvent } from '../../src/index.js';
import type { ScriptStep } from '../../src/testing/index.js';
import { emulator, finish } from './support.js';

/** Log lines that share long endings, with heartbeats, repeats and UTF-8, one chunk each. */
function logLines(from: number, to: number): string[] {
  const lines: string[] = [];
  for (let n = from; n <= to; n += 1) {
    if (n % 50 === 0) lines.push(`heartbeat ${n}\n`);
    else if (n % 7 === 0) lines.push(`2026-12-07T01:${String(n % 60).padStart(2, '0')}:00Z WARN  cache état prêt ✓ key=ü/${n}\n`);
    else lines.push(`2026-12-07T01:${String(n % 60).padStart(2, '0')}:00Z INFO  request id=${n} path=/api/v1/items status=200 duration=12ms\n`);
  }
  return lines;
}

const BEFORE = logLines(1, 600);
const AFTER = logLines(601, 900);
const STDERR = ['warning: retrying\n', 'warning: retrying\n', 'done\n'];
/** Bursts of 100 chunks: the server's queue for one client holds 256 (a longer burst would drop). */
const bursts = (lines: readonly string[]): ScriptStep[] =>
  lines.flatMap((stdout, index) => (index % 100 === 99 ? [{ stdout }, { waitMs: 5 }] : [{ stdout }]));
const steps: readonly ScriptStep[] = [
  ...bursts(BEFORE),
  { waitMs: 30 },
  ...bursts(AFTER),
  { stderr: STDERR[0] as string },
  { stderr: STDERR[1] as string },
  { stderr: STDERR[2] as string },
  { exit: 3 },
];
const bytes = (texts: readonly string[]): number => Buffer.byteLength(texts.join(''));

const outputs = (events: readonly ExecEvent[]): OutputEvent[] => events.filter((e): e is OutputEvent => e.type === 'stdout' || e.type === 'stderr');

describe.each(['runner', 'serve'] as const)('joined reads on the %s preset, default options', (server) => {
  it.each([false, true])('cut mid-stream: %s', async (cut) => {
    const em = await emulator({
      server,
      scripts: { job: { steps, ...(cut ? { attachFaults: [{ cut: { after: { outputBytes: bytes(BEFORE) + 4000 }, how: 'destroy' as const } }] } : {}) } },
    });
    const events: ExecEvent[] = [];
    const started = performance.now();
    const client = createRunnerClient({ baseUrl: em.url, token: em.token });
    const result = await finish(client.exec('box', { command: 'job' }).pipe(tap((event) => events.push(event))));
    const seconds = (performance.now() - started) / 1000;
    // The server lost nothing (a full queue of 256 chunks would drop in silence, as servers do).
    expect(em.stats.droppedChunks).toBe(0);
    expect(result.stdout).toBe([...BEFORE, ...AFTER].join(''));
    expect(result.stderr).toBe(STDERR.join(''));
    expect(result.exit).toMatchObject({ exitCode: 3, source: 'frame' });
    expect(result.notices).toEqual([]);
    // A cut is followed by a reconnect (reconnecting, reconnected) or, if the command ended first, the drain.
    expect(em.stats).toMatchObject({ cuts: cut ? 1 : 0, attaches: cut ? 2 : 1 });
    expect([0, cut ? 2 : 0]).toContain(result.reconnects.length);
    expect(seconds).toBeLessThan(3);
    const out = outputs(events);
    for (const event of out) {
      expect(event.frames?.length ?? 2).toBeGreaterThan(1);
      expect((event.frames ?? [event.data.length]).reduce((sum, length) => sum + length, 0)).toBe(event.data.length);
    }
    // Joined they were, and every boundary is a chunk the command wrote.
    expect(out.some((event) => (event.frames?.length ?? 1) > 1)).toBe(true);
    const stdoutFrames = out.filter((e) => e.type === 'stdout').flatMap((e) => e.frames ?? [e.data.length]);
    if (!cut) expect(stdoutFrames).toEqual([...BEFORE, ...AFTER].map((line) => Buffer.byteLength(line)));
  });
});
