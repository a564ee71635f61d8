/**
 * The subcommands that act on an execution without following it: `exec --detach`, `kill` and
 * `signal`. Each is one REST call; it succeeds with exit 0, or fails with one line and 125.
 */

import { first, lastValueFrom, map, type Observable } from 'rxjs';
import { isBoxliteHttpError } from '../errors.js';
import type { Command, ServerArgs } from './args.js';
import { cliClient, execRequest } from './cliClient.js';
import { CLIENT_FAILURE } from './exitStatus.js';
import { reportLine } from './report.js';
import type { CliIo } from './runCommand.js';

/** What a call acts on: an existing execution (a 404 means it is gone), or a box (`POST /exec`). */
type Target = 'execution' | 'box';

/**
 * The one line for a failed call: a 404 on an execution is named as the execution being gone
 * (as `attach` does); anything else is the error's own message.
 */
function failureLine(error: unknown, what: string, target: Target): string {
  const message = error instanceof Error ? error.message : String(error);
  if (target !== 'execution' || !isBoxliteHttpError(error) || error.status !== 404) return message;
  const detail = message.startsWith(`${what}: `) ? message.slice(what.length + 2) : message;
  return `${what}: execution gone: ${detail}`;
}

/** Runs `call` to its end: prints `output` (when any) on stdout and resolves to 0, or to 125 after one line. */
async function once(io: CliIo, server: ServerArgs, what: string, target: Target, call: Observable<string | void>): Promise<number> {
  try {
    const output = await lastValueFrom(call, { defaultValue: undefined });
    if (typeof output === 'string') io.stdout.write(`${output}\n`);
    return 0;
  } catch (error: unknown) {
    reportLine(io.stderr, failureLine(error, what, target), [server.token]);
    return CLIENT_FAILURE;
  }
}

/**
 * `exec --detach`: `POST /exec`, then the execution id on stdout. Only the `started` event is
 * taken, so the follow behind it is never subscribed: no socket opens, and nothing is killed.
 */
export function runDetached(command: Extract<Command, { kind: 'exec' }>, io: CliIo): Promise<number> {
  // Ungated: nobody attaches to open the gate (docs/delivery.md, "Start gate").
  const started = cliClient(command.connection, { startGate: false })
    .exec(command.boxId, execRequest(command))
    .pipe(
      first((event) => event.type === 'started'),
      map((event) => event.executionId),
    );
  return once(io, command.connection, 'exec', 'box', started);
}

/** `kill`: `DELETE` the execution (SIGKILL and evict). */
export function runKill(command: Extract<Command, { kind: 'kill' }>, io: CliIo): Promise<number> {
  return once(io, command.connection, 'kill', 'execution', cliClient(command.connection).kill(command.boxId, command.executionId));
}

/** `signal`: `POST /signal` with a whitelisted number. */
export function runSignal(command: Extract<Command, { kind: 'signal' }>, io: CliIo): Promise<number> {
  const client = cliClient(command.connection);
  return once(io, command.connection, 'signal', 'execution', client.signal(command.boxId, command.executionId, command.signal));
}
