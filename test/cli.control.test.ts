// @module-tag slow/process
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SIGNAL_WHITELIST } from '../src/protocol/types.js';
import { SIGNAL_LIST, SIGNAL_NAMES, signalNumber } from '../src/cli/signalNames.js';
import { usageOf } from '../src/cli/usage.js';
import type { RunnerEmulator } from '../src/testing/index.js';
import { connect, emulatorPerTest, runCli } from './support/cli.js';

const start = emulatorPerTest();

/**
 * A script that runs until signalled: it ends with 128+N on a signal N. Its wait outlasts any test
 * (the emulator is closed after each): five CLI starts took over 10 s at load 12.
 */
const sleepy = { steps: [{ stdout: 'ready\n' }, { waitMs: 3_600_000 }, { exit: 0 }] };

async function status(em: RunnerEmulator, id: string): Promise<{ code: number; body: { status?: string; exit_code?: number } }> {
  const response = await fetch(`${em.url}/v1/boxes/box-1/executions/${id}`, { headers: { authorization: `Bearer ${em.token}` } });
  return { code: response.status, body: (await response.json()) as { status?: string; exit_code?: number } };
}

/** `exec --detach`: the id it printed (one line, nothing else). */
async function detach(em: RunnerEmulator, script: string): Promise<string> {
  const run = await runCli(['exec', ...connect(em), '--detach', 'box-1', '--', script]);
  expect(run.stderr.toString()).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.toString()).toMatch(/^[^\n]+\n$/);
  return run.stdout.toString().trimEnd();
}

