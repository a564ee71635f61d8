import { isatty } from 'node:tty';
import { EMPTY, Subject, Subscription, type Observable } from 'rxjs';
import type { RunnerClient } from '../client/createRunnerClient.js';
import type { ExecEvent } from '../events.js';
import type { Command } from './args.js';
import { cliClient, execRequest } from './cliClient.js';
import { EventRenderer } from './eventRenderer.js';
import { OutputQueue } from './outputQueue.js';
import { stdinBytes } from './processStreams.js';
import { reportLine } from './report.js';
import { RunExit } from './runExit.js';
import { processSignals } from './signals.js';
import { rawMode, terminalSize, type TerminalSize } from './terminal.js';

/** The CLI's standard streams, and their descriptors for output that must not block. */
export interface CliIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdoutFd: number;
  readonly stderrFd: number;
}

type ClientCommand = Extract<Command, { kind: 'exec' | 'attach' }>;

/** What a run reads from the local side: stdin, window sizes, and the raw mode held meanwhile. */
interface LocalInput {
  readonly stdin: Observable<Uint8Array> | undefined;
  readonly resize: Observable<TerminalSize> | undefined;
  readonly raw: Observable<never>;
}

/** Stdout and stderr where they are terminals, the only ones whose stream is opened (a pipe's would turn non-blocking). */
function terminalOutputs(io: CliIo): NodeJS.WriteStream[] {
  return [
    ...(isatty(io.stdoutFd) ? [io.stdout] : []),
    ...(isatty(io.stderrFd) ? [io.stderr] : []),
  ];
}

/**
 * The local input of a run, as `docker exec` decides it: stdin is forwarded with `-i` or when it
 * is not a terminal; a terminal stdin without `-i` is not read (`exec` without `-t` then sends
 * `stdin_eof` at once, like an empty stdin; `exec -t` and `attach` send nothing). With `-t`,
 * the window size goes out as resizes, and a forwarded terminal stdin is put in raw mode.
 * `attach --no-stdin` reads nothing: its stdin is never even opened.
 */
function localInput(command: ClientCommand, io: CliIo): LocalInput {
  if (command.kind === 'attach' && command.readOnly) return { stdin: undefined, resize: undefined, raw: EMPTY };
  const forwardStdin = command.interactive || !io.stdin.isTTY;
  const tty = command.kind === 'exec' && command.tty;
  const closedStdin = command.kind === 'exec' && !tty ? EMPTY : undefined;
  return {
    stdin: forwardStdin ? stdinBytes(io.stdin) : closedStdin,
    resize: tty ? terminalSize(terminalOutputs(io)) : undefined,
    raw: tty && forwardStdin ? rawMode(io.stdin) : EMPTY,
  };
}

function events(
  client: RunnerClient,
  command: ClientCommand,
  input: { stdin?: Observable<Uint8Array>; resize?: Observable<TerminalSize>; signal: Observable<number> },
): Observable<ExecEvent> {
  if (command.kind === 'exec') return client.exec(command.boxId, execRequest(command), input);
  if (command.readOnly) return client.observe(command.boxId, command.executionId);
  if (command.executionId === undefined) return client.followMain(command.boxId, input);
  return client.follow(command.boxId, command.executionId, input);
}

/**
 * Runs `exec` or `attach`: the command's bytes go to stdout/stderr untouched, through an
 * `OutputQueue` each so that a slow reader never stops the socket being read (`EventRenderer`),
 * and the promise resolves, once they are written, to the command's exit code, or to one of the
 * statuses of `exitStatus.ts` (`RunExit`, whose first way out wins). Warnings are always printed,
 * other notices with `--verbose`. SIGINT, SIGTERM and SIGHUP are forwarded in-band; the same one
 * again, or a closed stdout, closes the socket and leaves at once, the command left running. With
 * `-t` and a forwarded terminal stdin, the terminal is raw while the run lasts (see
 * `localInput`). `attach --no-stdin` observes (`client.observe`): no stdin, no signal forwarded, the
 * first signal leaves at once with 128 + N; `attach BOX_ID` follows the box's main session.
 */
export function runCommand(command: ClientCommand, io: CliIo): Promise<number> {
  const { connection } = command;
  const stdout = new OutputQueue(io.stdoutFd, connection.outputMemoryBytes);
  const stderr = new OutputQueue(io.stderrFd, connection.outputMemoryBytes);
  const say = (message: string): void => reportLine(stderr, message, [connection.token]);
  const forwarded = new Subject<number>();
  // A failed command's reason (`error_message`) comes on its exit event, at the cost of one GET.
  const startGate = command.kind !== 'exec' || command.startGate;
  const client = cliClient(connection, { replayShape: connection.replayShape, exitReason: true, startGate });
  const local = localInput(command, io);
  const observing = command.kind === 'attach' && command.readOnly;
  const events$ = events(client, command, {
    ...(local.stdin === undefined ? {} : { stdin: local.stdin }),
    ...(local.resize === undefined ? {} : { resize: local.resize }),
    signal: forwarded,
  });

  const run = new Subscription();
  const exit = new RunExit({ stdout, stderr, stderrFd: io.stderrFd, strict: connection.strict, say, stop: () => run.unsubscribe() });
  // Raw mode before stdin is read; the exit (every way out) restores it, and so does its exit guard.
  run.add(local.raw.subscribe());
  run.add(
    processSignals().subscribe((signal) => {
      if (observing) {
        exit.leftOnSignal(signal, `${signal.name}: leaving (an observer forwards no signal; the command runs on)`);
        return;
      }
      if (signal.repeat) {
        exit.signalledTwice(signal);
        return;
      }
      if (connection.verbose) say(`${signal.name} forwarded to the command (${signal.name} again to leave at once)`);
      forwarded.next(signal.number);
    }),
  );
  // A stream that fails has lost bytes: never go on as if it had not.
  run.add(stdout.failed.subscribe((error) => exit.outputFailed('stdout', error)));
  run.add(stderr.failed.subscribe((error) => exit.outputFailed('stderr', error)));
  run.add(events$.subscribe(new EventRenderer({ stdout, stderr, say, verbose: connection.verbose }, exit)));
  return exit.status;
}
