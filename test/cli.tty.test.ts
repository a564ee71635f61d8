// @module-tag slow/process
/**
 * `exec -t` in a real pseudo-terminal: a detached tmux session runs the built CLI against the
 * emulator, keys are typed with `send-keys`, the screen is read with `capture-pane`, and the
 * emulator's execution view shows the stdin bytes and the last resize it received.
 *
 * The `MODES=icanon,echo` checks guard the outcome the user sees. They cannot tell the client's
 * own restore from Node's: Node also puts back, at exit, the terminal mode it started with.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunnerEmulator } from '../src/testing/index.js';
import { CLI, connect, emulatorPerTest, runCli } from './support/cli.js';
import { nextEvent } from './support/emulator.js';
import { failAfter } from './support/within.js';

const hasTmux = ((): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.warn('cli.tty.test.ts: skipped, tmux is not installed (apt-get install -y tmux)');

const start = emulatorPerTest();

/** One private tmux server (its own socket) with one detached session, 100x30, running `script`. */
interface Pane {
  readonly send: (...keys: string[]) => void;
  readonly sendLiteral: (text: string) => void;
  readonly resize: (cols: number, rows: number) => void;
  readonly screen: () => string;
  /** The pid of the pane shell's only child: the CLI, while the script runs it. */
  readonly cliPid: () => number | undefined;
}

