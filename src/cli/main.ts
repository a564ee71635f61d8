#!/usr/bin/env node
import { USAGE, UsageError, parseArgs } from './args.js';
import { drained } from './processStreams.js';
import { CLIENT_FAILURE, reportLine, runCommand, type CliIo } from './runCommand.js';
import { runEmulator } from './runEmulator.js';

declare const PACKAGE_VERSION: string;

async function main(argv: readonly string[]): Promise<number> {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  let token: string | undefined;
  try {
    const command = parseArgs(argv, process.env);
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case 'version':
        io.stdout.write(`${PACKAGE_VERSION}\n`);
        return 0;
      case 'emulator':
        return await runEmulator(command, io);
      default:
        token = command.connection.token;
        return await runCommand(command, io);
    }
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    reportLine(io, error instanceof UsageError ? `${message} (see boxlite-rx --help)` : message, token);
    return CLIENT_FAILURE;
  }
}

const status = await main(process.argv.slice(2));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(status);
