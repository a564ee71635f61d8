/**
 * fast-check generators for the virtual-time property: a process that writes random binary chunks
 * and multi-byte UTF-8 text split at random byte positions on both streams, plus random plans for
 * each attach (healthy; refused with 409, 502 or 404; a token provider that fails; cut somewhere)
 * and each probe. Two more families keep a nearly silent process running while its sockets are
 * recycled (`recycledScenarioArb`) or its token provider fails for a while (`providerOutageScenarioArb`),
 * shaped for the reconnect oracle (reconnectOracle.ts).
 */
import fc from 'fast-check';
import type { OutputStream } from '../../src/protocol/types.js';
import { OUTPUT_KINDS, realisticOutput } from '../support/realisticOutput.js';
import type { AttachPlan, CutPoint, ModelProcess, ModelSpec, ModelWrite, ProbePlan } from './model.js';
import type { ClientTimings } from './reconnectOracle.js';

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
  fc.nat({ max: 12 }).map((ms) => ({ at: 'after', ms }) as const),
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
      { weight: 1, arbitrary: fc.constant({ kind: 'token' } as const) },
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
  /** The client's reconnect timings (default: the harness's `DEFAULT_TIMINGS`). */
  readonly timings?: ClientTimings;
  /** The client's `replayShape`: the model's own shape (default), or `'auto'`. */
  readonly clientShape?: 'server' | 'auto';
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

/**
 * The timings of the reconnect families: a socket open 20 ms made progress; a run of failures may
 * last 50 ms; refused connects back off 2 ms doubling to 8, an unavailable server 4 doubling to 16.
 * All even, as the reconnect oracle wants.
 */
export const RECONNECT_TIMINGS: ClientTimings = {
  reconnect: { initialDelay: 4, maxDelay: 16, budget: 50, healthyAfter: 20 },
  conflictBackoff: { initialDelay: 2, maxDelay: 8 },
};
const HEALTHY_AFTER = RECONNECT_TIMINGS.reconnect.healthyAfter;
/** Longest detection and probe delays of the reconnect families. */
const DETECT_MAX = 2;
const PROBE_MAX = 2;
/** Attach plans per reconnect scenario: more than a process of `RECONNECT_EXIT_MAX` ms uses up, mostly. */
const RECONNECT_PLANS = 64;
const RECONNECT_EXIT_MAX = 1_201;

const evenUpTo = (max: number): fc.Arbitrary<number> => fc.nat({ max: max / 2 }).map((half) => half * 2);

/** A socket cut after `ms`; frames go out at once, the cut is noticed after 0 or 2 ms. */
const cutAfter = (ms: fc.Arbitrary<number>): fc.Arbitrary<AttachPlan> =>
  fc
    .record({ connectMs: evenUpTo(2), ms, detectMs: evenUpTo(DETECT_MAX), stderrFirst: fc.boolean() })
    .map(({ connectMs, ms: lifetime, detectMs, stderrFirst }) => ({
      kind: 'cut',
      point: { at: 'after', ms: lifetime },
      detectMs,
      connectMs,
      frameGapMs: 0,
      stderrFirst,
    }));

/** Open `healthyAfter` ms or more (up to 4 ×). */
const longSocket = cutAfter(fc.integer({ min: HEALTHY_AFTER / 2, max: 2 * HEALTHY_AFTER }).map((half) => half * 2));
/** Shorter than `healthyAfter` by more than detection and probe delays add (0: cut before any frame). */
const shortSocket = cutAfter(evenUpTo(HEALTHY_AFTER - DETECT_MAX - PROBE_MAX - 2));
/** A refused connect: the old socket's slot still held (409), or a proxy (502). */
const refusal: fc.Arbitrary<AttachPlan> = fc
  .record({ connectMs: evenUpTo(2), status: fc.constantFrom(409 as const, 502 as const) })
  .map(({ connectMs, status }) => ({ kind: 'refuse', status, connectMs, frameGapMs: 0, stderrFirst: false }));
/** The token provider fails: throws at once (0 ms), or rejects after 2 ms. */
const tokenFailure: fc.Arbitrary<AttachPlan> = evenUpTo(2).map((connectMs) => ({ kind: 'token', connectMs, frameGapMs: 0, stderrFirst: false }));

/**
 * A nearly silent process: up to three short writes (none, often) at odd ms before its exit at an
 * odd ms, 100 ms to 1.2 s in.
 */
