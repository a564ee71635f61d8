// @module-tag slow/sockets
/**
 * Both servers with a client of DEFAULT options (`replayShape: 'auto'`, the start gate on): the
 * runs that lost output in silence with the old `'ring'` default against `boxlite serve` (a wrap
 * while away, stdout and stderr interleaved through a cut) are exact or announced, and the Go
 * runner's are exact. Each stream is checked with the property oracle: every byte once and in
 * order, or a notice that explains the difference; never silence.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerClient, type ExecEvent, type RunnerClientOptions } from '../../src/index.js';
import { startRunnerEmulator, type RunnerEmulator, type Script } from '../../src/testing/index.js';
import type { EmulatedServer } from '../../src/testing/emulator/servers.js';
import { announces, deliveredBytes, explains, piecesOf } from '../property/oracle.js';

const encoder = new TextEncoder();
const emulators: RunnerEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((em) => em.close()));
});

async function run(server: EmulatedServer, script: Script, options: Partial<RunnerClientOptions> = {}): Promise<ExecEvent[]> {
  const em = await startRunnerEmulator({ server, scripts: { job: script } });
  emulators.push(em);
  const client = createRunnerClient({ baseUrl: em.url, token: em.token, ...options });
  return lastValueFrom(client.exec('box', { command: 'job' }).pipe(toArray()));
}

const join = (chunks: readonly (string | Uint8Array)[]): Uint8Array =>
  Uint8Array.from(chunks.flatMap((chunk) => [...(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)]));

/** `yes` output in 3000-byte chunks: periodic, so content can never align it. */
const YES = 'y\n'.repeat(1500);
/** Log lines with long shared endings, one chunk each. */
const logLine = (i: number): string =>
  `2026-12-06T20:${String(i % 60).padStart(2, '0')}:00.000Z INFO request id=${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0')} path=/api/v1/items/${i} status=200 service=catalog-api region=eu-west-1\n`;

/** The oracle on one stream: exact (no notice), or a notice that explains what was delivered. */
function check(events: readonly ExecEvent[], stream: 'stdout' | 'stderr', produced: Uint8Array): 'exact' | 'announced' {
  const pieces = piecesOf(events, stream);
  const exit = events.at(-1);
  const complete = exit?.type === 'exit' && exit.source === 'frame';
  if (!announces(pieces)) {
    expect(Buffer.from(deliveredBytes(pieces)).equals(Buffer.from(produced)), `${stream}: exact bytes without a notice`).toBe(true);
    return 'exact';
  }
  expect(explains(produced, pieces, { complete, start: 0 }), `${stream}: the notice explains the bytes`).toBe(true);
  return 'announced';
}

describe("boxlite serve with default options: nothing lost in silence", () => {
  it('a wrap while the client is away (refused with 409 while 300 KB of `yes` are written): announced, never silent', async () => {
    const away = Array.from({ length: 100 }, () => YES);
    const script: Script = {
      steps: [{ stdout: YES }, { waitMs: 200 }, ...away.map((stdout) => ({ stdout })), { exit: 0 }],
      attachFaults: [{ cut: { after: { outputBytes: 3000 } } }, ...Array.from({ length: 4 }, () => ({ reject: { status: 409 } }))],
    };
    const events = await run('serve', script);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0 });
    expect(check(events, 'stdout', join([YES, ...away]))).toBe('announced');
  });

  it('stdout and stderr interleaved through a cut: each stream exact or announced, never a byte twice in silence', async () => {
    const steps = Array.from({ length: 6 }, (_, i) => [{ stdout: logLine(i) }, { stderr: `warn ${logLine(100 + i)}` }]).flat();
    const script: Script = { steps: [...steps.slice(0, 6), { waitMs: 100 }, ...steps.slice(6), { exit: 3 }], attachFaults: [{ cut: { after: { outputBytes: 400 } } }] };
    const events = await run('serve', script);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 3, source: 'frame' });
    const produced = (stream: 'stdout' | 'stderr'): Uint8Array =>
      join(steps.flatMap((step) => (stream in step ? [(step as Record<string, string>)[stream] as string] : [])));
    check(events, 'stdout', produced('stdout'));
    check(events, 'stderr', produced('stderr'));
  });
});

describe('the Go runner with default options: exact', () => {
  it('a reconnect to a running command: every byte once, no notice', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => logLine(i));
    const script: Script = {
      steps: [...lines.slice(0, 20).map((stdout) => ({ stdout })), { waitMs: 100 }, ...lines.slice(20).map((stdout) => ({ stdout })), { exit: 0 }],
      attachFaults: [{ cut: { after: { outputBytes: 1500 } } }],
    };
    const events = await run('runner', script);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(check(events, 'stdout', join(lines))).toBe('exact');
  });

  it("one line, then a cut while the command is silent: the replay equals the line, and the 201's Content-Type (gin's) says ring: exact", async () => {
    const line = logLine(7);
    const script: Script = { steps: [{ stdout: line }, { waitMs: 300 }, { stdout: logLine(8) }, { exit: 0 }], attachFaults: [{ cut: { after: { outputBytes: line.length } } }] };
    const events = await run('runner', script);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(check(events, 'stdout', join([line, logLine(8)]))).toBe('exact');
  });

  it('a fast command that writes more than the ring before any socket could open: whole, through the start gate', async () => {
    // 120 chunks of 25 lines (about 320 KB): fewer than the server's 256-chunk subscriber queue,
    // which drops in silence on every server when a client falls that far behind.
    const lines = Array.from({ length: 120 }, (_, chunk) => Array.from({ length: 25 }, (__, i) => logLine(chunk * 25 + i)).join(''));
    const events = await run('runner', { steps: [...lines.map((stdout) => ({ stdout })), { exit: 0 }] });
    expect(join(lines).length).toBeGreaterThan(256 * 1024);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(check(events, 'stdout', join(lines))).toBe('exact');
  });
});
