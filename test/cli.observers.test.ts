// @module-tag slow/process
/**
 * `boxlite-rx attach --no-stdin` (an observer, `client.observe`) and `boxlite-rx attach BOX_ID` (the
 * box's main session, `client.followMain`): the built CLI against the emulator on 127.0.0.1. Each
 * run is checked for every byte once, in order (exact stdout), as soon as it arrives (each line
 * the writer sends is seen by the observer before the next is sent), and for its exit status; the
 * emulator's counters prove an observer never wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmulatorEvent, RunnerEmulator, Script } from '../src/testing/index.js';
import { CLI, connect, emulatorPerTest, runCli, spawnCli, type CliChild } from './support/cli.js';
import { printed, said } from './support/cliOutput.js';
import { startExecution } from './support/emulator.js';
import { realisticOutput } from './support/realisticOutput.js';
import { within } from './support/within.js';

const start = emulatorPerTest();

const READY = 'ready: état prêt\n';
/** Writes a line, echoes stdin (what a writer types) until `stdin_eof`, then exits 7. */
const echo: Script = { steps: [{ stdout: READY }, { echoStdin: true }, { exit: 7 }] };

/** What a writer types: log lines with long shared endings, a repeat, UTF-8. */
const LINES = [
  ...Buffer.concat(realisticOutput('logs', 1200, 23)).toString('utf8').split(/(?<=\n)/).slice(0, 6),
  'ligne répétée ✓\n',
  'ligne répétée ✓\n',
  '2026-12-06T22:00:00Z INFO heartbeat service=catalog-api region=eu-west-1\n',
];

type AttachEvent = Extract<EmulatorEvent, { type: 'attach' }>;

/** Every attach answer of `em` from now on. */
function attachEvents(em: RunnerEmulator): AttachEvent[] {
  const seen: AttachEvent[] = [];
  em.events.subscribe((event) => {
    if (event.type === 'attach') seen.push(event);
  });
  return seen;
}

/** The id `exec -v` prints. */
async function executionIdOf(writer: CliChild): Promise<string> {
  await said(writer, '\n');
  const match = /^boxlite-rx: execution (\S+)\n/.exec(writer.stderr().toString('utf8'));
  if (match?.[1] === undefined) throw new Error(`no execution id in ${JSON.stringify(writer.stderr().toString())}`);
  return match[1];
}

/** The writer types each line; each observer shows it before the next is typed (live, in order). */
async function typeLines(writer: CliChild, observers: readonly CliChild[]): Promise<void> {
  let expected = READY;
  for (const line of LINES) {
    writer.child.stdin.write(line);
    expected += line;
    for (const run of [writer, ...observers]) await printed(run, expected);
  }
  writer.child.stdin.end();
}

describe('attach --no-stdin beside a writer, runner preset (observers take no slot)', () => {
  it('the writer (exec -i, piped) and the observer both get every byte exactly and exit 7; the observer sent nothing, typed input included', async () => {
    const em = await start({ scripts: { echo } });
    const attaches = attachEvents(em);
    const writer = spawnCli(['exec', ...connect(em), '-v', 'box-1', '--', 'echo']);
    const id = await executionIdOf(writer);
    await printed(writer, READY);
    const observer = spawnCli(['attach', '--no-stdin', ...connect(em), 'box-1', id]);
    observer.child.stdin.write('typed into the observer: never sent\n');
    await printed(observer, READY);
    await typeLines(writer, [observer]);
    expect(await within(writer.exited, 10_000, 'the writer to exit')).toBe(7);
    expect(await within(observer.exited, 10_000, 'the observer to exit')).toBe(7);
    const expected = READY + LINES.join('');
    expect(writer.stdout().toString('utf8')).toBe(expected);
    expect(observer.stdout().toString('utf8')).toBe(expected);
    expect(observer.stderr().toString()).toBe('');
    expect(writer.stderr().toString()).toBe(`boxlite-rx: execution ${id}\n`);
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 0, readOnlyStdinEofs: 0, readOnlyResizes: 0, readOnlySignals: 0 });
    expect(em.stats.readOnlyAttaches).toBeGreaterThanOrEqual(1);
    expect(em.execution(id)?.stdinBytes).toBe(Buffer.byteLength(LINES.join('')));
    const observed = attaches.filter((event) => event.stdin !== undefined);
    expect(observed.length).toBeGreaterThanOrEqual(1);
    expect(observed.every((event) => event.stdin === 'false' && event.readOnly === true && event.status === 101)).toBe(true);
    expect(attaches.filter((event) => event.stdin === undefined).every((event) => event.readOnly === undefined)).toBe(true);
  });

  it('never reads its stdin: what follows it in a shell gets the input whole', async () => {
    const em = await start({ scripts: { done: { steps: [{ stdout: 'done ✓\n' }, { exit: 0 }] } } });
    const id = await startExecution(em, { command: 'done' }, 'box-1');
    const script = `"${process.execPath}" "${CLI}" attach --no-stdin --url ${em.url} --token ${em.token} box-1 ${id}; echo "status $?"; cat`;
    const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stdin.end('input for the next program\n');
    const code = await within(new Promise((resolve) => child.on('close', resolve)), 10_000, 'sh to exit');
    expect(code).toBe(0);
    expect(Buffer.concat(out).toString('utf8')).toBe('done ✓\nstatus 0\ninput for the next program\n');
    expect(em.stats.readOnlyStdinFrames).toBe(0);
  });
});

