// @module-tag slow/process
import { describe, expect, it } from 'vitest';
import { connect, emulatorPerTest, runCli } from './support/cli.js';

const start = emulatorPerTest();

/** A command whose exit comes with the runner's `error_message` for a failed wait on the process. */
const WAIT_FAILED = { steps: [{ exit: 127, errorMessage: 'wait: guest connection lost' }] };

// boxlite serve's backlog drops whole chunks past 256 KiB: 100 chunks of 3000 bytes written before
// the first attach replay as 87 chunks, with an output-lost warning.
const chunk = 'y\n'.repeat(1500);
const many = { steps: [...Array.from({ length: 100 }, () => ({ stdout: chunk })), { exit: 3 }] };
const LOST_WARNING =
  "boxlite-rx: warning: stdout: the server's replay filled its 262144-byte buffer before anything of this stream was delivered; output written before it may be missing\n";

describe('boxlite-rx warnings and --strict', () => {
  it('prints a warning without --verbose and keeps the command exit code', async () => {
    const em = await start({ replay: 'chunked', scripts: { many } });
    const run = await runCli(['exec', ...connect(em), '--no-start-gate', '--replay-shape', 'chunks', 'box-1', '--', 'many']);
    expect(run.stdout.length).toBe(87 * 3000);
    expect(run.stderr.toString()).toBe(LOST_WARNING);
    expect(run.code).toBe(3);
  });

  it('--strict exits 124 after all output when a warning was printed', async () => {
    const em = await start({ replay: 'chunked', scripts: { many } });
    const run = await runCli(['exec', ...connect(em), '--no-start-gate', '--replay-shape', 'chunks', '--strict', 'box-1', '--', 'many']);
    expect(run.stdout.length).toBe(87 * 3000);
    expect(run.stderr.toString()).toBe(`${LOST_WARNING}boxlite-rx: --strict: a warning was printed, so exiting 124 instead of the command's 3\n`);
    expect(run.code).toBe(124);
  });

  it('--strict keeps the command exit code when no warning was printed', async () => {
    const em = await start({ scripts: { quiet: { steps: [{ stdout: 'ok\n' }, { exit: 4 }] } } });
    const run = await runCli(['exec', ...connect(em), '--strict', 'box-1', '--', 'quiet']);
    expect(run.stdout.toString()).toBe('ok\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(4);
  });

  it('--verbose adds the execution id and the other notices; without it they are silent', async () => {
    const em = await start({
      generateExecutionId: ({ sequence }) => `exec-${sequence}`,
      scripts: { hi: { steps: [{ stdout: 'hi\n' }, { exit: 0 }], attachFaults: [{ inject: ['error-frame', 'unknown-channel'] }] } },
    });
    const verbose = await runCli(['exec', ...connect(em), '--verbose', 'box-1', '--', 'hi']);
    expect(verbose.stdout.toString()).toBe('hi\n');
    expect(verbose.stderr.toString()).toBe(
      'boxlite-rx: execution exec-0\nboxlite-rx: notice (server-error): injected error frame\nboxlite-rx: notice (malformed-frame): unknown channel byte 0x03\n',
    );
    expect(verbose.code).toBe(0);
    const quiet = await runCli(['exec', ...connect(em), 'box-1', '--', 'hi']);
    expect(quiet.stdout.toString()).toBe('hi\n');
    expect(quiet.stderr.toString()).toBe('');
    expect(quiet.code).toBe(0);
  });
});

describe('boxlite-rx exit reason', () => {
  it("prints the status endpoint's error_message as one line when the exit code comes from the probe", async () => {
    // Every attach is cut before the exit frame, so the exit code (127) and its reason (the runner's
    // error_message when waiting for the process failed) come from the status endpoint, after a drain-incomplete warning.
    const em = await start({ scripts: { lost: WAIT_FAILED }, faults: () => ({ cut: { after: 'before-exit' } }) });
    const run = await runCli(['exec', ...connect(em), '--no-start-gate', 'box-1', '--', 'lost']);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr.toString()).toBe(
      'boxlite-rx: warning: the re-attach failed: attach: socket closed before the exit frame (code 1006); exit code 127 from the status endpoint\n' +
        'boxlite-rx: wait: guest connection lost\n',
    );
    expect(run.code).toBe(127);
  });
});

describe('boxlite-rx exit reason from the exit frame', () => {
  it("a non-zero exit frame: the status endpoint's error_message, one line (one GET after the exit)", async () => {
    const em = await start({ scripts: { lost: WAIT_FAILED } });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'lost']);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr.toString()).toBe('boxlite-rx: wait: guest connection lost\n');
    expect(run.code).toBe(127);
  });
});

describe('boxlite-rx and a program the box cannot start', () => {
  it.each([
    ['runner', 'no-such-program-boxlite-rx', 127, 'spawn no-such-program-boxlite-rx ENOENT'],
    ['serve', 'no-such-program-boxlite-rx', 127, 'spawn no-such-program-boxlite-rx ENOENT'],
    ['runner', '/etc/passwd', 126, 'spawn /etc/passwd EACCES'],
  ] as const)(
    "%s, ungated, %s: the server's spawn_failed (500, nothing created) is docker exec's %i with one line, not 125",
    async (server, command, status, detail) => {
      const em = await start({ allowProcesses: true, server });
      const run = await runCli(['exec', ...connect(em), '--no-start-gate', 'box-1', '--', command]);
      expect(run.stdout.length).toBe(0);
      expect(run.stderr.toString()).toBe(`boxlite-rx: cannot start the command: ${detail}\n`);
      expect(run.code).toBe(status);
      expect(em.stats.executions).toBe(0);
    },
  );
});

describe('boxlite-rx secrets', () => {
  it('a short token garbles no message', async () => {
    const em = await start({ errorShape: 'auth' });
    const run = await runCli(['exec', '--url', em.url, '--token', 't', 'box-1', '--', 'hi']);
    expect(run.stderr.toString()).toBe('boxlite-rx: exec: missing or invalid bearer token\n');
    expect(run.code).toBe(125);
    const unreachable = await runCli(['exec', '--url', 'http://127.0.0.1:1', '--token', 't', 'box-1', '--', 'hi']);
    expect(unreachable.stderr.toString()).toBe('boxlite-rx: POST http://127.0.0.1:1/v1/boxes/box-1/exec failed: fetch failed (ECONNREFUSED)\n');
    expect(unreachable.code).toBe(125);
  });

  it('a long token echoed back by the server never appears', async () => {
    const token = 'secret-token-0123456789abcdef';
    // The auth shape echoes the message and the path, and both name the box: here, the token.
    const em = await start({ token, errorShape: 'auth', boxes: ['box-1'] });
    for (const args of [['--token', token], []]) {
      const run = await runCli(['exec', '--url', em.url, ...args, token, '--', 'hi'], { env: { BOXLITE_API_KEY: token } });
      expect(run.stderr.toString()).toBe('boxlite-rx: exec: box *** not found\n');
      expect(run.code).toBe(125);
    }
  });

  it('a short token echoed back as a word of its own never appears, as the library masks it', async () => {
    const token = 'k3y';
    const em = await start({ token, errorShape: 'auth', boxes: ['box-1'] });
    const run = await runCli(['exec', '--url', em.url, '--token', token, token, '--', 'hi']);
    expect(run.stderr.toString()).toBe('boxlite-rx: exec: box *** not found\n');
    expect(run.code).toBe(125);
  });
});
