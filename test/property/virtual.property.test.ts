// @module-tag slow/cpu
/**
 * The recovery pipeline (`followExecution`) against a model runner, on virtual time: random output,
 * random cuts, refusals, token provider failures and probe answers; one terminal outcome, exact
 * bytes or an honest notice, nothing left open, reconnect notices as the policy's table says. Then
 * the reconnect policy itself: sockets recycled under a long, nearly silent process, and token
 * provider outages, checked exactly against the reconnect oracle. Seeded: a failure prints its seed
 * and path, which replay it.
 */
import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/events.js';
import { decodeUtf8 } from '../../src/operators/decodeUtf8.js';
import {
  providerOutageScenarioArb,
  realisticScenarioArb,
  recycledScenarioArb,
  scenarioArb,
  slowProbeScenarioArb,
  splitAt,
  type Scenario,
} from './arbitraries.js';
import { checkOutcome, checkReconnectRun, emptyReconnectTally, emptyTally, runScenario } from './harness.js';
import { deliveredBytes, piecesOf } from './oracle.js';

const SEED = 20_260_401;
const RUNS = 3_000;
const REALISTIC_RUNS = 1_000;
const RECONNECT_RUNS = 500;

describe('followExecution against a model runner (virtual time)', () => {
  it(`ends exactly once, with exact bytes or an honest notice, and leaves nothing open (${RUNS} runs)`, () => {
    const tally = emptyTally();
    fc.assert(
      fc.property(scenarioArb, (scenario) => checkOutcome(scenario, runScenario(scenario), tally)),
      { numRuns: RUNS, seed: SEED },
    );
    expect(tally.runs).toBe(RUNS);
    expect(tally.exact).toBeGreaterThan(RUNS / 4);
    expect(tally.wrapped).toBeGreaterThan(RUNS / 10);
    expect(tally.probeExits).toBeGreaterThan(RUNS / 20);
    expect(tally.gone).toBeGreaterThan(RUNS / 100);
    expect(tally.lossNotices).toBeGreaterThan(RUNS / 20);
    expect(tally.reconnects.cut).toBeGreaterThan(RUNS / 10);
    expect(tally.reconnects.token).toBeGreaterThan(RUNS / 50);
    expect(tally.reconnects.unavailable).toBeGreaterThan(RUNS / 10);
    expect(tally.reconnected).toBeGreaterThan(RUNS / 10);
    expect(tally.runRestarts).toBeGreaterThan(RUNS / 50);
    expect(tally.chunkStreamsKept).toBeGreaterThan(RUNS / 2);
    // False alarms measured over eight seeds (this one and 1-7): 19.5-21.7 % of the chunk-shape
    // streams whose backlog dropped nothing (415-474 of 2080-2231); a notice on every first replay
    // of a stream makes it 70 %. Bound: 30 %, 1.4 times the worst seed.
    expect(tally.falseAlarms, 'false alarms: notices on chunk-shape streams that lost nothing').toBeLessThan(tally.chunkStreamsKept * 0.3);
  });

  it(`the same on realistic output: log lines, repeats, heartbeats, yes, padding, binary, UTF-8 (${REALISTIC_RUNS} runs)`, () => {
    const tally = emptyTally();
    fc.assert(
      fc.property(realisticScenarioArb, (scenario) => checkOutcome(scenario, runScenario(scenario), tally)),
      { numRuns: REALISTIC_RUNS, seed: SEED },
    );
    expect(tally.runs).toBe(REALISTIC_RUNS);
    expect(tally.wrapped).toBeGreaterThan(REALISTIC_RUNS / 4);
    expect(tally.frameExits).toBeGreaterThan(REALISTIC_RUNS / 4);
    expect(tally.probeExits).toBeGreaterThan(REALISTIC_RUNS / 50);
    expect(tally.lossNotices).toBeGreaterThan(REALISTIC_RUNS / 10);
    expect(tally.reconnects.token).toBeGreaterThan(REALISTIC_RUNS / 50);
    expect(tally.chunkStreamsKept).toBeGreaterThan(REALISTIC_RUNS / 5);
    // False alarms measured over eight seeds (this one and 1-7): 34.2-44.6 % of the chunk-shape
    // streams whose backlog dropped nothing (114-146 of 312-349); a notice on every first replay
    // of a stream makes it 95 %. Bound: 55 %, ten points above the worst seed.
    expect(tally.falseAlarms, 'false alarms: notices on chunk-shape streams that lost nothing').toBeLessThan(tally.chunkStreamsKept * 0.55);
  });

  it(`recycled sockets: a nearly silent process is followed to its exit frame across any number of cuts after healthy lifetimes, and given up on only when failures without progress outlast the budget (${RECONNECT_RUNS} runs)`, () => {
    const tally = emptyReconnectTally();
    fc.assert(
      fc.property(recycledScenarioArb, (scenario) => checkReconnectRun(scenario, runScenario(scenario), tally)),
      { numRuns: RECONNECT_RUNS, seed: SEED },
    );
    expect(tally.runs).toBe(RECONNECT_RUNS);
    expect(tally.frameExits).toBeGreaterThan(RECONNECT_RUNS / 4);
    expect(tally.budgetErrors).toBeGreaterThan(RECONNECT_RUNS / 10);
    expect(tally.outlivedBudget).toBeGreaterThan(RECONNECT_RUNS / 5);
    expect(tally.afterHealthySockets).toBeGreaterThan(RECONNECT_RUNS * 5);
    expect(tally.afterOutput).toBeGreaterThan(RECONNECT_RUNS / 20);
    expect(tally.tokenFailures).toBeGreaterThan(RECONNECT_RUNS);
    expect(tally.syncTokenFailures).toBeGreaterThan(RECONNECT_RUNS / 4);
    expect(tally.refusals).toBeGreaterThan(RECONNECT_RUNS);
    expect(tally.mostReconnects).toBeGreaterThan(20);
  });

  it(`token provider outages: runs of provider failures (thrown or rejected) between healthy sockets are retried on the refused backoff and give up exactly when they outlast the budget (${RECONNECT_RUNS} runs)`, () => {
    const tally = emptyReconnectTally();
    fc.assert(
      fc.property(providerOutageScenarioArb, (scenario) => checkReconnectRun(scenario, runScenario(scenario), tally)),
      { numRuns: RECONNECT_RUNS, seed: SEED },
    );
    expect(tally.runs).toBe(RECONNECT_RUNS);
    expect(tally.frameExits).toBeGreaterThan(RECONNECT_RUNS / 10);
    expect(tally.budgetErrors).toBeGreaterThan(RECONNECT_RUNS / 10);
    expect(tally.budgetOnToken).toBeGreaterThan(RECONNECT_RUNS / 10);
    expect(tally.outlivedBudget).toBeGreaterThan(RECONNECT_RUNS / 20);
    expect(tally.tokenFailures).toBeGreaterThan(RECONNECT_RUNS * 5);
    expect(tally.syncTokenFailures).toBeGreaterThan(RECONNECT_RUNS * 2);
    expect(tally.afterHealthySockets).toBeGreaterThan(RECONNECT_RUNS);
    expect(tally.unavailable).toBeGreaterThan(RECONNECT_RUNS / 10);
  });

  // Once a library bug: the policy timed a socket from its open to the probe's answer, not to its
  // end, so a socket dropped at its upgrade counted as healthy when the probe took `healthyAfter`
  // ms, and the budget never ended an accept-and-drop server. Shrunk counterexample (seed 20260401):
  // three sockets cut at their upgrade, the third probe answering after 20 ms (= healthyAfter).
  it('slow probes: sockets dropped at once are no progress however long the probe takes (strict oracle)', () => {
    const tally = emptyReconnectTally();
    fc.assert(
      fc.property(slowProbeScenarioArb, (scenario) => checkReconnectRun(scenario, runScenario(scenario), tally, { strict: true })),
      { numRuns: 300, seed: SEED },
    );
  });

  // With one replay frame per stored chunk (`boxlite serve`), a backlog that dropped chunks while
  // the client was away can begin with the bytes delivered so far (periodic output). Here "xyz" ×10
  // into a 15-byte backlog, cut after the first "xyz": the drain replays "xyz" ×5. Its first frame
  // equals the one delivered chunk, but a 3-byte match proves nothing, so the replay is delivered
  // whole after a notice that up to 3 bytes may repeat and output may be missing: 3 + 15 bytes.
  it('chunked replay of periodic output that wrapped while away: the loss is announced', () => {
    const unit = new TextEncoder().encode('xyz');
    const scenario: Scenario = {
      subscribeAt: 0,
      spec: {
        ringBytes: 15,
        replay: 'chunked',
        process: { writes: Array.from({ length: 10 }, (_, i) => ({ at: 2 + 2 * i, stream: 'stdout' as const, data: unit })), exitAt: 21, exitCode: 0 },
        attaches: [{ kind: 'cut', point: { at: 'frames', n: 1 }, detectMs: 0, connectMs: 1, frameGapMs: 0, stderrFirst: false }],
        probes: [{ delayMs: 30, answer: 'truth' }],
      },
    };
    const outcome = runScenario(scenario);
    const pieces = piecesOf(outcome.timeline, 'stdout');
    expect(deliveredBytes(pieces).length).toBe(3 + 15);
    expect(pieces.filter((piece) => piece.kind !== 'bytes')).toEqual([{ kind: 'overlap', bytes: 3 }]);
  });
});

