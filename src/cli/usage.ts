/** The `--help` texts: the whole CLI's, and each subcommand's. */

/** A subcommand with its own usage. */
export type Verb = 'exec' | 'attach' | 'emulator';

const SYNOPSIS: Readonly<Record<Verb, string>> = {
  exec: `boxlite-rx exec [--url URL] [--token TOKEN] [--prefix P] [-t|--tty] [-e|--env K=V]... [-w|--cwd DIR]
                  [--timeout SECONDS] [--replay-shape ring|chunks] [-v|--verbose] [--strict]
                  BOX_ID -- COMMAND [ARG...]`,
  attach: `boxlite-rx attach [--url URL] [--token TOKEN] [--prefix P] [--replay-shape ring|chunks]
                    [-v|--verbose] [--strict] BOX_ID EXECUTION_ID`,
  emulator: 'boxlite-rx emulator [--port N] [--token T] [--allow-exec] [--replay single|chunked]',
};

const CLIENT_NOTES = `Defaults come from BOXLITE_REST_URL, BOXLITE_API_KEY and BOXLITE_REST_PATH_PREFIX.
exec and attach write the command's stdout and stderr byte for byte, forward stdin (EOF sends
stdin_eof), and exit with the command's exit code. SIGINT, SIGTERM and SIGHUP are forwarded to the
command; the same signal N a second time leaves at once with 128+N, the command left running.
A closed stdout (| head) leaves at once with 141; the command is left running on the server.
When the exit code comes with a reason from the server, it is printed as one line on stderr.
A notice that output may be missing or repeated always prints "boxlite-rx: warning: <message>".
--strict: after all output, a run that printed a warning exits 124 instead of the command's code.
--verbose (-v) also prints the execution id and the other notices (reconnects, server error
frames, malformed frames), and says when a signal was forwarded.
--replay-shape chunks is for \`boxlite serve\` (one replay frame per stored chunk); the default,
ring, is the Go runner's (the cloud).
Exit statuses besides the command's own: 2 bad usage; 124 --strict after a warning; 125 the client
failed (one line on stderr); 128+N the same signal N twice; 141 stdout closed.`;

const EMULATOR_NOTES = `The emulator prints its URL and token, and runs until SIGINT or SIGTERM. --allow-exec runs real
processes on this machine; --replay chunked models \`boxlite serve\`. Bad usage exits 2.`;

/** The whole CLI's usage (`boxlite-rx --help`). */
export const USAGE = `Usage:
  ${SYNOPSIS.exec}
  ${SYNOPSIS.attach}
  ${SYNOPSIS.emulator}
  boxlite-rx -h|--help | -V|--version       (SUBCOMMAND -h|--help: its own usage)

${CLIENT_NOTES}

${EMULATOR_NOTES}`;

/**
 * One subcommand's usage (`boxlite-rx exec --help`).
 * @param verb the subcommand.
 * @returns its synopsis and the notes that concern it.
 */
export function usageOf(verb: Verb): string {
  return `Usage:\n  ${SYNOPSIS[verb]}\n\n${verb === 'emulator' ? EMULATOR_NOTES : CLIENT_NOTES}`;
}
