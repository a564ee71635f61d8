/** Parsing of the `boxlite-rx` command line. Errors are `UsageError`s with one clear line. */

import type { ReplayShapeOption } from '../delivery/replayCursor.js';
import {
  EMULATED_SERVERS, READ_ONLY_ATTACHES, REPLAY_SPELLINGS, serverReplaying, type EmulatedServer, type ReadOnlyAttach, type ReplayMode,
} from '../testing/emulator/servers.js';
import { signalNumber } from './signalNames.js';
import type { Verb } from './usage.js';

/** A bad command line; `verb` names the subcommand whose `--help` to point at, when known. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /**
   * @param message one line saying what is wrong (no hint: the caller adds one).
   * @param verb the subcommand being parsed, if any.
   */
  constructor(
    message: string,
    readonly verb?: Verb,
  ) {
    super(message);
  }
}

/** How every client subcommand reaches the server. */
export interface ServerArgs {
  readonly url: string;
  readonly token: string | undefined;
  readonly prefix: string | undefined;
}

/** How `exec` and `attach` reach the server and report. */
export interface ConnectionArgs extends ServerArgs {
  /** Print the execution id and every notice, not only warnings. */
  readonly verbose: boolean;
  /** Exit 124 instead of the command's exit code after a warning. */
  readonly strict: boolean;
  /** How the server replays its buffer: `ring` (the Go runner, the default) or `chunks` (`boxlite serve`). */
  readonly replayShape: ReplayShapeOption;
  /** Output bytes a slow reader may leave waiting in memory, per stream, before the rest goes to a temporary file. */
  readonly outputMemoryBytes: number;
}

/**
 * The default of `--output-memory`: 4 MiB per stream. Small on purpose: holding tens of MiB made
 * the client slower to read its socket (with `head -c 100M /dev/zero` and a reader asleep 3 s,
 * 6 of 10 runs exact at 64 MiB, 28 of 30 at 4 MiB or less); the file costs a page-cache copy.
 */
const DEFAULT_OUTPUT_MEMORY_BYTES = 4 * 1024 * 1024;

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `65536`, `64K`, `64M`, `1G` (binary units, optional `i`/`B`) as bytes; undefined when not a size of at least 1 KiB. */
function parseSize(text: string): number | undefined {
  const match = /^(\d+)(?:([KMG])i?B?)?$/i.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toUpperCase()] ?? Number.NaN);
  return Number.isSafeInteger(bytes) && bytes >= 1024 ? bytes : undefined;
}

/** A parsed command line. */
export type Command =
  | { readonly kind: 'help'; readonly verb: Verb | undefined }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'exec';
      readonly connection: ConnectionArgs;
      readonly boxId: string;
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly tty: boolean;
      /** Forward stdin even when it is a terminal (`-i`); a stdin that is not a terminal is forwarded anyway. */
      readonly interactive: boolean;
      readonly cwd: string | undefined;
      readonly timeoutSeconds: number | undefined;
      /** Start the command, print its execution id, and leave without attaching. */
      readonly detach: boolean;
      /** Start the command behind the start gate (docs/delivery.md); `--no-start-gate` turns it off. */
      readonly startGate: boolean;
    }
  | {
      readonly kind: 'attach';
      readonly connection: ConnectionArgs;
      readonly boxId: string;
      /** Undefined: the box's main session. */
      readonly executionId: string | undefined;
      /** As `exec`'s. */
      readonly interactive: boolean;
      /** `--no-stdin`: follow read-only (`client.observe`); stdin is never opened. */
      readonly readOnly: boolean;
    }
  | { readonly kind: 'kill'; readonly connection: ServerArgs; readonly boxId: string; readonly executionId: string }
  | {
      readonly kind: 'signal';
      readonly connection: ServerArgs;
      readonly boxId: string;
      readonly executionId: string;
      /** A whitelisted signal number (never 9: that is `kill`). */
      readonly signal: number;
    }
  | {
      readonly kind: 'emulator';
      readonly port: number;
      readonly token: string | undefined;
      readonly allowExec: boolean;
      /** The server modelled: `--server`, or the one `--replay` names by its replay shape. */
      readonly server: EmulatedServer;
      /** `--read-only-attach`: how attach reads `?stdin`; undefined: the server's own. */
      readonly readOnlyAttach: ReadOnlyAttach | undefined;
      /** `--script NAME=FILE`: JSON script files by command name. */
      readonly scripts: Readonly<Record<string, string>>;
      /** `--main-session BOX=NAME`: the script each box's main session runs. */
      readonly mainSessions: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'doctor';
      readonly connection: ServerArgs;
      readonly boxId: string;
      /** Print the report as one JSON document. */
      readonly json: boolean;
    };

