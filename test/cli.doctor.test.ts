// @module-tag slow/process
/**
 * `boxlite-rx doctor`, the built CLI against the emulator on 127.0.0.1 in each server it models:
 * the Go runner, `boxlite serve`, and a newer runner that waits for the client's Close; then a
 * server that breaks rules. The doctor's commands (`echo`, `seq`, `sleep`) run as real processes.
 */
import { describe, expect, it } from 'vitest';
import type { RunnerEmulator, RunnerEmulatorOptions } from '../src/testing/index.js';
import { connect, emulatorPerTest, runCli, type CliRun } from './support/cli.js';

const start = emulatorPerTest();

/** Real processes, and a short Ping period so the doctor does not wait 15 s for the first one. */
const base: RunnerEmulatorOptions = { allowProcesses: true, pingIntervalMs: 200, token: 'doctor-secret-token-0123456789' };

/** `seq 1 70000`: 408894 bytes. */
const BURST = 408_894;

/** The report's line for a check: `ok       ring           …`, without the marker and id columns. */
function line(run: CliRun, id: string): string {
  const found = run.stdout
    .toString()
    .split('\n')
    .find((text) => text.slice(9).startsWith(`${id} `));
  if (found === undefined) throw new Error(`no ${id} line in:\n${run.stdout.toString()}`);
  return found;
}

function doctor(em: RunnerEmulator, ...extra: string[]): Promise<CliRun> {
  return runCli(['doctor', ...connect(em), ...extra, 'box-1'], { timeoutMs: 30_000 });
}

/** Every execution the doctor started was deleted: 3 started, 3 evicted, none running. */
function cleanedUp(em: RunnerEmulator): void {
  expect(em.stats).toMatchObject({ executions: 3, evictions: 3, running: 0 });
}

describe('boxlite-rx doctor against each server the emulator models', () => {
  it('the Go runner: one ring frame of 256 KiB, 409, Close at once; exit 0', async () => {
    const em = await start(base);
    const run = await doctor(em);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout.toString();
    expect(out).not.toContain(em.token);
    expect(out.split('\n')[0]).toBe(`boxlite-rx doctor: ${em.url}, box box-1`);
    expect(line(run, 'auth')).toBe('ok       auth           token accepted on REST (POST /exec 201) and on the upgrade (101)');
    expect(line(run, 'exec')).toBe('ok       exec           POST /exec answers 201 {"execution_id":…} with a Location header');
    expect(line(run, 'replay')).toBe('ok       replay         one frame per stream (ring): the re-attach after the exit replayed 262144 bytes in 1 frame');
    expect(line(run, 'ring')).toBe(`ok       ring           262144 bytes (256 KiB) per stream (the replay of a ${BURST}-byte output)`);
    expect(line(run, 'ping')).toMatch(/^ok +ping +first Ping (\d+) ms after the upgrade$/);
    // The emulator's Ping interval (200 ms) starts as it sends the 101; the client measures from its
    // own open, one delivery later (9 ms once on a loaded 2-core run), so the bound leaves 50 ms.
    expect(Number(/(\d+) ms/.exec(line(run, 'ping'))?.[1])).toBeGreaterThanOrEqual(150);
    expect(line(run, 'single-attach')).toBe('ok       single-attach  a second attach got 409 before any upgrade');
    expect(line(run, 'close')).toMatch(
      /^ok +close +Close 1000 [\d.]+ ms after the exit frame; the connection dropped [\d.]+ ms after it: the server does not wait for the client's Close$/,
    );
    expect(line(run, 'delete')).toMatch(/^ok +delete +DELETE while attached: 204, then exit 137 [\d.]+ ms after it, and Close 1000$/);
    expect(line(run, 'frames')).toMatch(/^ok +frames +\d+ frames, all well-formed$/);
    expect(line(run, 'errors')).toBe(
      'ok       errors         unknown execution: 404 runner {"error":"…"}; wrong token: 401 runner auth middleware {"statusCode":…,"code":…}',
    );
    expect(line(run, 'rtt')).toMatch(/^ok +rtt +[\d.]+ ms \(median of 5 GETs\)$/);
    expect(out).toContain("\nrecommended client options: { replayShape: 'ring', ringBytes: 262144, idleTimeout: 'auto' }\n");
    expect(out.endsWith('\nthe server behaves as docs/protocol.md says\n')).toBe(true);
    cleanedUp(em);
  });

  it('boxlite serve under a tenant prefix, --json: one frame per chunk, serve error bodies; conforms', async () => {
    const em = await start({ ...base, replay: 'chunked', errorShape: 'serve', pathPrefix: 'tenant/a' });
    const run = await doctor(em, '--prefix', 'tenant/a', '--json');
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).not.toContain(em.token);
    const report = JSON.parse(run.stdout.toString()) as {
      conforms: boolean;
      pathPrefix: string;
      checks: { id: string; ok: boolean; measured: string }[];
      recommended: unknown;
      measurements: { replay: { writtenBytes: number; frameBytes: number[]; isTail: boolean }; notFound: unknown; wrongToken: unknown };
    };
    expect(report).toMatchObject({ conforms: true, pathPrefix: 'tenant/a' });
    expect(report.checks.map((check) => [check.id, check.ok])).toEqual(
      ['auth', 'exec', 'replay', 'ring', 'ping', 'single-attach', 'close', 'delete', 'frames', 'errors', 'rtt', 'read-only', 'box-attach', 'listing'].map((id) => [id, true]),
    );
    const { writtenBytes, frameBytes, isTail } = report.measurements.replay;
    const kept = frameBytes.reduce((sum, size) => sum + size, 0);
    expect({ writtenBytes, isTail }).toEqual({ writtenBytes: BURST, isTail: true });
    expect(frameBytes.length).toBeGreaterThan(1);
    expect(kept).toBeLessThanOrEqual(262_144);
    const measured = Object.fromEntries(report.checks.map((check) => [check.id, check.measured]));
    expect(measured['replay']).toBe(`one frame per chunk (chunks): the re-attach after the exit replayed ${kept} bytes in ${frameBytes.length} frames`);
    expect(measured['ring']).toBe(`not visible exactly (chunks): ${kept} bytes kept in ${frameBytes.length} whole chunks of a ${BURST}-byte output, at most 262144`);
    expect(report.measurements.notFound).toEqual({ status: 404, shape: 'serve' });
    expect(report.measurements.wrongToken).toEqual({ status: 401, shape: 'serve' });
    expect(report.recommended).toEqual({ replayShape: 'chunks', ringBytes: 262_144, idleTimeout: 'auto' });
    cleanedUp(em);
  });

  it("a newer runner: waits for the client's Close after the exit frame, then drops the connection; conforms", async () => {
    const hold = 1_000;
    const em = await start({ ...base, slotHoldAfterExitMs: hold });
    const run = await doctor(em, '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.toString()) as {
      checks: { id: string; ok: boolean; measured: string }[];
      measurements: { echo: { close: { code: number; closeMs: number; droppedMs: number } } };
    };
    const { code, closeMs, droppedMs } = report.measurements.echo.close;
    expect(code).toBe(1000);
    // The server's Close came at once; the client withheld its own, so the server dropped the
    // connection when its wait ended.
    expect(closeMs).toBeLessThan(hold / 2);
    expect(droppedMs).toBeGreaterThanOrEqual(hold - 5);
    expect(droppedMs).toBeLessThan(hold + 1_000);
    expect(report.checks.find((check) => check.id === 'close')?.measured).toMatch(
      /^Close 1000 [\d.]+ (ms|s) after the exit frame; the server waited [\d.]+ (ms|s) for the client's Close, then dropped the connection \(a newer runner\)$/,
    );
    cleanedUp(em);
  });
});