let cleanup: (() => void) | undefined;
/** The current pane, for failure messages. */
let screenNow = (): string => '';
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function openPane(script: string): Pane {
  const dir = mkdtempSync(join(tmpdir(), 'boxlite-rx-tty-'));
  const socket = join(dir, 'tmux.sock');
  const file = join(dir, 'run.sh');
  writeFileSync(file, script);
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', timeout: 5_000 });
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'cli', '-x', '100', '-y', '30', `sh ${file}`);
  cleanup = () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  screenNow = () => {
    try {
      return `; the pane shows:\n${tmux('capture-pane', '-p', '-J', '-t', 'cli')}`;
    } catch {
      return '';
    }
  };
  return {
    send: (...keys) => void tmux('send-keys', '-t', 'cli', ...keys),
    sendLiteral: (text) => void tmux('send-keys', '-t', 'cli', '-l', text),
    resize: (cols, rows) => void tmux('resize-window', '-t', 'cli', '-x', String(cols), '-y', String(rows)),
    screen: () => tmux('capture-pane', '-p', '-J', '-t', 'cli'),
    cliPid: () => {
      const shell = tmux('display-message', '-p', '-t', 'cli', '#{pane_pid}').trim();
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ').filter(Boolean);
      return children.length === 1 ? Number(children[0]) : undefined;
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
async function until<T>(what: string, check: () => T | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${screenNow()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A shell script that runs the CLI, then prints its status and the terminal's icanon/echo flags. */
function shellScript(em: RunnerEmulator, cliArgs: readonly string[]): string {
  const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;
  return [
    'unset $(env | sed -n "s/^\\(BOXLITE_[^=]*\\)=.*/\\1/p")',
    `${quote(process.execPath)} ${quote(CLI)} exec --url ${quote(em.url)} --token ${quote(em.token)} ${cliArgs.map(quote).join(' ')}`,
    'status=$?',
    'echo',
    'echo "EXIT=$status"',
    `echo "MODES=$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | paste -sd, -)"`,
    'sleep 30',
    '',
  ].join('\n');
}

const ttyEcho = { tty: true, steps: [{ stdout: 'READY\r\n' }, { echoStdin: true as const }, { exit: 0 }] };

/** The id of the next execution the emulator creates; bounded. */
async function execId(em: RunnerEmulator): Promise<string> {
  const event = await nextEvent(em, 'exec', undefined, 8_000);
  return event.executionId;
}

describe.skipIf(!hasTmux)('boxlite-rx exec -t in a pseudo-terminal (tmux)', () => {
  it('-it: raw keys one by one, the size on attach and on resize, and the terminal restored on exit', async () => {
    const em = await start({ scripts: { ttyecho: ttyEcho } });
    const id = execId(em);
    const pane = openPane(shellScript(em, ['-it', 'box-1', '--', 'ttyecho']));
    const executionId = await id.catch((error: unknown) => {
      throw new Error(`no execution was created${screenNow()}`, { cause: error });
    });
    const view = (): NonNullable<ReturnType<RunnerEmulator['execution']>> => em.execution(executionId)!;
    await until('READY', () => (pane.screen().includes('READY') ? true : undefined));
    // The size of the pane arrives right after the attach.
    expect(await until('the first resize', () => view().size)).toEqual({ cols: 100, rows: 30 });
    expect(view().tty).toBe(true);

    // No Enter: each key reaches the command as it is typed, and is echoed once, by the remote.
    pane.sendLiteral('ab');
    await until('2 stdin bytes', () => (view().stdinBytes === 2 ? true : undefined));
    await until('ab echoed', () => (pane.screen().includes('READYab') || /READY\s*\nab/.test(pane.screen()) ? true : undefined));
    // Ctrl-C is a byte for the remote terminal, not a signal for the client.
    pane.send('C-c');
    await until('3 stdin bytes', () => (view().stdinBytes === 3 ? true : undefined));
    expect(view().signals).toEqual([]);
    expect(view().status).toBe('running');

    pane.resize(120, 40);
    await until('the resize to 120x40', () => (view().size?.cols === 120 && view().size?.rows === 40 ? true : undefined));

    // The command ends (SIGTERM from the server side): the client leaves and restores the terminal.
    const exited = nextEvent(em, 'exit', undefined, 8_000);
    const signalled = await runCli(['signal', ...connect(em), 'box-1', executionId, 'TERM']);
    expect(signalled.code).toBe(0);
    await exited;
    const screen = await until('the exit status', () => (/EXIT=\d+/.test(pane.screen()) && /MODES=\S+/.test(pane.screen()) ? pane.screen() : undefined));
    expect(screen).toMatch(/EXIT=143/);
    expect(screen).toMatch(/MODES=icanon,echo/);
    expect(screen.match(/ab/g)).toHaveLength(1);
  });

  it('-it: a client failure leaves with 125 and restores the terminal', async () => {
    const em = await start({ scripts: {} });
    const pane = openPane(shellScript(em, ['-it', 'box-1', '--', 'no-such-script']));
    const screen = await until('the exit status', () => (/MODES=\S+/.test(pane.screen()) ? pane.screen() : undefined));
    expect(screen).toMatch(/boxlite-rx: exec: unknown command no-such-script/);
    expect(screen).toMatch(/EXIT=125/);
    expect(screen).toMatch(/MODES=icanon,echo/);
  });

  it('-it: SIGTERM twice leaves at once with 143 and restores the terminal', async () => {
    // No exit frame ever comes, so only the second SIGTERM can end the client.
    const em = await start({ scripts: { ttyecho: { ...ttyEcho, attachFaults: [{ suppressExit: true }] } } });
    const id = execId(em);
    const pane = openPane(shellScript(em, ['-it', 'box-1', '--', 'ttyecho']));
    await id;
    await until('READY', () => (pane.screen().includes('READY') ? true : undefined));
    const pid = await until('the CLI pid', () => pane.cliPid());
    const forwarded = firstValueFrom(em.events.pipe(filter((e) => e.type === 'signal' && e.signal === 15), failAfter(8_000, 'a SIGTERM forwarded')));
    process.kill(pid, 'SIGTERM');
    await forwarded;
    process.kill(pid, 'SIGTERM');
    const screen = await until('the exit status', () => (/MODES=\S+/.test(pane.screen()) ? pane.screen() : undefined));
    expect(screen).toMatch(/SIGTERM twice: leaving/);
    expect(screen).toMatch(/EXIT=143/);
    expect(screen).toMatch(/MODES=icanon,echo/);
  });

  it('-t without -i: a terminal stdin is not read (the terminal stays cooked), the size is still sent', async () => {
    const em = await start({ scripts: { ttyecho: ttyEcho } });
    const id = execId(em);
    const pane = openPane(shellScript(em, ['-t', 'box-1', '--', 'ttyecho']));
    const executionId = await id;
    const view = (): NonNullable<ReturnType<RunnerEmulator['execution']>> => em.execution(executionId)!;
    await until('READY', () => (pane.screen().includes('READY') ? true : undefined));
    expect(await until('the first resize', () => view().size)).toEqual({ cols: 100, rows: 30 });
    // Cooked: the local terminal echoes the line itself; nothing is sent, not even at Enter.
    pane.sendLiteral('typed');
    pane.send('Enter');
    await until('the local echo', () => (pane.screen().includes('typed') ? true : undefined));
    const exited = nextEvent(em, 'exit', undefined, 8_000);
    expect((await runCli(['signal', ...connect(em), 'box-1', executionId, 'TERM'])).code).toBe(0);
    await exited;
    expect(view().stdinBytes).toBe(0);
    expect(view().stdinClosed).toBe(false);
    const screen = await until('the exit status', () => (/MODES=\S+/.test(pane.screen()) ? pane.screen() : undefined));
    expect(screen).toMatch(/EXIT=143/);
    expect(screen).toMatch(/MODES=icanon,echo/);
  });

  it('neither -i nor -t: a terminal stdin is not read, and stdin_eof goes out at once (like an empty stdin)', async () => {
    const em = await start({ scripts: { cat: { steps: [{ echoStdin: true }, { stdout: 'EOF SEEN\n' }, { exit: 0 }] } } });
    const pane = openPane(shellScript(em, ['box-1', '--', 'cat']));
    const screen = await until('the exit status', () => (/MODES=\S+/.test(pane.screen()) ? pane.screen() : undefined));
    expect(screen).toMatch(/EOF SEEN/);
    expect(screen).toMatch(/EXIT=0/);
    expect(em.stats.stdinBytes).toBe(0);
  });
});
