import { WebSocket } from 'ws';
import { createRunnerClient, type RunnerClient } from '../client/createRunnerClient.js';
import type { ReplayShapeOption } from '../delivery/replayCursor.js';
import type { ExecRequest } from '../protocol/types.js';
import type { Command, ServerArgs } from './args.js';

/** How the CLI's client follows an execution; every property may be left out. */
export interface CliClientOptions {
  /** How the server replays its buffer (only following reads it). Default `'auto'`: found from the frames. */
  readonly replayShape?: ReplayShapeOption;
  /** Ask the status endpoint why a command failed (one GET after a non-zero exit). Default `false`. */
  readonly exitReason?: boolean;
  /** Start the command behind the start gate (docs/delivery.md); `exec -d` never does. Default `true`. */
  readonly startGate?: boolean;
}

/**
 * The client the CLI's subcommands talk through, for the server `server` names.
 * @example
 * cliClient(command.connection, { replayShape: command.connection.replayShape, exitReason: true });
 * @param server `--url`, `--token`, `--prefix` (or their environment defaults).
 * @param options how executions are followed (see {@link CliClientOptions}).
 */
export function cliClient(server: ServerArgs, options: CliClientOptions = {}): RunnerClient {
  return createRunnerClient({
    baseUrl: server.url,
    // The CLI bundles `ws` (an optional peer of the library), so it passes it rather than load it.
    WebSocket,
    ...(server.token === undefined ? {} : { token: server.token }),
    ...(server.prefix === undefined ? {} : { pathPrefix: server.prefix }),
    replayShape: options.replayShape ?? 'auto',
    exitReason: options.exitReason ?? false,
    startGate: options.startGate ?? true,
  });
}

/** The `POST /exec` body of an `exec` command line. */
export function execRequest(command: Extract<Command, { kind: 'exec' }>): ExecRequest {
  return {
    command: command.command,
    args: command.args,
    env: command.env,
    tty: command.tty,
    ...(command.cwd === undefined ? {} : { working_dir: command.cwd }),
    ...(command.timeoutSeconds === undefined ? {} : { timeout_seconds: command.timeoutSeconds }),
  };
}
