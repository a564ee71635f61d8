import { tap, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import { createRunnerClient } from '../client/createRunnerClient.js';
import type { ExecEvent } from '../events.js';
import type { WebSocketConstructor } from '../transport/webSocket.js';
import type { Command } from './args.js';
import { processSignals, stdinBytes } from './processStreams.js';

/** Exit status for a failure of the client itself (not of the command). */
export const CLIENT_FAILURE = 125;
/** Exit status after a second Ctrl-C (the first is forwarded to the command as SIGINT). */
const INTERRUPTED = 130;
const SIGINT = 2;

export interface CliIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Prints one diagnostic line, with the token (if any) masked wherever it might appear. */
export function reportLine(io: CliIo, message: string, token: string | undefined): void {
  const safe = token ? message.split(token).join('***') : message;
  io.stderr.write(`boxlite-rx: ${safe.replace(/\s*\n\s*/g, ' ')}\n`);
}

/**
 * Runs `exec` or `attach`: the command's bytes go to stdout/stderr untouched, and the promise
 * resolves to the command's exit code, or 125 after one line on stderr. Ctrl-C and SIGTERM are
 * forwarded to the command in-band; a second Ctrl-C leaves at once with 130.
 */
export function runCommand(command: Extract<Command, { kind: 'exec' | 'attach' }>, io: CliIo): Promise<number> {
  const { connection } = command;
  const client = createRunnerClient({
    baseUrl: connection.url,
    // The CLI bundles `ws` (an optional peer of the library), so it passes it rather than load it.
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    ...(connection.token === undefined ? {} : { token: connection.token }),
    ...(connection.prefix === undefined ? {} : { pathPrefix: connection.prefix }),
    replayShape: connection.replayShape,
  });
  let interrupted: (() => void) | undefined;
  let interrupts = 0;
  const signal = processSignals().pipe(
    tap((sig) => {
      if (sig === SIGINT && ++interrupts > 1) interrupted?.();
    }),
  );
  const input = { stdin: stdinBytes(io.stdin), signal };
  const events$: Observable<ExecEvent> =
    command.kind === 'exec'
      ? client.exec(
          command.boxId,
          {
            command: command.command,
            args: command.args,
            env: command.env,
            tty: command.tty,
            ...(command.cwd === undefined ? {} : { working_dir: command.cwd }),
            ...(command.timeoutSeconds === undefined ? {} : { timeout_seconds: command.timeoutSeconds }),
          },
          input,
        )
      : client.follow(command.boxId, command.executionId, input);

  return new Promise<number>((resolve) => {
    interrupted = () => {
      reportLine(io, 'interrupted twice: leaving (the command may still run)', undefined);
      resolve(INTERRUPTED);
    };
    let exitCode: number | undefined;
    const fail = (message: string): void => {
      reportLine(io, message, connection.token);
      resolve(CLIENT_FAILURE);
    };
    events$.subscribe({
      next(event) {
        switch (event.type) {
          case 'stdout':
            io.stdout.write(event.data);
            return;
          case 'stderr':
            io.stderr.write(event.data);
            return;
          case 'notice':
            if (connection.verbose) reportLine(io, `notice (${event.kind}): ${event.message}`, connection.token);
            return;
          case 'exit':
            exitCode = event.exitCode;
            return;
          case 'started':
            return;
        }
      },
      error: (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
      complete() {
        if (exitCode !== undefined && Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255) resolve(exitCode);
        else fail(`the command ended without a usable exit code (${String(exitCode)})`);
      },
    });
  });
}
