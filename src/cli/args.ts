/** Parsing of the `boxlite-rx` command line. Errors are `UsageError`s with one clear line. */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ConnectionArgs {
  readonly url: string;
  readonly token: string | undefined;
  readonly prefix: string | undefined;
  readonly verbose: boolean;
  /** How the server replays its buffer: `ring` (the Go runner, the default) or `chunks` (`boxlite serve`). */
  readonly replayShape: 'ring' | 'chunks';
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'exec';
      readonly connection: ConnectionArgs;
      readonly boxId: string;
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly tty: boolean;
      readonly cwd: string | undefined;
      readonly timeoutSeconds: number | undefined;
    }
  | { readonly kind: 'attach'; readonly connection: ConnectionArgs; readonly boxId: string; readonly executionId: string }
  | {
      readonly kind: 'emulator';
      readonly port: number;
      readonly token: string | undefined;
      readonly allowExec: boolean;
      readonly replay: 'single' | 'chunked';
    };

export const USAGE = `Usage:
  boxlite-rx exec [--url URL] [--token TOKEN] [--prefix P] [--tty] [--env K=V]... [--cwd DIR]
                  [--timeout SECONDS] [--replay-shape ring|chunks] [--verbose] BOX_ID -- COMMAND [ARG...]
  boxlite-rx attach [--url URL] [--token TOKEN] [--prefix P] [--replay-shape ring|chunks] [--verbose]
                    BOX_ID EXECUTION_ID
  boxlite-rx emulator [--port N] [--token T] [--allow-exec] [--replay single|chunked]

Defaults come from BOXLITE_REST_URL, BOXLITE_API_KEY and BOXLITE_REST_PATH_PREFIX.
exec and attach write the command's stdout and stderr byte for byte, forward stdin, and exit
with the command's exit code; a failure of the client itself exits 125 with one line on stderr.
--verbose also reports notices (reconnects, possible loss, server error frames) on stderr.
--replay-shape chunks is for \`boxlite serve\` (one replay frame per stored chunk); the default,
ring, is the Go runner's (the cloud). The emulator's --replay chunked models \`boxlite serve\`.`;

const VALUE_OPTIONS = new Set(['--url', '--token', '--prefix', '--env', '--cwd', '--timeout', '--port', '--replay-shape', '--replay']);
const FLAG_OPTIONS = new Set(['--tty', '--allow-exec', '--verbose']);

interface Parsed {
  readonly options: Map<string, string[]>;
  readonly positional: string[];
  readonly rest: string[] | undefined;
}

function parseOptions(argv: readonly string[], allowed: ReadonlySet<string>): Parsed {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') return { options, positional, rest: argv.slice(i + 1) };
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!allowed.has(name)) throw new UsageError(`unknown option ${name}`);
    let value: string;
    if (FLAG_OPTIONS.has(name)) {
      if (eq !== -1) throw new UsageError(`${name} takes no value`);
      value = 'true';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      value = next;
      i += 1;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { options, positional, rest: undefined };
}

function single(parsed: Parsed, name: string): string | undefined {
  const values = parsed.options.get(name);
  if (values && values.length > 1) throw new UsageError(`${name} given more than once`);
  return values?.[0];
}

function connection(parsed: Parsed, env: NodeJS.ProcessEnv): ConnectionArgs {
  const url = single(parsed, '--url') ?? env['BOXLITE_REST_URL'];
  if (!url) throw new UsageError('no server URL: pass --url or set BOXLITE_REST_URL');
  const token = single(parsed, '--token') ?? (env['BOXLITE_API_KEY'] || undefined);
  const prefix = single(parsed, '--prefix') ?? (env['BOXLITE_REST_PATH_PREFIX'] || undefined);
  const replayShape = oneOf(parsed, '--replay-shape', ['ring', 'chunks'] as const, 'ring');
  return { url, token, prefix, verbose: parsed.options.has('--verbose'), replayShape };
}

function oneOf<T extends string>(parsed: Parsed, name: string, allowed: readonly T[], fallback: T): T {
  const value = single(parsed, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function parseEnv(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of values) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env takes K=V, got ${JSON.stringify(entry)}`);
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Parses `argv` (without the node and script paths). */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') return { kind: 'help' };
  if (verb === '--version') return { kind: 'version' };
  if (verb === 'exec') {
    const parsed = parseOptions(rest, new Set([...VALUE_OPTIONS, ...FLAG_OPTIONS].filter((o) => o !== '--port' && o !== '--allow-exec' && o !== '--replay')));
    const [boxId, ...extra] = parsed.positional;
    if (!boxId) throw new UsageError('exec needs BOX_ID -- COMMAND [ARG...]');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} (put the command after --)`);
    const [command, ...args] = parsed.rest ?? [];
    if (!command) throw new UsageError('exec needs a command after --');
    const timeout = single(parsed, '--timeout');
    const timeoutSeconds = timeout === undefined ? undefined : Number(timeout);
    if (timeoutSeconds !== undefined && !(timeoutSeconds >= 0.1)) {
      throw new UsageError(`--timeout must be a number of seconds >= 0.1, got ${JSON.stringify(timeout)}`);
    }
    return {
      kind: 'exec',
      connection: connection(parsed, env),
      boxId,
      command,
      args,
      env: parseEnv(parsed.options.get('--env') ?? []),
      tty: parsed.options.has('--tty'),
      cwd: single(parsed, '--cwd'),
      timeoutSeconds,
    };
  }
  if (verb === 'attach') {
    const parsed = parseOptions(rest, new Set(['--url', '--token', '--prefix', '--replay-shape', '--verbose']));
    if (parsed.rest !== undefined) throw new UsageError('attach takes no command');
    const [boxId, executionId, ...extra] = parsed.positional;
    if (!boxId || !executionId) throw new UsageError('attach needs BOX_ID EXECUTION_ID');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    return { kind: 'attach', connection: connection(parsed, env), boxId, executionId };
  }
  if (verb === 'emulator') {
    const parsed = parseOptions(rest, new Set(['--port', '--token', '--allow-exec', '--replay']));
    if (parsed.positional.length > 0 || parsed.rest !== undefined) throw new UsageError('emulator takes only options');
    const portText = single(parsed, '--port') ?? '0';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(portText)}`);
    const replay = oneOf(parsed, '--replay', ['single', 'chunked'] as const, 'single');
    return { kind: 'emulator', port, token: single(parsed, '--token'), allowExec: parsed.options.has('--allow-exec'), replay };
  }
  throw new UsageError(`unknown command ${JSON.stringify(verb)} (try --help)`);
}
