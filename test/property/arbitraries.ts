/**
 * fast-check generators for the virtual-time property: a process that writes random binary chunks
 * and multi-byte UTF-8 text split at random byte positions on both streams, plus random plans for
 * each attach (healthy; refused with 409, 502 or 404; cut somewhere) and each probe.
 */
import fc from 'fast-check';
import type { OutputStream } from '../../src/protocol/types.js';
import { OUTPUT_KINDS, realisticOutput } from '../support/realisticOutput.js';
import type { AttachPlan, CutPoint, ModelProcess, ModelSpec, ModelWrite, ProbePlan } from './model.js';

const encoder = new TextEncoder();

/** Cuts `bytes` at the given positions (taken modulo its length): the pieces, none empty. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % bytes.length))].filter((point) => point > 0).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

/** Random bytes, sometimes from a two-letter alphabet so replays overlap by content. */
const binary = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 16 }),
  fc.array(fc.constantFrom(0x61, 0x62), { minLength: 1, maxLength: 16 }).map((values) => Uint8Array.from(values)),
);

/** UTF-8 text (any code point), encoded, then split inside characters. */
const text = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }))
  .map(([value, cuts]) => splitAt(encoder.encode(value), cuts));

/** Periodic output (`yes`, progress bars): one short unit written several times. */
const periodic = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.integer({ min: 2, max: 12 }))
  .map(([unit, times]) => Array.from({ length: times }, () => unit));

/** A burst of writes on one stream: one binary chunk, one text split in pieces, or periodic output. */
const burst = fc.record({
  gapMs: fc.integer({ min: 0, max: 4 }),
  stream: fc.constantFrom<OutputStream>('stdout', 'stderr'),
  pieces: fc.oneof({ weight: 2, arbitrary: binary.map((data) => [data]) }, { weight: 2, arbitrary: text }, { weight: 1, arbitrary: periodic }),
  pieceGapMs: fc.integer({ min: 0, max: 2 }),
});

/** The process: bursts laid out in time, then the exit. */
const processArb: fc.Arbitrary<ModelProcess> = fc
  .tuple(fc.array(burst, { maxLength: 10 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 255 }))
  .map(([bursts, exitGapMs, exitCode]) => {
    const writes: ModelWrite[] = [];
    let at = 0;
    for (const { gapMs, stream, pieces, pieceGapMs } of bursts) {
      at += gapMs;
      for (const data of pieces) {
        writes.push({ at, stream, data });
        at += pieceGapMs;
      }
    }
    return { writes, exitAt: at + exitGapMs, exitCode };
  });

const cutPoint: fc.Arbitrary<CutPoint> = fc.oneof(
  fc.constant({ at: 'start' } as const),
  fc.nat({ max: 8 }).map((n) => ({ at: 'frames', n }) as const),
  fc.nat({ max: 8 }).map((n) => ({ at: 'replay', n }) as const),
  fc.constant({ at: 'before-exit' } as const),
);

/** How long a cut goes unnoticed: usually a few ms, sometimes longer than the drain may take. */
const detectMs = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.constant(150) });

const attachPlan: fc.Arbitrary<AttachPlan> = fc
  .tuple(
    fc.record({
      connectMs: fc.integer({ min: 0, max: 3 }),
      frameGapMs: fc.constantFrom(0, 0, 1),
      stderrFirst: fc.boolean(),
    }),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant({ kind: 'healthy' } as const) },
      { weight: 2, arbitrary: fc.constantFrom(409, 409, 502, 404).map((status) => ({ kind: 'refuse', status }) as const) },
      {
        weight: 5,
        arbitrary: fc
          .tuple(cutPoint, detectMs)
          .map(([point, detectMs]) => ({ kind: 'cut', point, detectMs }) as const),
      },
    ),
  )
  .map(([timing, behaviour]) => ({ ...timing, ...behaviour }));

const probePlan: fc.Arbitrary<ProbePlan> = fc.record({
  delayMs: fc.integer({ min: 0, max: 3 }),
  answer: fc.oneof(
    { weight: 12, arbitrary: fc.constant('truth' as const) },
    { weight: 5, arbitrary: fc.constant('unavailable' as const) },
    { weight: 2, arbitrary: fc.constant('empty' as const) },
    { weight: 1, arbitrary: fc.constant('gone' as const) },
  ),
});

/** One run: the server model, and when the client subscribes. */
export interface Scenario {
  readonly spec: ModelSpec;
  /** Virtual ms after the process started at which the client subscribes. */
  readonly subscribeAt: number;
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  spec: fc.record({
    ringBytes: fc.oneof(fc.integer({ min: 8, max: 40 }), fc.integer({ min: 41, max: 160 })),
    replay: fc.constantFrom('single' as const, 'chunked' as const),
    process: processArb,
    attaches: fc.array(attachPlan, { maxLength: 6 }),
    probes: fc.array(probePlan, { maxLength: 6 }),
  }),
  subscribeAt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) }),
});

/**
 * A process that prints realistic output (test/support/realisticOutput.ts: log lines that share
 * long endings, repeated lines, heartbeats, `yes`, padding, binary, UTF-8, repeated stack traces)
 * on both streams, one chunk a millisecond, about `ringBytes` × 1-3 in all: enough to wrap.
 */
const realisticProcess = (ringBytes: number): fc.Arbitrary<ModelProcess> =>
  fc
    .tuple(
      fc.constantFrom(...OUTPUT_KINDS),
      fc.constantFrom(...OUTPUT_KINDS),
      fc.integer({ min: 1, max: 2 ** 30 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([outKind, errKind, seed, rings, exitCode]) => {
      const out = realisticOutput(outKind, ringBytes * rings, seed);
      const err = realisticOutput(errKind, Math.floor(ringBytes / 2), seed + 1);
      const writes: ModelWrite[] = [];
      for (let i = 0; i < Math.max(out.length, err.length); i += 1) {
        const stdout = out[i];
        const stderr = err[i];
        if (stdout !== undefined) writes.push({ at: i, stream: 'stdout', data: stdout });
        if (stderr !== undefined) writes.push({ at: i, stream: 'stderr', data: stderr });
      }
      return { writes, exitAt: Math.max(out.length, err.length) + 1, exitCode };
    });

/** Like `scenarioArb`, with realistic output and buffers of 256 B to 2 KiB. */
export const realisticScenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 256, max: 2048 }).chain((ringBytes) =>
  fc.record({
    spec: fc.record({
      ringBytes: fc.constant(ringBytes),
      replay: fc.constantFrom('single' as const, 'chunked' as const),
      process: realisticProcess(ringBytes),
      attaches: fc.array(attachPlan, { maxLength: 6 }),
      probes: fc.array(probePlan, { maxLength: 6 }),
    }),
    subscribeAt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) }),
  }),
);
