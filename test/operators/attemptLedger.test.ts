/**
 * `AttemptLedger` alone, on virtual time: the socket's life, progress, the run of failures and
 * the preconnect decision. The clock is the TestScheduler's (`asyncScheduler.now()` inside `run`).
 */
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { AttachDisconnectedError, AttachRejectedError } from '../../src/errors.js';
import type { Preconnect } from '../../src/observables/preconnect.js';
import type { ReconnectReason } from '../../src/events.js';
import { AttemptLedger } from '../../src/operators/attemptLedger.js';
import type { FailureRun } from '../../src/operators/reconnectDelay.js';
import type { EarlySocket } from '../../src/transport/earlySocket.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const cut = new AttachDisconnectedError('cut', 1006);
const refused = new AttachRejectedError('attach refused: HTTP 409', 409);

/** Runs `steps` on virtual time: each is done at its ms. */
function at(steps: [number, () => void][]): void {
  const scheduler: TestScheduler = createTestScheduler();
  scheduler.run(() => {
    for (const [ms, step] of steps) scheduler.schedule(step, ms);
  });
}

const runOf = (startedAt: number, failures: number, unavailable: number, refused: number): FailureRun => ({ startedAt, failures, unavailable, refused });

/** A fake socket opened ahead that logs what becomes of it. */
function fakeAhead(log: string[], name: string): Preconnect {
  log.push(`open ${name}`);
  return {
    take: () => {
      log.push(`take ${name}`);
      return { name } as unknown as EarlySocket;
    },
    dispose: () => log.push(`dispose ${name}`),
  };
}

describe('AttemptLedger: progress', () => {
  it('a fresh attempt made no progress; an emitted event is progress', () => {
    const ledger = new AttemptLedger(10);
    expect(ledger.madeProgress()).toBe(false);
    ledger.eventEmitted();
    expect(ledger.madeProgress()).toBe(true);
  });

  it('a socket open healthyAfter ms is progress, measured to now while it lives', () => {
    const ledger = new AttemptLedger(10);
    const seen: boolean[] = [];
    at([
      [5, () => ledger.socketOpened()],
      [14, () => seen.push(ledger.madeProgress())],
      [15, () => seen.push(ledger.madeProgress(), ledger.stayedOpen())],
    ]);
    expect(seen).toEqual([false, true, true]);
  });

  it('a socket that ended is measured to its end, not to when it is asked', () => {
    const ledger = new AttemptLedger(10);
    const seen: boolean[] = [];
    at([
      [0, () => ledger.socketOpened()],
      [9, () => ledger.socketEnded(cut)],
      [500, () => seen.push(ledger.madeProgress())],
    ]);
    expect(seen).toEqual([false]);
  });

  it('delivering frames is not progress (they may all be replayed); a new attempt forgets the last one', () => {
    const ledger = new AttemptLedger(10);
    const seen: boolean[] = [];
    at([
      [0, () => ledger.socketOpened()],
      [1, () => ledger.socketDelivered()],
      [2, () => seen.push(ledger.madeProgress())],
      [3, () => ledger.eventEmitted()],
      [20, () => seen.push(ledger.madeProgress())],
      [20, () => ledger.attemptStarted()],
      [40, () => seen.push(ledger.madeProgress())],
    ]);
    expect(seen).toEqual([false, true, false]);
  });
});

describe('AttemptLedger: the run of failures', () => {
  it('failures without progress join one run, counted by the backoff each waits; progress starts a new run', () => {
    const ledger = new AttemptLedger(10);
    const runs: FailureRun[] = [];
    const fail = (reason: ReconnectReason) => (): void => void runs.push(ledger.failed(reason));
    const next = (): void => ledger.attemptStarted();
    const emit = (): void => ledger.eventEmitted();
    at([[0, next], [3, fail('cut')], [3, next], [4, fail('conflict')], [4, next], [6, fail('unavailable')], [6, next], [7, fail('cut')], [7, next], [8, emit], [9, fail('cut')]]);
    expect(runs).toEqual([runOf(3, 1, 0, 0), runOf(3, 2, 0, 1), runOf(3, 3, 1, 1), runOf(3, 4, 1, 2), runOf(9, 1, 0, 0)]);
    expect(ledger.failures).toBe(1);
  });

  it('a socket that stayed open healthyAfter ms before its failure starts a new run', () => {
    const ledger = new AttemptLedger(10);
    const runs: FailureRun[] = [];
    at([[0, () => runs.push(ledger.failed('refused'))], [0, () => ledger.attemptStarted()], [2, () => ledger.socketOpened()], [12, () => runs.push(ledger.failed('cut'))]]);
    expect(runs).toEqual([runOf(0, 1, 0, 1), runOf(12, 1, 0, 0)]);
  });
});

describe('AttemptLedger: the socket opened ahead', () => {
  it('after a cut of a socket that delivered anything, the probe opens the next socket once; the next attach takes it', () => {
    const ledger = new AttemptLedger(1_000);
    const log: string[] = [];
    ledger.socketOpened();
    ledger.socketDelivered();
    ledger.socketEnded(cut);
    ledger.openAhead(() => fakeAhead(log, 'A'));
    ledger.openAhead(() => fakeAhead(log, 'B'));
    expect(ledger.takeAhead()).toEqual({ name: 'A' });
    expect(ledger.takeAhead()).toBeUndefined();
    expect(log).toEqual(['open A', 'take A']);
  });

  it('after a cut of a socket that stayed open healthyAfter ms, too', () => {
    const ledger = new AttemptLedger(10);
    const log: string[] = [];
    at([[0, () => ledger.socketOpened()], [10, () => ledger.socketEnded(cut)], [11, () => ledger.openAhead(() => fakeAhead(log, 'A'))]]);
    expect(log).toEqual(['open A']);
  });

  it('not after a cut without progress, nor after a refused connect', () => {
    const ledger = new AttemptLedger(10);
    const log: string[] = [];
    const openAhead = (name: string) => (): void => ledger.openAhead(() => fakeAhead(log, name));
    at([[0, () => ledger.socketOpened()], [9, () => ledger.socketEnded(cut)], [9, openAhead('A')]]);
    at([[10, () => ledger.attemptStarted()], [11, () => ledger.socketDelivered()], [12, () => ledger.socketEnded(refused)], [12, openAhead('B')]]);
    expect(log).toEqual([]);
    expect(ledger.takeAhead()).toBeUndefined();
  });

  it('dropAhead closes the socket opened ahead, once', () => {
    const ledger = new AttemptLedger(1_000);
    const log: string[] = [];
    ledger.socketDelivered();
    ledger.socketEnded(cut);
    ledger.openAhead(() => fakeAhead(log, 'A'));
    ledger.dropAhead();
    ledger.dropAhead();
    expect(ledger.takeAhead()).toBeUndefined();
    expect(log).toEqual(['open A', 'dispose A']);
  });
});
