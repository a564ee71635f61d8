/** The `--help` texts: the whole CLI's, and each subcommand's. */

import { DOCTOR_NOTES, DOCTOR_SYNOPSIS } from './doctor/doctorUsage.js';
import { SIGNAL_LIST } from './signalNames.js';

/** A subcommand with its own usage. */
export type Verb = 'exec' | 'attach' | 'kill' | 'signal' | 'emulator' | 'doctor';

const SYNOPSIS: Readonly<Record<Verb, string>> = {
  exec: `boxlite-rx exec [--url URL] [--token TOKEN] [--prefix P] [-d|--detach] [-i|--interactive]
                  [-t|--tty] [-e|--env K=V]... [-w|--cwd DIR] [--timeout SECONDS]
                  [--replay-shape auto|ring|chunks] [--output-memory SIZE] [-v|--verbose]
                  [--strict] [--no-start-gate] BOX_ID -- COMMAND [ARG...]`,
  attach: `boxlite-rx attach [--url URL] [--token TOKEN] [--prefix P] [-i|--interactive|--no-stdin]
                    [--replay-shape auto|ring|chunks] [--output-memory SIZE] [-v|--verbose]
                    [--strict] BOX_ID [EXECUTION_ID]`,
  kill: 'boxlite-rx kill [--url URL] [--token TOKEN] [--prefix P] BOX_ID EXECUTION_ID',
  signal: 'boxlite-rx signal [--url URL] [--token TOKEN] [--prefix P] BOX_ID EXECUTION_ID SIGNAL',
  emulator: `boxlite-rx emulator [--port N] [--token T] [--allow-exec] [--server runner|serve]
                      [--read-only-attach serve|runner|ignored] [--script NAME=FILE]...
                      [--main-session BOX_ID=NAME]...`,
  doctor: DOCTOR_SYNOPSIS,
};

/** The client subcommands' defaults: the first line of their notes. */
const DEFAULTS = 'Defaults come from BOXLITE_REST_URL, BOXLITE_API_KEY and BOXLITE_REST_PATH_PREFIX.';

const CLIENT_NOTES = `exec and attach write the command's stdout and stderr byte for byte, forward stdin (EOF sends
stdin_eof), and exit with the command's exit code. As with docker exec, stdin is forwarded with
-i/--interactive or when it is not a terminal; a terminal stdin without -i is not read (exec
without -t then sends stdin_eof at once; exec -t and attach send nothing).
exec -t/--tty runs the command in a terminal: the window size is sent on each attach and on every
resize, and with -i (-it) the local terminal is raw until the client leaves, however it leaves:
keys go out one by one, and Ctrl-C, Ctrl-D and Ctrl-Z are sent as bytes to the remote terminal
(Ctrl-C interrupts the remote command, not the client), as with docker exec -it.
SIGINT, SIGTERM and SIGHUP are forwarded to the command; the same signal N a second time leaves
at once with 128+N, the command left running.
A closed stdout (| head) or stderr leaves at once with 141; the command is left running on the
server. One that cannot be written for another reason (a full disk) prints one line and leaves
at once with 125, the command likewise left running.
A slow reader never slows the socket: output waits in memory, up to --output-memory per stream
(default 4M; K, M, G accepted), then in a temporary file (unlinked as soon as created); all of
it is written before the client exits with the command's code.
When the exit code comes with a reason from the server, it is printed as one line on stderr.
A notice that output may be missing or repeated always prints "boxlite-rx: warning: <message>".
--strict: after all output, a run that printed a warning exits 124 instead of the command's code.
--verbose (-v) also prints the execution id and the other notices (reconnects, server error
frames, malformed frames), and says when a signal was forwarded.
--replay-shape: how the server replays its buffer; the default, auto, finds it from the replay's
frames. ring is the Go runner's (the cloud), chunks \`boxlite serve\`'s (one frame per stored chunk).
exec -d/--detach starts the command, prints its execution id on stdout (one line) and exits 0 at
once, without attaching: no output, no stdin, no exit code (--strict, --replay-shape,
--output-memory, -i and --no-start-gate do not apply). A runner reaps a command nobody is
attached to (the Go runner: SIGHUP after 5 minutes).
exec without -d or -t starts the command behind a small sh wrapper that waits until the client
is attached (the start gate), so even a fast command's output is whole from its first byte; a
gate that cannot open exits 125 with one line; in a box without sh the command is sent again
without it (it runs once). --no-start-gate starts it at once. A program the box cannot start exits
127 (not found) or 126 (e.g. not executable), with one line, as docker exec does.
attach takes the id that exec --detach prints, or that exec --verbose prints on stderr as
"boxlite-rx: execution <id>". attach BOX_ID (no EXECUTION_ID) follows the box's main session (the
process the box runs): stdin as above, its exit code as the client's, -v prints its id.
attach --no-stdin observes read-only (with or without EXECUTION_ID): every attach asks stdin=false,
stdin is never opened, nothing is sent (no stdin, resize or signal), and the first SIGINT, SIGTERM
or SIGHUP leaves at once with 128+N, the command left running (kill and signal still work).
--no-stdin with -i is bad usage. On a server where an observer takes the single attach slot
(boxlite serve, older runners) it and a writer exclude each other: the one that comes second is
refused and retries within the reconnect budget, then fails with one line (125).
Exit statuses besides the command's own: 2 bad usage; 124 --strict after a warning; 125 the client
failed (one line on stderr); 126/127 the box could not start the command (127 not found); 128+N
the same signal N twice; 141 stdout or stderr closed.`;

