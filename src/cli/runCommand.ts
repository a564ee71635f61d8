import { isatty } from 'node:tty';
import { EMPTY, Subject, Subscription, type Observable } from 'rxjs';
import type { RunnerClient } from '../client/createRunnerClient.js';
import type { ExecEvent } from '../events.js';
import type { Command } from './args.js';
import { cliClient, execRequest } from './cliClient.js';
import { BROKEN_PIPE, CLIENT_FAILURE, STRICT_WARNING, readerGone, signalled, writeFailureStatus } from './exitStatus.js';
import { OutputQueue } from './outputQueue.js';
import { stdinBytes } from './processStreams.js';
import { reportLine } from './report.js';
import { processSignals } from './signals.js';
import { rawMode, terminalSize, type TerminalSize } from './terminal.js';
import { isWarning, noticeLine } from './warnings.js';

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
 * The local input of a run, as \`docker exec\` decides it: stdin is forwarded with \`-i\` or when it
 * is not a terminal; a terminal stdin without \`-i\` is not read (\`exec\` without \`-t\` then sends
 * \`stdin_eof\` at once, like an empty stdin; \`exec -t\` and \`attach\` send nothing). With \`-t\`,
 * the window size goes out as resizes, and a forwarded terminal stdin is put in raw mode.
 */
function localInput(command: ClientCommand, io: CliIo): LocalInput {
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
  if (command.kind === 'attach') return client.follow(command.boxId, command.executionId, input);
  return client.exec(command.boxId, execRequest(command), input);
}

const isExitStatus = (code: number | undefined): code is number => code !== undefined && Number.isInteger(code) && code >= 0 && code <= 255;

/**
 * Runs `exec` or `attach`: the command's bytes go to stdout/stderr untouched, through an
 * `OutputQueue` each so that a slow reader never stops the socket being read, and the promise
 * resolves, once they are written, to the command's exit code, or to one of the statuses of
 * `exitStatus.ts`. Warnings are always printed, other notices with `--verbose`. SIGINT, SIGTERM and SIGHUP are forwarded
 * in-band; the same one again, or a closed stdout, closes the socket and leaves at once, the
 * command left running. With \`-t\` and a forwarded terminal stdin, the terminal is raw while the
 * run lasts (see \`localInput\`).
 */
export function runCommand(command: ClientCommand, io: CliIo): Promise<number> {
  const { connection } = command;
  const stdout = new OutputQueue(io.stdoutFd, connection.outputMemoryBytes);
  const stderr = new OutputQueue(io.stderrFd, connection.outputMemoryBytes);
  const say = (message: string): void => reportLine(stderr, message, [connection.token]);
  const forwarded = new Subject<number>();
  // A failed command's reason (`error_message`) comes on its exit event, at the cost of one GET.
  const client = cliClient(connection, { replayShape: connection.replayShape, exitReason: true });
  const local = localInput(command, io);
  const events$ = events(client, command, {
    ...(local.stdin === undefined ? {} : { stdin: local.stdin }),
    ...(local.resize === undefined ? {} : { resize: local.resize }),
    signal: forwarded,
  });

  return new Promise<number>((resolve) => {
    const subscription = new Subscription();
    /**
     * Every way out: stops the run, then resolves once the output is written (stdout's only when
     * asked). A stream that fails while the last of it is written (the exit often comes in the
     * same burst as the output before it) lost bytes: its status replaces `status`.
     */
    const finish = (status: number, waitForStdout = true): void => {
      subscription.unsubscribe();
      const failedBefore = { stdout: stdout.failure, stderr: stderr.failure };
      void Promise.all([waitForStdout ? stdout.flushed() : undefined, stderr.flushed()]).then(() => {
        const failedNow = (queue: OutputQueue, name: 'stdout' | 'stderr'): number | undefined => {
          const error = queue.failure;
          return error === undefined || error === failedBefore[name] ? undefined : writeFailureStatus(name, error, io.stderrFd);
        };
        const late = [waitForStdout ? failedNow(stdout, 'stdout') : undefined, failedNow(stderr, 'stderr')];
        stdout.close();
        stderr.close();
        resolve(late.find((code) => code !== undefined) ?? status);
      });
    };
    let exitCode: number | undefined;
    let warned = false;
    const leave = (code: number): void => {
      if (connection.strict && warned) {
        say(`--strict: a warning was printed, so exiting ${STRICT_WARNING} instead of the command's ${code}`);
        finish(STRICT_WARNING);
      } else finish(code);
    };
    // Raw mode before stdin is read; \`finish\` (every way out) restores it, and so does its exit guard.
    subscription.add(local.raw.subscribe());
    subscription.add(
      processSignals().subscribe(({ name, number, repeat }) => {
        if (repeat) {
          say(`${name} twice: leaving (the command may still run)`);
          finish(signalled(number), false);
          return;
        }
        if (connection.verbose) say(`${name} forwarded to the command (${name} again to leave at once)`);
        forwarded.next(number);
      }),
    );
    subscription.add(
      stdout.failed.subscribe((error) => {
        if (readerGone(error)) finish(BROKEN_PIPE, false);
        else {
          say(`stdout: ${error.message}`);
          finish(CLIENT_FAILURE, false);
        }
      }),
    );
    // A stderr that fails has lost bytes: never go on as if it had not. Its own line goes out directly.
    subscription.add(
      stderr.failed.subscribe((error) => finish(writeFailureStatus('stderr', error, io.stderrFd), false)),
    );
    subscription.add(
      events$.subscribe({
        next(event) {
          switch (event.type) {
            case 'stdout':
              stdout.write(event.data);
              return;
            case 'stderr':
              stderr.write(event.data);
              return;
            case 'notice': {
              warned ||= isWarning(event);
              const line = noticeLine(event, connection.verbose);
              if (line !== undefined) say(line);
              return;
            }
            case 'started':
              if (connection.verbose) say(`execution ${event.executionId}`);
              return;
            case 'exit':
              exitCode = event.exitCode;
              if (event.message !== undefined) say(event.message);
              return;
          }
        },
        error(error: unknown) {
          say(error instanceof Error ? error.message : String(error));
          finish(CLIENT_FAILURE);
        },
        complete() {
          if (!isExitStatus(exitCode)) {
            say(`the command ended without a usable exit code (${String(exitCode)})`);
            finish(CLIENT_FAILURE);
          } else leave(exitCode);
        },
      }),
    );
  });
}