describe('decodeUtf8', () => {
  it('decodes any UTF-8 text split into frames at arbitrary byte positions, two streams interleaved, to the same text', () => {
    const encoder = new TextEncoder();
    const framed = fc
      .tuple(fc.string({ unit: 'binary' }), fc.array(fc.nat(), { maxLength: 12 }))
      .map(([text, cuts]) => ({ text, frames: text === '' ? [] : splitAt(encoder.encode(text), cuts) }));
    fc.assert(
      fc.property(framed, framed, fc.array(fc.boolean(), { maxLength: 30 }), (out, err, picks) => {
        const queues = { stdout: [...out.frames], stderr: [...err.frames] };
        const source: ExecEvent[] = [];
        for (let i = 0; queues.stdout.length + queues.stderr.length > 0; i += 1) {
          const pickOut = queues.stderr.length === 0 || (queues.stdout.length > 0 && picks[i % Math.max(1, picks.length)] === true);
          const stream = pickOut ? 'stdout' : 'stderr';
          source.push({ type: stream, data: queues[stream].shift() as Uint8Array });
        }
        source.push({ type: 'exit', exitCode: 0, source: 'frame' });
        const decoded = { stdout: '', stderr: '' };
        from(source).pipe(decodeUtf8()).subscribe((event) => {
          if (event.type === 'stdout' || event.type === 'stderr') decoded[event.type] += event.text;
        });
        expect(decoded).toEqual({ stdout: out.text, stderr: err.text });
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });
});