const CONTROL_NOTES = `kill and signal take the EXECUTION_ID that exec --detach prints (or exec --verbose).
kill SIGKILLs the execution and evicts it (DELETE): its output and exit code are gone with it.
signal sends SIGNAL, a number or a name with or without SIG, in any case, from the runner's
whitelist:
  ${SIGNAL_LIST}.
SIGKILL is kill's.
Both print nothing and exit 0. Exit statuses: 2 bad usage, an unknown SIGNAL included; 125 the
client failed, an execution gone or no longer running included (one line on stderr).`;

const EMULATOR_NOTES = `The emulator prints its URL and token, and runs until SIGINT or SIGTERM. --allow-exec runs real
processes on this machine. --server serve models \`boxlite serve\` (its replay, one frame per
stored chunk, and its error bodies); the default, runner, the Go runner. --replay chunks|ring (or
chunked|single) is an alias of --server, by replay shape. --read-only-attach sets how attach reads
?stdin=false (default: the server's own; ignored: a normal attach, as older runners). --script
NAME=FILE makes the command NAME run the JSON script in FILE, e.g.
{"steps":[{"stdout":"ready\\n"},{"echoStdin":true},{"exit":3}]}; --main-session BOX_ID=NAME
gives the box a main session running script NAME (boxlite-rx attach BOX_ID). Bad usage exits 2.`;

/** The whole CLI's usage (`boxlite-rx --help`). */
export const USAGE = `Usage:
  ${SYNOPSIS.exec}
  ${SYNOPSIS.attach}
  ${SYNOPSIS.kill}
  ${SYNOPSIS.signal}
  ${SYNOPSIS.emulator}
  ${SYNOPSIS.doctor}
  boxlite-rx -h|--help | -V|--version       (SUBCOMMAND -h|--help: its own usage)

${DEFAULTS}
${CLIENT_NOTES}

${CONTROL_NOTES}

${EMULATOR_NOTES}

${DOCTOR_NOTES}`;

/** The notes each subcommand's usage ends with. */
const NOTES: Readonly<Record<Verb, string>> = {
  exec: `${DEFAULTS}\n${CLIENT_NOTES}`,
  attach: `${DEFAULTS}\n${CLIENT_NOTES}`,
  kill: `${DEFAULTS}\n${CONTROL_NOTES}`,
  signal: `${DEFAULTS}\n${CONTROL_NOTES}`,
  emulator: EMULATOR_NOTES,
  doctor: `${DEFAULTS}\n${DOCTOR_NOTES}`,
};

/**
 * One subcommand's usage (`boxlite-rx exec --help`).
 * @param verb the subcommand.
 * @returns its synopsis and the notes that concern it.
 */
export function usageOf(verb: Verb): string {
  return `Usage:\n  ${SYNOPSIS[verb]}\n\n${NOTES[verb]}`;
}
