// @module-tag slow/sockets
/**
 * The virtual-time property again, on real sockets: `createRunnerClient(...).exec()` against the
 * runner emulator, each run a fresh scripted command with random output (binary, and UTF-8 text
 * split inside characters, on both streams) and random attach faults (cuts after N output bytes,
 * at the upgrade, after the replay, before the exit; slots held after a cut; 409/502 refusals).
 * Outputs stay under the ring, so the claim is exact bytes, one exit, the right exit code. A few
 * runs wrap the ring while the client is away and must get an `output-lost` notice.
 */
import fc from 'fast-check';
import { filter, firstValueFrom, materialize, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerClient, type RunnerClient } from '../../src/client/createRunnerClient.js';
import type { ExecEvent, ExitEvent } from '../../src/events.js';
import type { OutputStream } from '../../src/protocol/types.js';
import {
  startRunnerEmulator,
  type AttachFault,
  type ReplayMode,
  type RunnerEmulator,
  type Script,
  type ScriptStep,
} from '../../src/testing/index.js';
import { failAfter } from '../support/within.js';
import { splitAt } from './arbitraries.js';
import { announces, deliveredBytes, explains, piecesOf } from './oracle.js';

const SEED = 20_260_402;
const RING = 4096;
/** Every wait gives up after this long. */
const WAIT_MS = 10_000;
const MODES: readonly ReplayMode[] = ['single', 'chunked'];
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/** Scripts by run id: the emulator's one script, `prop`, runs the one its first argument names. */
const scripts = new Map<string, Script>();
let runs = 0;
const emulators = new Map<ReplayMode, { emulator: RunnerEmulator; client: RunnerClient }>();

beforeAll(async () => {
  for (const replay of MODES) {
    const emulator = await startRunnerEmulator({
      replay,
      ringBytes: RING,
      scripts: {
        prop: (request) => {
          const script = scripts.get(request.args?.[0] ?? '');
          if (script === undefined) throw new Error(`no script for ${String(request.args)}`);
          return script;
        },
      },
    });
    const client = createRunnerClient({
      baseUrl: emulator.url,
      token: emulator.token,
      // Default options but the emulator's small ring and short timings: the replay shape is found
      // by the client ('auto'), and every exec starts behind the start gate.
      ringBytes: RING,
      drainTimeout: 2_000,
      probeTimeout: 2_000,
      reconnect: { initialDelay: 5, maxDelay: 20, budget: 5_000 },
      conflictBackoff: { initialDelay: 5, maxDelay: 20 },
    });
    emulators.set(replay, { emulator, client });
  }
});

afterAll(async () => {
  await Promise.all([...emulators.values()].map(({ emulator }) => emulator.close()));
});

/** Everything `source` emitted, and how it ended, within `WAIT_MS`. */
async function collect(source: Observable<ExecEvent>): Promise<{ events: ExecEvent[]; error: unknown }> {
  const notifications = await firstValueFrom(
    source.pipe(materialize(), toArray(), failAfter(WAIT_MS, 'the outcome')),
  );
  const events: ExecEvent[] = [];
  let error: unknown;
  for (const notification of notifications) {
    if (notification.kind === 'N') events.push(notification.value);
    if (notification.kind === 'E') error = notification.error;
  }
  return { events, error };
}

/** Cuts and refusals so far, over both emulators: the runs must have met faults. */
function totals(): { cuts: number; rejected409: number; rejectedByFault: number } {
  const all = [...emulators.values()].map(({ emulator }) => emulator.stats);
  const sum = (pick: (stats: RunnerEmulator['stats']) => number): number => all.reduce((total, stats) => total + pick(stats), 0);
  return { cuts: sum((stats) => stats.cuts), rejected409: sum((stats) => stats.rejected409), rejectedByFault: sum((stats) => stats.rejectedByFault) };
}

/** Resolves once the emulator has no attach socket open (the client closed every one). */
async function socketsClosed(emulator: RunnerEmulator): Promise<void> {
  if (emulator.stats.openSockets === 0) return;
  await firstValueFrom(
    emulator.events.pipe(
      filter(() => emulator.stats.openSockets === 0),
      failAfter(WAIT_MS, 'every attach socket to close'),
    ),
  );
}

/** Runs `script` once through `exec` in `replay` mode. */
async function execute(replay: ReplayMode, script: Script): Promise<{ events: ExecEvent[]; error: unknown }> {
  const target = emulators.get(replay);
  if (target === undefined) throw new Error(`no emulator for ${replay}`);
  const id = `run-${runs++}`;
  scripts.set(id, script);
  try {
    const outcome = await collect(target.client.exec('box', { command: 'prop', args: [id] }));
    await socketsClosed(target.emulator);
    return outcome;
  } finally {
    scripts.delete(id);
  }
}

/** The bytes a script writes on `stream`. */
function produced(steps: readonly ScriptStep[], stream: OutputStream): Uint8Array {
  const bytes: number[] = [];
  for (const step of steps) if (stream in step) bytes.push(...((step as Record<OutputStream, Uint8Array>)[stream]));
  return Uint8Array.from(bytes);
}

