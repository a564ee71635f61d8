// @module-tag slow/process
import { afterEach, describe, expect, it } from 'vitest';
import { startRunnerEmulator, type RunnerEmulator, type RunnerEmulatorOptions } from '../src/testing/index.js';
import { spawn } from 'node:child_process';
import { filter, firstValueFrom } from 'rxjs';
import { CLI, runCli } from './support/cli.js';

let emulator: RunnerEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: RunnerEmulatorOptions): Promise<RunnerEmulator> {
  emulator = await startRunnerEmulator(options);
  return emulator;
}

const connect = (em: RunnerEmulator): string[] => ['--url', em.url, '--token', em.token];

describe('boxlite-rx exec (the built CLI against a real server on 127.0.0.1)', () => {
  it('reproduces BoxLite PR #627: first attach cut before any frame, status completed/0, prints exactly hello\\n and exits 0', async () => {
    const em = await start({
      scripts: { hello: { steps: [{ stdout: 'hello\n' }, { exit: 0 }], attachFaults: [{ cut: { after: 'upgrade' } }] } },
    });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'hello']);
    expect(run.stdout.toString('latin1')).toBe('hello\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(em.stats.attachAttempts).toBe(2);
  });

  it('writes stdout and stderr byte for byte (binary, split UTF-8) and exits with the command exit code', async () => {
    const binary = Uint8Array.from([0x00, 0xff, 0xe2, 0x82]);
    const em = await start({
      scripts: {
        mixed: { steps: [{ stdout: binary }, { stderr: 'warn\n' }, { stdout: Uint8Array.from([0xac, 0x0a]) }, { exit: 3 }] },
      },
    });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'mixed']);
    expect([...run.stdout]).toEqual([0x00, 0xff, 0xe2, 0x82, 0xac, 0x0a]);
    expect(run.stderr.toString()).toBe('warn\n');
    expect(run.code).toBe(3);
  });

  it('forwards its own stdin and sends stdin_eof at EOF', async () => {
    const em = await start({ scripts: { cat: { steps: [{ echoStdin: true }, { exit: 0 }] } } });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'cat'], { stdin: 'line one\nline two\n' });
    expect(run.stdout.toString()).toBe('line one\nline two\n');
    expect(run.code).toBe(0);
  });

  it('takes its defaults from BOXLITE_REST_URL and BOXLITE_API_KEY', async () => {
    const em = await start({ scripts: { hi: { steps: [{ stdout: 'hi\n' }] } } });
    const run = await runCli(['exec', 'box-1', '--', 'hi'], { env: { BOXLITE_REST_URL: em.url, BOXLITE_API_KEY: em.token } });
    expect(run.stdout.toString()).toBe('hi\n');
    expect(run.code).toBe(0);
  });

  it('exits 125 with one line, never showing the token, when auth is refused', async () => {
    const em = await start({ errorShape: 'auth', scripts: { hi: { steps: [{ stdout: 'hi\n' }] } } });
    const token = 'wrong-token-1234567890';
    const run = await runCli(['exec', '--url', em.url, '--token', token, 'box-1', '--', 'hi']);
    expect(run.code).toBe(125);
    expect(run.stdout.length).toBe(0);
    const lines = run.stderr.toString().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^boxlite-rx: exec: /);
    expect(run.stderr.toString()).not.toContain(token);
  });

  it('exits 125 with one line when the server is unreachable', async () => {
    const em = await start({});
    const url = em.url;
    await em.close();
    emulator = undefined;
    const run = await runCli(['exec', '--url', url, 'box-1', '--', 'hi']);
    expect(run.code).toBe(125);
    expect(run.stderr.toString()).toMatch(/^boxlite-rx: POST http:\/\/127\.0\.0\.1:\d+\/v1\/boxes\/box-1\/exec failed: fetch failed \(ECONNREFUSED\)\n$/);
  });

  it('exits 2 on a usage error, naming it', async () => {
    const run = await runCli(['exec', '--url', 'http://127.0.0.1:1', 'box-1']);
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toBe('boxlite-rx: exec needs a command after -- (see boxlite-rx exec --help)\n');
  });
});

describe('boxlite-rx exec --replay-shape (boxlite serve)', () => {
  // 100 chunks of 3000 bytes, all written before the first attach: boxlite serve's backlog drops
  // whole chunks past 256 KiB, so the first replay is 87 chunks and the head is gone.
  const chunk = 'y\n'.repeat(1500);
  const many = { steps: [...Array.from({ length: 100 }, () => ({ stdout: chunk })), { exit: 0 }] };

  it('with chunks, a first replay that filled the backlog is announced on stderr as a warning', async () => {
    const em = await start({ replay: 'chunked', scripts: { many } });
    // Ungated, as a command that starts at POST /exec: test/cli.startGate.test.ts runs it through the gate.
    const run = await runCli(['exec', ...connect(em), '--no-start-gate', '--replay-shape', 'chunks', 'box-1', '--', 'many']);
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBe(87 * 3000);
    expect(run.stderr.toString()).toBe("boxlite-rx: warning: stdout: the server's replay filled its 262144-byte buffer before anything of this stream was delivered; output written before it may be missing\n");
  });

  it('names a bad value and exits 2', async () => {
    const run = await runCli(['exec', '--url', 'http://127.0.0.1:1', '--replay-shape', 'lines', 'box-1', '--', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toBe('boxlite-rx: --replay-shape must be auto, ring or chunks, got "lines" (see boxlite-rx exec --help)\n');
  });
});

describe('boxlite-rx exec: signals', () => {
  it('forwards Ctrl-C to the command in-band and exits with the command code', async () => {
    const em = await start({ scripts: { sleepy: { steps: [{ stdout: 'ready\n' }, { waitMs: 10_000 }, { exit: 0 }] } } });
    const signalled = firstValueFrom(em.events.pipe(filter((event) => event.type === 'signal')));
    const child = spawn(process.execPath, [CLI, 'exec', ...connect(em), 'box-1', '--', 'sleepy'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (Buffer.concat(stdout).toString() === 'ready\n') child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(await signalled).toMatchObject({ type: 'signal', signal: 2, source: 'attach' });
    expect(Buffer.concat(stdout).toString()).toBe('ready\n');
    expect(code).toBe(130);
  });
});

describe('boxlite-rx attach', () => {
  it('follows an existing execution to its exit code, output and all', async () => {
    const em = await start({ scripts: { late: { steps: [{ stdout: 'a\n' }, { waitMs: 50 }, { stdout: 'b\n' }, { exit: 7 }] } } });
    const response = await fetch(`${em.url}/v1/boxes/box-1/exec`, {
      method: 'POST',
      headers: { authorization: `Bearer ${em.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'late' }),
    });
    const { execution_id: id } = (await response.json()) as { execution_id: string };
    const run = await runCli(['attach', ...connect(em), 'box-1', id]);
    expect(run.stdout.toString()).toBe('a\nb\n');
    expect(run.code).toBe(7);
  });

  it('exits 125 with a gone message for an unknown execution', async () => {
    const em = await start({});
    const run = await runCli(['attach', ...connect(em), 'box-1', 'no-such-exec']);
    expect(run.code).toBe(125);
    expect(run.stderr.toString()).toMatch(/^boxlite-rx: execution gone: .*\n$/);
  });
});
