#!/usr/bin/env node
import { UsageError, parseArgs } from './args.js';
import { runDoctor } from './doctor/runDoctor.js';
import { BROKEN_PIPE, CLIENT_FAILURE, USAGE_ERROR, writeFailureStatus } from './exitStatus.js';
import { drained } from './processStreams.js';
import { reportLine } from './report.js';
import { runCommand, type CliIo } from './runCommand.js';
import { runDetached, runKill, runSignal } from './runControl.js';
import { runEmulator } from './runEmulator.js';
import { USAGE, usageOf } from './usage.js';

declare const PACKAGE_VERSION: string;

/**
 * `stream`, which from now on ends the process when a write to it fails: at once with 141 when its
 * reader went away (a shell's writer would die of SIGPIPE), else with one line and 125. Never an
 * unhandled 'error' event and a stack trace, nor a server left running for nobody.
 */
function leavingOnFailure(stream: NodeJS.WriteStream, name: string): NodeJS.WriteStream {
  if (stream.listenerCount('error') === 0) {
    stream.on('error', (error: NodeJS.ErrnoException) => process.exit(writeFailureStatus(name, error, 2)));
  }
  return stream;
}

async function main(argv: readonly string[]): Promise<number> {
  // process.stdin, process.stdout and process.stderr only when used: Node makes a pipe non-blocking as it opens
  // one, and exec and attach write descriptors 1 and 2 themselves (see OutputQueue).
  const io: CliIo = {
    // Opened only when read: `attach --no-stdin` never opens it, so a terminal's input stays the shell's.
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return leavingOnFailure(process.stdout, 'stdout');
    },
    get stderr() {
      return leavingOnFailure(process.stderr, 'stderr');
    },
    stdoutFd: 1,
    stderrFd: 2,
  };
  try {
    const command = parseArgs(argv, process.env);
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${command.verb === undefined ? USAGE : usageOf(command.verb)}\n`);
        return 0;
      case 'version':
        io.stdout.write(`${PACKAGE_VERSION}\n`);
        return 0;
      case 'emulator':
        return await runEmulator(command, io);
      case 'doctor':
        return await runDoctor(command, io);
      case 'exec':
        return await (command.detach ? runDetached(command, io) : runCommand(command, io));
      case 'kill':
        return await runKill(command, io);
      case 'signal':
        return await runSignal(command, io);
      case 'attach':
        return await runCommand(command, io);
    }
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      reportLine(io.stderr, `${error.message} (see boxlite-rx ${error.verb === undefined ? '' : `${error.verb} `}--help)`);
      return USAGE_ERROR;
    }
    reportLine(io.stderr, error instanceof Error ? error.message : String(error));
    return CLIENT_FAILURE;
  }
}

const status = await main(process.argv.slice(2));
// A closed stdout takes no more writes: leave without waiting on it.
await Promise.all([status === BROKEN_PIPE ? undefined : drained(process.stdout), drained(process.stderr)]);
process.exit(status);