const quietProcess: fc.Arbitrary<ModelProcess> = fc
  .tuple(
    fc.integer({ min: 50, max: (RECONNECT_EXIT_MAX - 1) / 2 }).map((half) => half * 2 + 1),
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      {
        weight: 2,
        arbitrary: fc.array(
          fc.record({ at: fc.nat(), stream: fc.constantFrom<OutputStream>('stdout', 'stderr'), data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
          { minLength: 1, maxLength: 3 },
        ),
      },
    ),
    fc.integer({ min: 0, max: 255 }),
  )
  .map(([exitAt, writes, exitCode]) => ({
    writes: writes.map(({ at, stream, data }) => ({ at: 2 * (at % ((exitAt - 1) / 2)) + 1, stream, data })).sort((a, b) => a.at - b.at),
    exitAt,
    exitCode,
  }));

/** Probes that answer after 0 or 2 ms: the truth, or (weight `unavailable` in 8) a 503. */
const reconnectProbes = (unavailable: number): fc.Arbitrary<ProbePlan[]> =>
  fc.array(
    fc.record({
      delayMs: evenUpTo(PROBE_MAX),
      answer: fc.oneof({ weight: 8 - unavailable, arbitrary: fc.constant('truth' as const) }, { weight: unavailable, arbitrary: fc.constant('unavailable' as const) }),
    }),
    { minLength: RECONNECT_PLANS + 1, maxLength: RECONNECT_PLANS + 1 },
  );

const reconnectSpec = (attaches: fc.Arbitrary<AttachPlan[]>, probes: fc.Arbitrary<ProbePlan[]>): fc.Arbitrary<Scenario> =>
  fc.record({
    spec: fc.record({
      ringBytes: fc.constant(64),
      replay: fc.constant('single' as const),
      process: quietProcess,
      attaches,
      probes,
      healthyAfterExit: fc.constant(true),
    }),
    subscribeAt: fc.constant(0),
    timings: fc.constant(RECONNECT_TIMINGS),
  });

/**
 * Recycled sockets: a nearly silent process runs long while every socket is cut after a random
 * lifetime, some shorter than `healthyAfter`, most longer, now and then a refused connect or a
 * failed token provider; probes tell the truth (running). How flaky is drawn per scenario, so some
 * runs string enough failures together to exceed the budget and most do not.
 */
export const recycledScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({ long: fc.integer({ min: 1, max: 10 }), short: fc.integer({ min: 0, max: 4 }) })
  .chain(({ long, short }) =>
    reconnectSpec(
      fc.array(
        fc.oneof(
          { weight: long, arbitrary: longSocket },
          { weight: short, arbitrary: shortSocket },
          { weight: 1, arbitrary: refusal },
          { weight: 1, arbitrary: tokenFailure },
        ),
        { minLength: RECONNECT_PLANS, maxLength: RECONNECT_PLANS },
      ),
      reconnectProbes(0),
    ),
  );

/**
 * Token provider outages: healthy sockets (now and then a short one, or a 409 while the old slot is
 * held) between stretches of 1 to 10 consecutive token failures, thrown at once or rejected later;
 * now and then a probe answers 503 too.
 */
export const providerOutageScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({ unavailable: fc.integer({ min: 0, max: 2 }) })
  .chain(({ unavailable }) =>
    reconnectSpec(
      fc
        .array(
          fc.tuple(
            fc.array(fc.oneof({ weight: 6, arbitrary: longSocket }, { weight: 1, arbitrary: shortSocket }, { weight: 1, arbitrary: refusal }), {
              minLength: 1,
              maxLength: 4,
            }),
            fc.array(tokenFailure, { minLength: 1, maxLength: 10 }),
          ),
          { minLength: 8, maxLength: 8 },
        )
        .map((segments) => segments.flatMap(([sockets, outage]) => [...sockets, ...outage]).slice(0, RECONNECT_PLANS)),
      reconnectProbes(unavailable),
    ),
  );

/**
 * Slow probes: sockets mostly accepted and dropped within a few ms, the status endpoint taking up
 * to twice `healthyAfter` to answer. No socket here stays open `healthyAfter` ms, so, as documented,
 * none is progress. (The library times a socket to the probe's answer: see the slow-probe test.)
 */
export const slowProbeScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    spec: fc.record({
      ringBytes: fc.constant(64),
      replay: fc.constant('single' as const),
      process: quietProcess,
      attaches: fc.array(fc.oneof({ weight: 4, arbitrary: shortSocket }, { weight: 1, arbitrary: refusal }), { minLength: 1, maxLength: 16 }),
      probes: fc.array(fc.record({ delayMs: evenUpTo(2 * HEALTHY_AFTER), answer: fc.constant('truth' as const) }), {
        minLength: RECONNECT_PLANS + 1,
        maxLength: RECONNECT_PLANS + 1,
      }),
      healthyAfterExit: fc.constant(true),
    }),
    subscribeAt: fc.constant(0),
    timings: fc.constant(RECONNECT_TIMINGS),
  })
  .map((scenario) => ({ ...scenario, spec: { ...scenario.spec, probes: scenario.spec.probes.slice(0, scenario.spec.attaches.length + 1) } }));
