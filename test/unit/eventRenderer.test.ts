/**
 * `EventRenderer` alone: which bytes and lines each event writes, and what the end of the events
 * hands to the run's exit (the command's code and whether a warning was printed, or a failure).
 */
import { concat, from, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { notice, type ExecEvent } from '../../src/events.js';
import { EventRenderer } from '../../src/cli/eventRenderer.js';
import { BoxliteHttpError } from '../../src/errors.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Renders `events` (then `end`, an error or nothing) and returns every write and every call to the exit, in order. */
function rendered(events: readonly ExecEvent[], verbose: boolean, error?: Error): string[] {
  const log: string[] = [];
  const decoder = new TextDecoder();
  const renderer = new EventRenderer(
    {
      stdout: { write: (data) => log.push(`stdout ${decoder.decode(data)}`) },
      stderr: { write: (data) => log.push(`stderr ${decoder.decode(data)}`) },
      say: (line) => log.push(`say ${line}`),
      verbose,
    },
    {
      commandExited: (code, warned) => log.push(`exited ${code} warned ${warned}`),
      clientFailed: (message) => log.push(`failed ${message}`),
      cannotStart: (status, line) => log.push(`cannot start ${status} ${line}`),
    },
  );
  concat(from(events), error === undefined ? [] : throwError(() => error)).subscribe(renderer);
  return log;
}

const run: readonly ExecEvent[] = [
  { type: 'started', executionId: 'exec-1' },
  { type: 'stdout', data: bytes('out\n') },
  notice('reconnected', 'the socket came back'),
  { type: 'stderr', data: bytes('err\n') },
  notice('output-lost', '12 bytes of stdout were lost'),
  { type: 'exit', exitCode: 3, source: 'frame', message: 'exit status 3' },
];

/** What `run` renders with `--verbose`, in order; without it, the lines of `VERBOSE_ONLY` are left out. */
const RENDERED = [
  'say execution exec-1',
  'stdout out\n',
  'say notice (reconnected): the socket came back',
  'stderr err\n',
  'say warning: 12 bytes of stdout were lost',
  'say exit status 3',
  'exited 3 warned true',
];
const VERBOSE_ONLY = new Set(['say execution exec-1', 'say notice (reconnected): the socket came back']);

describe('EventRenderer', () => {
  it('bytes untouched, warnings always, the exit reason, then the code and the warning to the exit', () => {
    expect(rendered(run, false)).toEqual(RENDERED.filter((entry) => !VERBOSE_ONLY.has(entry)));
  });

  it('with --verbose, the execution id and every notice too', () => {
    expect(rendered(run, true)).toEqual(RENDERED);
  });

  it.each([
    ['news alone', [notice('reconnected', 'back')], false],
    ['a warning, then news', [notice('drain-incomplete', 'cut short'), notice('reconnected', 'back')], true],
  ] as const)('%s: the exit is told whether a warning was printed', (_name, notices, warned) => {
    expect(rendered([...notices, { type: 'exit', exitCode: 0, source: 'probe' }], false).at(-1)).toBe(`exited 0 warned ${warned}`);
  });

  it.each([
    ['no exit event', [], 'undefined'],
    ['a code above 255', [{ type: 'exit', exitCode: 256, source: 'probe' }], '256'],
    ['a negative code', [{ type: 'exit', exitCode: -1, source: 'probe' }], '-1'],
    ['a fraction', [{ type: 'exit', exitCode: 1.5, source: 'probe' }], '1.5'],
  ] as const)('an end with %s is a client failure', (_name, events, shown) => {
    expect(rendered(events, false)).toEqual([`failed the command ended without a usable exit code (${shown})`]);
  });

  it('an error is a client failure with its message', () => {
    expect(rendered([{ type: 'stdout', data: bytes('a') }], false, new Error('exec: box box-9 not found'))).toEqual([
      'stdout a',
      'failed exec: box box-9 not found',
    ]);
  });

  it.each([
    ['the runner', 'exec: exec failed: failed to start execution: boxlite: internal error: spawn_failed: spawn nosuch ENOENT (code=1)', 127, 'spawn nosuch ENOENT'],
    ['serve', 'exec: internal error: spawn_failed: executable file not found in $PATH', 127, 'executable file not found in $PATH'],
    ['serve, not executable', 'exec: internal error: spawn_failed: spawn /etc/passwd EACCES', 126, 'spawn /etc/passwd EACCES'],
  ] as const)("%s's spawn_failed: the box could not start the command, docker exec's status and one line", (_name, message, status, detail) => {
    expect(rendered([], false, new BoxliteHttpError(message, 500))).toEqual([`cannot start ${status} cannot start the command: ${detail}`]);
  });

  it.each([
    ['another 500', 'exec: exec failed: database is locked', 500],
    ['spawn_failed in a 400', 'exec: invalid request: spawn_failed: x', 400],
  ] as const)('%s is a client failure', (_name, message, status) => {
    expect(rendered([], false, new BoxliteHttpError(message, status))).toEqual([`failed ${message}`]);
  });
});
