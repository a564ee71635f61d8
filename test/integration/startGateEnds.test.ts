/**
 * The start gate (docs/delivery.md, "Start gate"): an `exec` that ends before it saw a byte or
 * the exit (unsubscribed, first attach refused) deletes its execution, which would otherwise wait
 * for a line no socket brings; the emulator runs the unwrapped script only once the line came.
 */

import { NEVER, Subject, filter, firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isAttachRejectedError } from '../../src/index.js';
import { clientFor, emulator, finish, nextEvent, outcome } from './support.js';

const hello = { steps: [{ stdout: 'hello\n' }, { exit: 3 }] };

describe('start gate: an exec that ends before the gate opened', () => {
  it('unsubscribed after started, before any socket: DELETE, the script never ran', async () => {
    const em = await emulator({ scripts: { hello } });
    const client = clientFor(em, { startGate: true });
    const evicted = nextEvent(em, 'evicted');
    const exited = nextEvent(em, 'exit');
    const started = await firstValueFrom(client.exec('box', { command: 'hello' }).pipe(take(1)));
    expect(started.type).toBe('started');
    expect(await evicted).toMatchObject({ reason: 'delete' });
    // Killed by the DELETE while the gate held it: the script's own exit (3) never came.
    expect(await exited).toMatchObject({ exitCode: 137, status: 'killed' });
  });

  it('first attach refused with 403: the error, then DELETE', async () => {
    const em = await emulator({ scripts: { hello: { ...hello, attachFaults: [{ reject: { status: 403 } }] } } });
    const evicted = nextEvent(em, 'evicted');
    const { error } = await outcome(clientFor(em, { startGate: true }).exec('box', { command: 'hello' }));
    expect(isAttachRejectedError(error)).toBe(true);
    expect(await evicted).toMatchObject({ reason: 'delete' });
  });

  it('completed: no DELETE; the emulator lists the unwrapped command', async () => {
    const em = await emulator({ scripts: { hello } });
    const events = firstValueFrom(em.events.pipe(filter((event) => event.type === 'exec' || event.type === 'evicted'), take(1), toArray()));
    const result = await finish(clientFor(em, { startGate: true }).exec('box', { command: 'hello' }));
    expect(result).toMatchObject({ stdout: 'hello\n', exit: { exitCode: 3 } });
    expect(await events).toMatchObject([{ type: 'exec', command: 'hello' }]);
    expect(em.stats.evictions).toBe(0);
  });

  it('stdin before the gate line reaches neither the gate nor the script twice: the script echoes it once', async () => {
    const em = await emulator({ scripts: { cat: { steps: [{ echoStdin: true }, { exit: 0 }] } } });
    const stdin = new Subject<string>();
    const finished = finish(clientFor(em, { startGate: true }).exec('box', { command: 'cat' }, { stdin, signal: NEVER }));
    stdin.next('one\n');
    stdin.next('two');
    stdin.complete();
    expect((await finished).stdout).toBe('one\ntwo');
  });
});