/** The options each subcommand takes; `true` marks a flag (no value). */
const OPTIONS: Readonly<Record<Verb, Readonly<Record<string, boolean>>>> = {
  exec: {
    '--url': false, '--token': false, '--prefix': false, '--env': false, '--cwd': false, '--timeout': false,
    '--replay-shape': false, '--output-memory': false, '--tty': true, '--interactive': true, '--verbose': true, '--strict': true,
    '--detach': true, '--no-start-gate': true,
  },
  attach: {
    '--url': false, '--token': false, '--prefix': false, '--replay-shape': false, '--output-memory': false, '--interactive': true,
    '--verbose': true, '--strict': true, '--no-stdin': true,
  },
  kill: { '--url': false, '--token': false, '--prefix': false },
  signal: { '--url': false, '--token': false, '--prefix': false },
  emulator: {
    '--port': false, '--token': false, '--server': false, '--replay': false, '--allow-exec': true, '--read-only-attach': false,
    '--script': false, '--main-session': false,
  },
  doctor: { '--url': false, '--token': false, '--prefix': false, '--json': true },
};

/** Short spellings, each of a long option. */
const SHORT: Readonly<Record<string, string>> = { '-t': '--tty', '-i': '--interactive', '-e': '--env', '-w': '--cwd', '-v': '--verbose', '-d': '--detach' };

const HELP = new Set(['-h', '--help']);

interface Parsed {
  readonly options: Map<string, string[]>;
  readonly positional: string[];
  readonly rest: string[] | undefined;
}

/** `-it` as `-i -t`: a bundle of short flags (options that take no value), as docker spells it. */
function unbundle(verb: Verb, argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.flatMap((arg, i) => {
    if ((end !== -1 && i >= end) || !/^-[a-zA-Z]{2,}$/.test(arg)) return [arg];
    const shorts = [...arg.slice(1)].map((c) => `-${c}`);
    return shorts.every((short) => OPTIONS[verb][SHORT[short] ?? ''] === true) ? shorts : [arg];
  });
}

/** Splits `argv` into options, positionals and what follows `--`. */
function parseOptions(verb: Verb, given: readonly string[]): Parsed {
  const allowed = OPTIONS[verb];
  const argv = unbundle(verb, given);
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') return { options, positional, rest: argv.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const given = eq === -1 ? arg : arg.slice(0, eq);
    const name = SHORT[given] ?? given;
    const isFlag = allowed[name];
    if (isFlag === undefined) throw new UsageError(`${verb}: unknown option ${given}`, verb);
    let value: string;
    if (isFlag) {
      if (eq !== -1) throw new UsageError(`${given} takes no value`, verb);
      value = 'true';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${given} needs a value`, verb);
      value = next;
      i += 1;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { options, positional, rest: undefined };
}

function single(parsed: Parsed, name: string, verb: Verb): string | undefined {
  const values = parsed.options.get(name);
  if (values && values.length > 1) throw new UsageError(`${name} given more than once`, verb);
  return values?.[0];
}

function oneOf<T extends string>(parsed: Parsed, name: string, verb: Verb, allowed: readonly T[], fallback: T): T {
  const value = single(parsed, name, verb);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, got ${JSON.stringify(value)}`, verb);
  return value as T;
}

function server(parsed: Parsed, verb: Verb, env: NodeJS.ProcessEnv): ServerArgs {
  const url = single(parsed, '--url', verb) ?? env['BOXLITE_REST_URL'];
  if (!url) throw new UsageError('no server URL: pass --url or set BOXLITE_REST_URL', verb);
  return {
    url,
    token: single(parsed, '--token', verb) ?? (env['BOXLITE_API_KEY'] || undefined),
    prefix: single(parsed, '--prefix', verb) ?? (env['BOXLITE_REST_PATH_PREFIX'] || undefined),
  };
}

