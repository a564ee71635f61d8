import { WebSocket } from 'ws';
import { createRunnerClient, type RunnerClient } from '../client/createRunnerClient.js';
import type { ExecRequest } from '../protocol/types.js';
import type { Command, ServerArgs } from './args.js';

/**
 * The client the CLI's subcommands talk through, for the server `server` names.
 * @param server `--url`, `--token`, `--prefix` (or their environment defaults).
 * @param replayShape how the server replays its buffer (only following reads it).
 * @param exitReason ask the status endpoint why a command failed (one GET after a non-zero exit).
 */
export function cliClient(server: ServerArgs, replayShape: 'ring' | 'chunks' = 'ring', exitReason = false): RunnerClient {
  return createRunnerClient({
    baseUrl: server.url,
    // The CLI bundles `ws` (an optional peer of the library), so it passes it rather than load it.
    WebSocket,
    ...(server.token === undefined ? {} : { token: server.token }),
    ...(server.prefix === undefined ? {} : { pathPrefix: server.prefix }),
    replayShape,
    exitReason,
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