/** One exit, last, with the script's code; a probed exit follows `drain-incomplete`. Returns it. */
function checkExit(events: readonly ExecEvent[], error: unknown, exitCode: number): ExitEvent {
  expect(error).toBeUndefined();
  expect(events[0]?.type).toBe('started');
  const exits = events.filter((event): event is ExitEvent => event.type === 'exit');
  expect(exits).toHaveLength(1);
  const exit = exits[0] as ExitEvent;
  expect(events.at(-1)).toBe(exit);
  expect(exit.exitCode).toBe(exitCode);
  if (exit.source === 'probe') expect(events.some((event) => event.type === 'notice' && event.kind === 'drain-incomplete')).toBe(true);
  return exit;
}

const encoder = new TextEncoder();

/** A burst of output steps on one stream: binary, or UTF-8 text split inside characters. */
const outputSteps = fc
  .tuple(
    fc.constantFrom<OutputStream>('stdout', 'stderr'),
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((data) => [data]),
      fc
        .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 5 }))
        .map(([text, cuts]) => splitAt(encoder.encode(text), cuts)),
    ),
  )
  .map(([stream, pieces]) => pieces.map((data): ScriptStep => (stream === 'stdout' ? { stdout: data } : { stderr: data })));

const steps = fc
  .array(fc.tuple(outputSteps, fc.integer({ min: 0, max: 4 })), { maxLength: 12 })
  .map((bursts) => bursts.flatMap(([burst, waitMs]) => (waitMs === 0 ? burst : [...burst, { waitMs }])));

const fault: fc.Arbitrary<AttachFault | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(409, 502).map((status) => ({ reject: { status } })) },
  {
    weight: 4,
    arbitrary: fc.record({
      cut: fc.record({
        after: fc.oneof(
          fc.nat({ max: 800 }).map((outputBytes) => ({ outputBytes })),
          fc.constantFrom('upgrade' as const, 'replay' as const, 'before-exit' as const),
        ),
        how: fc.constantFrom('destroy' as const, 'close' as const),
        holdSlotMs: fc.constantFrom(0, 0, 20, 50),
      }),
    }),
  },
);

describe('exec on real sockets against the emulator', () => {
  it('delivers exact bytes, one exit, the right exit code, and closes every socket (200 runs)', async () => {
    const before = totals();
    const chunkShape = { streams: 0, falseAlarms: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MODES),
        steps,
        fc.integer({ min: 0, max: 255 }),
        fc.array(fault, { maxLength: 4 }),
        async (replay, outputSteps, exitCode, attachFaults) => {
          const { events, error } = await execute(replay, { steps: [...outputSteps, { exit: exitCode }], attachFaults });
          const exit = checkExit(events, error, exitCode);
          for (const stream of STREAMS) {
            const bytes = produced(outputSteps, stream);
            const pieces = piecesOf(events, stream);
            expect(bytes.length).toBeLessThan(RING);
            // The Go runner's ring length proves it never wrapped; `boxlite serve`'s backlog only
            // content can prove, so a notice there is a false alarm that must still explain the bytes.
            const announced = announces(pieces);
            if (replay === 'single') expect(announced, `${stream}: a loss or overlap notice, yet the ring never filled`).toBe(false);
            if (replay === 'chunked') {
              chunkShape.streams += 1;
              if (announced) chunkShape.falseAlarms += 1;
            }
            if (exit.source === 'frame' && !announced) expect(deliveredBytes(pieces)).toEqual(bytes);
            else expect(explains(bytes, pieces, { complete: exit.source === 'frame', start: 0 }), `${stream}: explained`).toBe(true);
          }
        },
      ),
      { numRuns: 200, seed: SEED, endOnFailure: true },
    );
    const after = totals();
    expect(after.cuts - before.cuts, 'cuts').toBeGreaterThan(45);
    expect(after.rejected409 - before.rejected409, '409s').toBeGreaterThan(20);
    expect(after.rejectedByFault - before.rejectedByFault, 'refusals').toBeGreaterThan(20);
    expect(chunkShape.streams).toBeGreaterThan(150);
    // False alarms measured in three runs: 12-16 of the 202 chunk-shape streams (6-8 %; timing
    // moves them); a notice on every replay would reach the 168 that have output. Bound: 20 %.
    expect(chunkShape.falseAlarms, 'false alarms: notices on chunk-shape streams that lost nothing').toBeLessThan(chunkShape.streams * 0.2);
  });

  it.each(MODES)('%s replay: a ring that wraps while the client is away gets a loss notice (3 runs)', async (replay) => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ minLength: 2 * RING, maxLength: 3 * RING }),
        fc.integer({ min: 0, max: 255 }),
        async (first, away, exitCode) => {
          const script: Script = {
            steps: [{ stdout: first }, { waitMs: 40 }, { stdout: away }, { exit: exitCode }],
            attachFaults: [{ cut: { after: { outputBytes: first.length }, holdSlotMs: 150 } }],
          };
          const { events, error } = await execute(replay, script);
          expect(checkExit(events, error, exitCode).source).toBe('frame');
          const bytes = produced(script.steps, 'stdout');
          const pieces = piecesOf(events, 'stdout');
          expect(announces(pieces), 'the loss is announced').toBe(true);
          expect(explains(bytes, pieces, { complete: true, start: 0 })).toBe(true);
        },
      ),
      { numRuns: 3, seed: SEED, endOnFailure: true },
    );
  });
});
