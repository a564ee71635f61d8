// @module-tag slow/sockets
/**
 * An observer on `boxlite serve` (the serve preset), where a read-only socket keeps the single
 * attach slot: while a writer holds it, `observe` is refused (409) and retries with the refused
 * backoff, never a hang, then fails with `ReconnectBudgetExceededError` within its reconnect
 * budget; the writer it waited on is untouched and gets every byte once, in order, live.
 */
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { createRunnerClient, isReconnectBudgetExceededError } from '../../src/index.js';
import type { EmulatorEvent, Script } from '../../src/testing/index.js';
import { emulator, nextEvent, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';

const echo: Script = { steps: [{ stdout: 'ready: état prêt\n' }, { echoStdin: true }, { exit: 7 }] };
const LINE = '2026-12-06T22:00:00Z INFO request handled service=catalog-api region=eu-west-1 ✓\n';

describe('observe while a writer holds serve\'s single slot', () => {
  it('refused with 409s, then ReconnectBudgetExceededError within the budget; the writer gets every byte once and exits 7', async () => {
    const em = await emulator({ server: 'serve', scripts: { echo } });
    const id = await startExecution(em, { command: 'echo' });
    const attaches: Extract<EmulatorEvent, { type: 'attach' }>[] = [];
    em.events.subscribe((event) => {
      if (event.type === 'attach') attaches.push(event);
    });
    const budget = 1_500;
    const client = createRunnerClient({ baseUrl: em.url, token: em.token, WebSocket, reconnect: { budget } });
    const stdin = new Subject<Uint8Array>();
    const writerDone = lastValueFrom(client.follow('box', id, { stdin }).pipe(toArray()));
    const attached = nextEvent(em, 'attach', id);
    expect((await attached).status).toBe(101);

    const started = performance.now();
    const observed = await within(
      lastValueFrom(client.observe('box', id).pipe(toArray())).then(
        () => undefined,
        (error: unknown) => error,
      ),
      budget + 2_000,
      'the observer to give up',
    );
    expect(isReconnectBudgetExceededError(observed)).toBe(true);
    expect(performance.now() - started).toBeLessThan(budget + 1_000);
    const refused = attaches.filter((event) => event.stdin === 'false');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((event) => event.status === 409)).toBe(true);

    stdin.next(new TextEncoder().encode(LINE));
    stdin.complete();
    const events = await within(writerDone, 5_000, 'the writer to finish');
    const stdout = Buffer.concat(events.flatMap((event) => (event.type === 'stdout' ? [Buffer.from(event.data)] : []))).toString('utf8');
    expect(stdout).toBe(`ready: état prêt\n${LINE}`);
    expect(events.filter((event) => event.type === 'notice')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 7 });
    expect(em.stats).toMatchObject({ readOnlyAttaches: 0, readOnlyStdinFrames: 0 });
  });
});