describe('boxlite-rx doctor against a server that breaks rules', () => {
  it('no 409 on a second attach (a 502), a frame on an unknown channel: exit 1 with those lines marked', async () => {
    const em = await start({
      ...base,
      faults: ({ command, attempt }) => {
        if (command === 'sleep' && attempt === 1) return { reject: { status: 502 } };
        if (command === 'seq' && attempt === 1) return { inject: ['unknown-channel'] };
        return undefined;
      },
    });
    const run = await doctor(em);
    expect(run.code).toBe(1);
    expect(run.stderr.toString()).toBe('');
    const out = run.stdout.toString();
    expect(line(run, 'single-attach')).toBe('DIFFERS  single-attach  a second attach got 502 (docs/protocol.md: 409 before any upgrade)');
    expect(line(run, 'frames')).toMatch(
      /^DIFFERS  frames +\d+ frames: unknown channel byte 0x03 \(docs\/protocol\.md: channel 0x01\/0x02 output frames, exit and error text frames, one exit frame and nothing after it\)$/,
    );
    expect(out.split('\n').filter((text) => text.startsWith('DIFFERS'))).toHaveLength(2);
    expect(out.endsWith('\n2 lines differ from docs/protocol.md\n')).toBe(true);
    cleanedUp(em);
  });

  it('a 64 KiB ring: the ring line differs and the recommendation carries the measured size', async () => {
    const em = await start({ ...base, ringBytes: 65_536 });
    const run = await doctor(em);
    expect(run.code).toBe(1);
    expect(line(run, 'ring')).toBe(
      `DIFFERS  ring           65536 bytes (64 KiB) per stream (the replay of a ${BURST}-byte output) (docs/protocol.md: 262144 bytes (256 KiB) per stream)`,
    );
    expect(line(run, 'replay')).toBe('ok       replay         one frame per stream (ring): the re-attach after the exit replayed 65536 bytes in 1 frame');
    expect(run.stdout.toString()).toContain("recommended client options: { replayShape: 'ring', ringBytes: 65536, idleTimeout: 'auto' }");
  });
});

describe('boxlite-rx doctor: failures and usage', () => {
  it('a wrong token: exit 125 with one line, the token never printed, nothing left running', async () => {
    const em = await start(base);
    const token = 'wrong-token-abcdefgh-12345';
    const run = await runCli(['doctor', '--url', em.url, '--token', token, 'box-1'], { timeoutMs: 30_000 });
    expect(run.code).toBe(125);
    expect(run.stdout.toString()).toBe('');
    expect(run.stderr.toString()).toBe('boxlite-rx: doctor: POST /exec answered 401: missing or invalid bearer token\n');
    expect(em.stats.executions).toBe(0);
  });

  it('bad usage exits 2; -h prints its usage', async () => {
    const missing = await runCli(['doctor', '--url', 'http://127.0.0.1:1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.toString()).toBe('boxlite-rx: doctor needs BOX_ID (see boxlite-rx doctor --help)\n');
    const extra = await runCli(['doctor', '--url', 'http://127.0.0.1:1', 'box-1', 'box-2']);
    expect(extra.code).toBe(2);
    const unknown = await runCli(['doctor', '--url', 'http://127.0.0.1:1', '--verbose', 'box-1']);
    expect(unknown.stderr.toString()).toBe('boxlite-rx: doctor: unknown option --verbose (see boxlite-rx doctor --help)\n');
    const help = await runCli(['doctor', '-h']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/^Usage:\n {2}boxlite-rx doctor \[--url URL\] \[--token TOKEN\] \[--prefix P\] \[--json\] BOX_ID\n/);
    expect(help.stdout.toString()).toContain('docs/protocol.md');
  });
});