function connection(parsed: Parsed, verb: Verb, env: NodeJS.ProcessEnv): ConnectionArgs {
  return {
    ...server(parsed, verb, env),
    verbose: parsed.options.has('--verbose'),
    strict: parsed.options.has('--strict'),
    replayShape: oneOf(parsed, '--replay-shape', verb, ['auto', 'ring', 'chunks'] as const, 'auto'),
    outputMemoryBytes: outputMemory(parsed, verb),
  };
}

function outputMemory(parsed: Parsed, verb: Verb): number {
  const text = single(parsed, '--output-memory', verb);
  if (text === undefined) return DEFAULT_OUTPUT_MEMORY_BYTES;
  const bytes = parseSize(text);
  if (bytes === undefined) throw new UsageError(`--output-memory must be a size of at least 1K (like 64M), got ${JSON.stringify(text)}`, verb);
  return bytes;
}

/** The `K=V` values of a repeatable option, by key (`form` names them in the error). */
function pairs(parsed: Parsed, name: string, verb: Verb, form = 'K=V'): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of parsed.options.get(name) ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`${name} takes ${form}, got ${JSON.stringify(entry)}`, verb);
    found[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return found;
}

function parseExec(parsed: Parsed, env: NodeJS.ProcessEnv): Command {
  const [boxId, ...extra] = parsed.positional;
  if (!boxId) throw new UsageError('exec needs BOX_ID -- COMMAND [ARG...]', 'exec');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} (put the command after --)`, 'exec');
  const [command, ...args] = parsed.rest ?? [];
  if (!command) throw new UsageError('exec needs a command after --', 'exec');
  const timeout = single(parsed, '--timeout', 'exec');
  const timeoutSeconds = timeout === undefined ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds >= 0.1)) {
    throw new UsageError(`--timeout must be a number of seconds >= 0.1, got ${JSON.stringify(timeout)}`, 'exec');
  }
  const detach = parsed.options.has('--detach');
  // A detached run follows nothing, so the options about following have nothing to act on.
  for (const name of ['--strict', '--replay-shape', '--output-memory', '--interactive', '--no-start-gate'] as const) {
    if (detach && parsed.options.has(name)) throw new UsageError(`${name} does not apply to --detach (nothing is followed)`, 'exec');
  }
  return {
    kind: 'exec',
    connection: connection(parsed, 'exec', env),
    boxId,
    command,
    args,
    env: pairs(parsed, '--env', 'exec'),
    tty: parsed.options.has('--tty'),
    interactive: parsed.options.has('--interactive'),
    cwd: single(parsed, '--cwd', 'exec'),
    timeoutSeconds,
    detach,
    startGate: !parsed.options.has('--no-start-gate'),
  };
}

function parseAttach(parsed: Parsed, env: NodeJS.ProcessEnv): Command {
  if (parsed.rest !== undefined) throw new UsageError('attach takes no command', 'attach');
  const [boxId, executionId, ...extra] = parsed.positional;
  if (!boxId || executionId === '') throw new UsageError('attach needs BOX_ID [EXECUTION_ID]', 'attach');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`, 'attach');
  const interactive = parsed.options.has('--interactive');
  const readOnly = parsed.options.has('--no-stdin');
  if (interactive && readOnly) throw new UsageError('--no-stdin and -i/--interactive exclude each other (an observer reads no stdin)', 'attach');
  return { kind: 'attach', connection: connection(parsed, 'attach', env), boxId, executionId, interactive, readOnly };
}

/** The `BOX_ID EXECUTION_ID` (and, for `signal`, `SIGNAL`) of `kill` and `signal`, the `BOX_ID` of `doctor`: exactly these. */
function controlTarget(parsed: Parsed, verb: 'kill' | 'signal' | 'doctor', names: string): string[] {
  if (parsed.rest !== undefined) throw new UsageError(`${verb} takes no command`, verb);
  const count = names.split(' ').length;
  const given = parsed.positional;
  if (given.length < count || given.slice(0, count).some((arg) => arg === '')) throw new UsageError(`${verb} needs ${names}`, verb);
  if (given.length > count) throw new UsageError(`unexpected argument ${JSON.stringify(given[count])}`, verb);
  return given;
}