describe('attach --no-stdin on the serve preset (an observer holds the single slot)', () => {
  it('observer and writer exclude each other, each waits bounded: the writer gets the slot once the observer leaves (SIGINT: 130, the command untouched), a second observer once the writer is done', async () => {
    const em = await start({ server: 'serve', scripts: { echo } });
    const attaches = attachEvents(em);
    const id = await startExecution(em, { command: 'echo' }, 'box-1');
    const observer = spawnCli(['attach', '--no-stdin', ...connect(em), 'box-1', id]);
    await printed(observer, READY);
    const writer = spawnCli(['attach', '-v', ...connect(em), 'box-1', id]);
    await said(writer, 'conflict');
    expect(attaches.some((event) => event.status === 409 && event.readOnly === undefined)).toBe(true);
    observer.child.kill('SIGINT');
    expect(await within(observer.exited, 5_000, 'the observer to leave')).toBe(130);
    expect(observer.stderr().toString()).toBe('boxlite-rx: SIGINT: leaving (an observer forwards no signal; the command runs on)\n');
    expect(observer.stdout().toString('utf8')).toBe(READY);
    expect(em.execution(id)).toMatchObject({ signals: [], status: 'running' });
    // The writer's wait: its backoff is at most 2 s once the slot is free.
    await printed(writer, READY, 5_000);
    const second = spawnCli(['attach', '--no-stdin', '-v', ...connect(em), 'box-1', id]);
    await said(second, 'conflict');
    await typeLines(writer, []);
    expect(await within(writer.exited, 10_000, 'the writer to exit')).toBe(7);
    expect(await within(second.exited, 10_000, 'the second observer to attach after the writer')).toBe(7);
    const expected = READY + LINES.join('');
    expect(writer.stdout().toString('utf8')).toBe(expected);
    expect(second.stdout().toString('utf8')).toBe(expected);
    expect(second.stderr().toString()).not.toMatch(/warning/);
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 0, readOnlyStdinEofs: 0, readOnlyResizes: 0, readOnlySignals: 0 });
    expect(attaches.filter((event) => event.readOnly === true && event.status === 101)).toHaveLength(2);
  });
});

describe('attach --no-stdin through a cut and the drain', () => {
  it.each(['runner', 'serve'] as const)('%s: a cut mid-output and a cut before the exit frame: every byte once, in order, exit 0, only read-only sockets', async (server) => {
    const chunks = realisticOutput('stackTraces', 40_000, 5);
    const steps = [...chunks.flatMap((chunk) => [{ stdout: chunk }, { waitMs: 2 }]), { exit: 0 }];
    const em = await start({
      server,
      scripts: { logs: { steps, attachFaults: [{ cut: { after: { outputBytes: 12_000 } } }, { cut: { after: 'before-exit' } }] } },
    });
    const attaches = attachEvents(em);
    const id = await startExecution(em, { command: 'logs' }, 'box-1');
    const run = await runCli(['attach', '--no-stdin', ...connect(em), 'box-1', id], { timeoutMs: 30_000 });
    expect(run.stdout.equals(Buffer.concat(chunks))).toBe(true);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
    expect(attaches.length).toBeGreaterThanOrEqual(3);
    expect(attaches.every((event) => event.stdin === 'false' && event.readOnly === true)).toBe(true);
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 0, readOnlyStdinEofs: 0 });
  });
});