describe('boxlite-rx exec --detach', () => {
  it('prints the execution id and exits 0 without attaching; the command keeps running, and attach gets its output and exit code', async () => {
    const em = await start({
      generateExecutionId: () => 'exec-1',
      scripts: { late: { steps: [{ stdout: 'a\n' }, { waitForAttach: true }, { stdout: 'b\n' }, { exit: 7 }] } },
    });
    const id = await detach(em, 'late');
    expect(id).toBe('exec-1');
    expect(em.stats.attachAttempts).toBe(0);
    expect((await status(em, id)).body.status).toBe('running');
    const run = await runCli(['attach', ...connect(em), 'box-1', id]);
    expect(run.stdout.toString()).toBe('a\nb\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(7);
  });

  it('-d is --detach, and -v adds nothing to it', async () => {
    const em = await start({ generateExecutionId: () => 'exec-d', scripts: { sleepy } });
    const run = await runCli(['exec', ...connect(em), '-d', '-v', 'box-1', '--', 'sleepy']);
    expect(run.stdout.toString()).toBe('exec-d\n');
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect((await status(em, 'exec-d')).body.status).toBe('running');
  });

  it('a refused POST is one line and 125; options about following are usage errors', async () => {
    const em = await start({ boxes: ['box-1'] });
    const noBox = await runCli(['exec', ...connect(em), '-d', 'box-9', '--', 'x']);
    expect(noBox.stdout.length).toBe(0);
    expect(noBox.stderr.toString()).toBe('boxlite-rx: exec: box box-9 not found\n');
    expect(noBox.code).toBe(125);
    const refused = await runCli(['exec', ...connect(em), '-d', 'box-1', '--', 'no-such-script']);
    expect(refused.stdout.length).toBe(0);
    expect(refused.stderr.toString()).toBe('boxlite-rx: exec: unknown command no-such-script: not a script, and processes are not allowed\n');
    expect(refused.code).toBe(125);
    for (const [option, ...value] of [['--strict'], ['--replay-shape', 'chunks'], ['--interactive']] as const) {
      const run = await runCli(['exec', ...connect(em), '-d', option, ...value, 'box-1', '--', 'x']);
      expect(run.stderr.toString()).toBe(`boxlite-rx: ${option} does not apply to --detach (nothing is followed) (see boxlite-rx exec --help)\n`);
      expect(run.code).toBe(2);
    }
  });
});

describe('boxlite-rx signal', () => {
  it('delivers a signal by name over REST; the command ends with 128+N', async () => {
    const em = await start({ scripts: { sleepy } });
    const id = await detach(em, 'sleepy');
    const signalled = firstValueFrom(em.events.pipe(filter((event) => event.type === 'signal')));
    const run = await runCli(['signal', ...connect(em), 'box-1', id, 'TERM']);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(await signalled).toMatchObject({ type: 'signal', executionId: id, signal: 15, source: 'rest' });
    const attached = await runCli(['attach', ...connect(em), 'box-1', id]);
    expect(attached.stdout.toString()).toBe('ready\n');
    expect(attached.code).toBe(143);
  });

  // One spelling per test: five CLI starts in a row took over 20 s at load 12.
  it.each(['28', 'WINCH', 'SIGWINCH', 'sigwinch'])('takes numbers and names with or without SIG, in any case: %s', async (spelling) => {
    const em = await start({ scripts: { sleepy } });
    const id = await detach(em, 'sleepy');
    // WINCH (28) leaves a script running.
    const signalled = firstValueFrom(em.events.pipe(filter((event) => event.type === 'signal')));
    const run = await runCli(['signal', ...connect(em), 'box-1', id, spelling]);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(await signalled).toMatchObject({ signal: 28, source: 'rest' });
    expect(em.execution(id)?.signals).toEqual([28]);
    expect((await status(em, id)).body.status).toBe('running');
  });

  it('names the whitelist for a signal off it, and points at kill for SIGKILL (usage errors, 2)', async () => {
    const cases: [string, string][] = [
      ['KILL', 'boxlite-rx: SIGKILL is not sent by signal: use boxlite-rx kill BOX_ID EXECUTION_ID (see boxlite-rx signal --help)\n'],
      ['SIGKILL', 'boxlite-rx: SIGKILL is not sent by signal: use boxlite-rx kill BOX_ID EXECUTION_ID (see boxlite-rx signal --help)\n'],
      ['9', 'boxlite-rx: SIGKILL is not sent by signal: use boxlite-rx kill BOX_ID EXECUTION_ID (see boxlite-rx signal --help)\n'],
      [
        'STOP',
        'boxlite-rx: SIGNAL must be one of HUP (1), INT (2), QUIT (3), ABRT (6), USR1 (10), USR2 (12), TERM (15), WINCH (28), got "STOP" (see boxlite-rx signal --help)\n',
      ],
      ['4', `boxlite-rx: SIGNAL must be one of ${SIGNAL_LIST}, got "4" (see boxlite-rx signal --help)\n`],
      ['1.5', `boxlite-rx: SIGNAL must be one of ${SIGNAL_LIST}, got "1.5" (see boxlite-rx signal --help)\n`],
    ];
    for (const [signal, line] of cases) {
      const run = await runCli(['signal', '--url', 'http://127.0.0.1:1', 'box-1', 'exec-1', signal]);
      expect(run.stderr.toString()).toBe(line);
      expect(run.stdout.length).toBe(0);
      expect(run.code).toBe(2);
    }
  });

  it('the names are exactly the protocol whitelist', () => {
    expect(new Set(Object.values(SIGNAL_NAMES))).toEqual(SIGNAL_WHITELIST);
    for (const [name, number] of Object.entries(SIGNAL_NAMES)) expect(signalNumber(`SIG${name}`)).toBe(number);
  });

  it('an execution gone, or no longer running, is one line and 125', async () => {
    const em = await start({ generateExecutionId: () => 'exec-1', scripts: { quick: { steps: [{ exit: 0 }] } } });
    const gone = await runCli(['signal', ...connect(em), 'box-1', 'no-such-exec', 'INT']);
    expect(gone.stderr.toString()).toBe('boxlite-rx: signal: execution gone: execution no-such-exec not found\n');
    expect(gone.code).toBe(125);
    const exited = firstValueFrom(em.events.pipe(filter((event) => event.type === 'exit')));
    await detach(em, 'quick');
    await exited;
    const ended = await runCli(['signal', ...connect(em), 'box-1', 'exec-1', 'INT']);
    expect(ended.stderr.toString()).toBe('boxlite-rx: signal: execution exec-1 is not running\n');
    expect(ended.code).toBe(125);
  });
});

describe('boxlite-rx kill', () => {
  it('SIGKILLs and evicts the execution, exits 0; a second kill finds it gone (one line, 125)', async () => {
    const em = await start({ scripts: { sleepy } });
    const id = await detach(em, 'sleepy');
    const ended = firstValueFrom(em.events.pipe(filter((event) => event.type === 'exit' || event.type === 'evicted'), take(2), toArray()));
    const run = await runCli(['kill', ...connect(em), 'box-1', id]);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(await ended).toEqual([
      { type: 'exit', executionId: id, exitCode: 137, status: expect.any(String) },
      { type: 'evicted', executionId: id, reason: 'delete' },
    ]);
    expect((await status(em, id)).code).toBe(404);
    const again = await runCli(['kill', ...connect(em), 'box-1', id]);
    expect(again.stderr.toString()).toBe(`boxlite-rx: kill: execution gone: execution ${id} not found\n`);
    expect(again.code).toBe(125);
  });

  it('exits 125 with one line, never showing the token, when auth is refused', async () => {
    const em = await start({ errorShape: 'auth' });
    const token = 'wrong-token-1234567890';
    const run = await runCli(['kill', '--url', em.url, '--token', token, 'box-1', 'exec-1']);
    expect(run.code).toBe(125);
    expect(run.stderr.toString()).toMatch(/^boxlite-rx: kill: [^\n]+\n$/);
    expect(run.stderr.toString()).not.toContain(token);
  });

  it('bad command lines are usage errors (2), one line each', async () => {
    const url = ['--url', 'http://127.0.0.1:1'];
    const cases: [string[], string][] = [
      [['kill', ...url, 'box-1'], 'boxlite-rx: kill needs BOX_ID EXECUTION_ID (see boxlite-rx kill --help)\n'],
      [['kill', ...url, 'box-1', 'e', 'extra'], 'boxlite-rx: unexpected argument "extra" (see boxlite-rx kill --help)\n'],
      [['kill', ...url, 'box-1', 'e', '--', 'x'], 'boxlite-rx: kill takes no command (see boxlite-rx kill --help)\n'],
      [['kill', ...url, '-v', 'box-1', 'e'], 'boxlite-rx: kill: unknown option -v (see boxlite-rx kill --help)\n'],
      [['kill', 'box-1', 'e'], 'boxlite-rx: no server URL: pass --url or set BOXLITE_REST_URL (see boxlite-rx kill --help)\n'],
      [['signal', ...url, 'box-1', 'e'], 'boxlite-rx: signal needs BOX_ID EXECUTION_ID SIGNAL (see boxlite-rx signal --help)\n'],
      [['signal', ...url, '--strict', 'box-1', 'e', 'INT'], 'boxlite-rx: signal: unknown option --strict (see boxlite-rx signal --help)\n'],
    ];
    for (const [args, line] of cases) {
      const run = await runCli(args);
      expect(run.stderr.toString()).toBe(line);
      expect(run.stdout.length).toBe(0);
      expect(run.code).toBe(2);
    }
  });
});

describe('usage of the control subcommands', () => {
  it('-h and --help on kill and signal print their usage and exit 0', async () => {
    for (const verb of ['kill', 'signal'] as const) {
      for (const flag of ['-h', '--help']) {
        const run = await runCli([verb, flag, 'extra']);
        expect(run.stdout.toString()).toBe(`${usageOf(verb)}\n`);
        expect(run.stderr.toString()).toBe('');
        expect(run.code).toBe(0);
      }
    }
  });

  it('every option a subcommand takes is in its usage and in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const cli = readme.slice(readme.indexOf('## CLI'), readme.indexOf('\n## ', readme.indexOf('## CLI') + 1));
    const options: Record<'exec' | 'attach' | 'kill' | 'signal', string[]> = {
      exec: ['--url', '--token', '--prefix', '-d|--detach', '-i|--interactive', '-t|--tty', '-e|--env', '-w|--cwd', '--timeout', '--replay-shape', '-v|--verbose', '--strict'],
      attach: ['--url', '--token', '--prefix', '-i|--interactive', '--replay-shape', '-v|--verbose', '--strict'],
      kill: ['--url', '--token', '--prefix'],
      signal: ['--url', '--token', '--prefix'],
    };
    for (const [verb, names] of Object.entries(options)) {
      const synopsis = usageOf(verb as keyof typeof options).split('\n\n')[0] ?? '';
      const readmeSynopsis = cli.slice(cli.indexOf(`boxlite-rx ${verb} `)).split('\nboxlite-rx ')[0] ?? '';
      for (const name of names) {
        expect(synopsis).toContain(`[${name}`);
        expect(readmeSynopsis).toContain(`[${name}`);
      }
    }
  });
});