function parseKill(parsed: Parsed, env: NodeJS.ProcessEnv): Command {
  const [boxId = '', executionId = ''] = controlTarget(parsed, 'kill', 'BOX_ID EXECUTION_ID');
  return { kind: 'kill', connection: server(parsed, 'kill', env), boxId, executionId };
}

function parseSignal(parsed: Parsed, env: NodeJS.ProcessEnv): Command {
  const [boxId = '', executionId = '', text = ''] = controlTarget(parsed, 'signal', 'BOX_ID EXECUTION_ID SIGNAL');
  const signal = signalNumber(text);
  if (typeof signal === 'string') throw new UsageError(signal, 'signal');
  return { kind: 'signal', connection: server(parsed, 'signal', env), boxId, executionId, signal };
}

function parseDoctor(parsed: Parsed, env: NodeJS.ProcessEnv): Command {
  const [boxId = ''] = controlTarget(parsed, 'doctor', 'BOX_ID');
  return { kind: 'doctor', connection: server(parsed, 'doctor', env), boxId, json: parsed.options.has('--json') };
}

function parseEmulator(parsed: Parsed): Command {
  if (parsed.positional.length > 0 || parsed.rest !== undefined) throw new UsageError('emulator takes only options', 'emulator');
  const portText = single(parsed, '--port', 'emulator') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(portText)}`, 'emulator');
  const server = emulatedServer(parsed);
  const readOnlyAttach = single(parsed, '--read-only-attach', 'emulator') === undefined ? undefined : oneOf(parsed, '--read-only-attach', 'emulator', READ_ONLY_ATTACHES, 'ignored');
  const scripts = pairs(parsed, '--script', 'emulator', 'NAME=FILE');
  const mainSessions = pairs(parsed, '--main-session', 'emulator', 'BOX_ID=NAME');
  for (const [boxId, name] of Object.entries(mainSessions)) {
    if (!Object.hasOwn(scripts, name)) throw new UsageError(`--main-session ${boxId}=${name}: no --script ${name}=FILE`, 'emulator');
  }
  return {
    kind: 'emulator', port, token: single(parsed, '--token', 'emulator'), allowExec: parsed.options.has('--allow-exec'), server, readOnlyAttach, scripts, mainSessions,
  };
}

/** `--server`, or the server `--replay` names (an alias, old spellings included); both must agree. */
function emulatedServer(parsed: Parsed): EmulatedServer {
  const spellings = Object.keys(REPLAY_SPELLINGS) as ReplayMode[];
  const replay = single(parsed, '--replay', 'emulator') === undefined ? undefined : oneOf(parsed, '--replay', 'emulator', spellings, 'ring');
  const named = replay === undefined ? undefined : serverReplaying(REPLAY_SPELLINGS[replay]);
  const server = oneOf(parsed, '--server', 'emulator', EMULATED_SERVERS, named ?? 'runner');
  if (replay !== undefined && named !== server) {
    const agreeing = spellings.filter((spelling) => serverReplaying(REPLAY_SPELLINGS[spelling]) === server);
    throw new UsageError(`--replay must be ${agreeing.join(' or ')} with --server ${server}, got ${JSON.stringify(replay)}`, 'emulator');
  }
  return server;
}

const PARSERS: Readonly<Record<Verb, (parsed: Parsed, env: NodeJS.ProcessEnv) => Command>> = {
  exec: parseExec,
  attach: parseAttach,
  kill: parseKill,
  signal: parseSignal,
  emulator: parseEmulator,
  doctor: parseDoctor,
};

/**
 * Parses `argv` (without the node and script paths). `-h`/`--help` before any `--` asks for the
 * subcommand's usage, whatever else is given.
 * @throws UsageError on a bad command line.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || HELP.has(verb)) return { kind: 'help', verb: undefined };
  if (verb === '--version' || verb === '-V') return { kind: 'version' };
  if (!Object.hasOwn(PARSERS, verb)) throw new UsageError(`unknown command ${JSON.stringify(verb)}`);
  const known = verb as Verb;
  const end = rest.indexOf('--');
  if (rest.slice(0, end === -1 ? undefined : end).some((arg) => HELP.has(arg))) return { kind: 'help', verb: known };
  return PARSERS[known](parseOptions(known, rest), env);
}