describe('attach BOX_ID: the box main session', () => {
  const main: Script = { steps: [{ stdout: 'boot: système prêt\n' }, { echoStdin: true }, { exit: 3 }] };

  it('forwards stdin, prints the output exactly, exits with the session code, and -v prints its id', async () => {
    const em = await start({ scripts: { main }, mainSessions: { 'box-1': 'main' } });
    const attaches = attachEvents(em);
    const run = await runCli(['attach', '-v', ...connect(em), 'box-1'], { stdin: LINES.join('') });
    expect(run.stdout.toString('utf8')).toBe(`boot: système prêt\n${LINES.join('')}`);
    expect(run.code).toBe(3);
    const id = attaches[0]?.executionId;
    expect(id).toMatch(/^exec-/);
    expect(run.stderr.toString()).toBe(`boxlite-rx: execution ${id}\n`);
  });

  it('attach --no-stdin BOX_ID observes it beside a writer (runner preset): both exact, exit 3, nothing written by the observer', async () => {
    const em = await start({ scripts: { main }, mainSessions: { 'box-1': 'main' } });
    const observer = spawnCli(['attach', '--no-stdin', ...connect(em), 'box-1']);
    await printed(observer, 'boot');
    const writer = spawnCli(['attach', ...connect(em), 'box-1']);
    await printed(writer, 'boot');
    let expected = 'boot: système prêt\n';
    for (const line of LINES) {
      writer.child.stdin.write(line);
      expected += line;
      for (const run of [writer, observer]) await printed(run, expected);
    }
    writer.child.stdin.end();
    expect(await within(writer.exited, 10_000, 'the writer to exit')).toBe(3);
    expect(await within(observer.exited, 10_000, 'the observer to exit')).toBe(3);
    expect(writer.stdout().toString('utf8')).toBe(expected);
    expect(observer.stdout().toString('utf8')).toBe(expected);
    expect(em.stats.readOnlyAttaches).toBeGreaterThanOrEqual(1);
    expect(em.stats.readOnlyStdinFrames).toBe(0);
  });

  it('a box without a main session: exit 125 with one line', async () => {
    const em = await start({});
    const run = await runCli(['attach', ...connect(em), 'box-1']);
    expect(run.code).toBe(125);
    expect(run.stderr.toString()).toBe('boxlite-rx: attach refused: main session of box box-1 not found\n');
    expect(run.stdout.toString()).toBe('');
  });
});

describe('usage', () => {
  const URL = ['--url', 'http://127.0.0.1:1'];
  it.each([
    [['attach', ...URL, '--no-stdin', '-i', 'box-1', 'e'], '--no-stdin and -i/--interactive exclude each other (an observer reads no stdin) (see boxlite-rx attach --help)'],
    [['attach', ...URL, '-i', '--no-stdin', 'box-1'], '--no-stdin and -i/--interactive exclude each other (an observer reads no stdin) (see boxlite-rx attach --help)'],
    [['attach', ...URL, 'box-1', 'e', 'more'], 'unexpected argument "more" (see boxlite-rx attach --help)'],
    [['attach', ...URL], 'attach needs BOX_ID [EXECUTION_ID] (see boxlite-rx attach --help)'],
    [['attach', ...URL, '--no-stdin=1', 'box-1'], '--no-stdin takes no value (see boxlite-rx attach --help)'],
    [['emulator', '--read-only-attach', 'maybe'], '--read-only-attach must be serve, runner or ignored, got "maybe" (see boxlite-rx emulator --help)'],
    [['emulator', '--main-session', 'box-1=main'], '--main-session box-1=main: no --script main=FILE (see boxlite-rx emulator --help)'],
    [['emulator', '--main-session', 'box-1'], '--main-session takes BOX_ID=NAME, got "box-1" (see boxlite-rx emulator --help)'],
    [['emulator', '--script', 'main'], '--script takes NAME=FILE, got "main" (see boxlite-rx emulator --help)'],
  ])('%j: exit 2 and one line', async (args, line) => {
    const run = await runCli(args);
    expect(run.stderr.toString()).toBe(`boxlite-rx: ${line}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout.toString()).toBe('');
  });

  it.each([
    ['{"steps":[{"bogus":1}]}', 'step 0 must have one of stdout, stderr, waitMs, exit, echoStdin, waitForAttach, flood, lost, got {"bogus":1}'],
    ['[{"stdout":"hi"}]', 'must be {"steps": [...]}'],
  ])('emulator --script with %s: exit 125 and one line, nothing started', async (text, why) => {
    const file = join(mkdtempSync(join(tmpdir(), 'boxlite-rx-script-')), 'main.json');
    writeFileSync(file, text);
    const run = await runCli(['emulator', '--script', `main=${file}`], { timeoutMs: 5_000 });
    expect(run.stderr.toString()).toBe(`boxlite-rx: --script main=${file}: ${why}\n`);
    expect([run.code, run.stdout.toString()]).toEqual([125, '']);
  });

  it('attach --help shows both forms, and the top-level usage the same synopsis', async () => {
    const help = await runCli(['attach', '--help']);
    const top = await runCli(['--help']);
    expect(help.code).toBe(0);
    const synopsis = help.stdout.toString().split('\n\n')[0]!.replace(/^Usage:\n/, '');
    expect(synopsis).toContain('[-i|--interactive|--no-stdin]');
    expect(synopsis).toContain('BOX_ID [EXECUTION_ID]');
    expect(top.stdout.toString()).toContain(synopsis);
    expect(help.stdout.toString()).toContain('attach BOX_ID (no EXECUTION_ID) follows the box\'s main session');
    expect(help.stdout.toString()).toContain('attach --no-stdin observes read-only');
  });
});
