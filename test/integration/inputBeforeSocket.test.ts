/**
 * Input written before the first socket opens (during `POST /exec`, during a refused first
 * connect) reaches the process exactly once, in order. The script echoes stdin; SIGWINCH (28)
 * leaves it running and SIGTERM (15) ends it with 143, so the output shows what arrived before
 * the signal and the emulator's signal list shows the order of the signals.
 */

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/testing/index.js';
import { attachAttempt, clientFor, emulator, finish, isProbe, observingFetch } from './support.js';

const echo = (script: Partial<Script> = {}): Script => ({ steps: [{ echoStdin: true }, { exit: 0 }], ...script });

function inputs(): { stdin: Subject<string>; signal: Subject<number> } {
  return { stdin: new Subject<string>(), signal: new Subject<number>() };
}

describe('input before the first socket', () => {
  it('stdin and signals emitted at subscription, before POST /exec answers, arrive once, in order', async () => {
    const em = await emulator({ scripts: { cat: echo() } });
    const { stdin, signal } = inputs();
    const finished = finish(clientFor(em).exec('box', { command: 'cat' }, { stdin, signal }));
    stdin.next('a');
    signal.next(28);
    stdin.next('b\n');
    signal.next(15);
    const result = await finished;
    expect(result.stdout).toBe('ab\n');
    expect(result.exit.exitCode).toBe(143);
    const execution = em.execution(result.executionId ?? '');
    expect(execution?.stdinBytes).toBe(3);
    expect(execution?.signals).toEqual([28, 15]);
  });

  it('input emitted while the first connect is refused (502) and during the probe arrives once, in order', async () => {
    const em = await emulator({ scripts: { cat: echo({ attachFaults: [{ reject: { status: 502 } }] }) } });
    const { stdin, signal } = inputs();
    const { fetch, calls } = observingFetch({
      before: (call) => {
        if (isProbe(call)) {
          stdin.next('c');
          signal.next(15);
        }
      },
    });
    const refused = attachAttempt(em, 0).then((attempt) => {
      expect(attempt.status).toBe(502);
      stdin.next('b');
      signal.next(28);
    });
    const finished = finish(clientFor(em, { fetch }).exec('box', { command: 'cat' }, { stdin, signal }));
    stdin.next('a');
    const result = await finished;
    await refused;
    expect(result.stdout).toBe('abc');
    expect(result.exit.exitCode).toBe(143);
    const execution = em.execution(result.executionId ?? '');
    expect(execution?.attachAttempts).toBe(2);
    expect(execution?.stdinBytes).toBe(3);
    expect(execution?.signals).toEqual([28, 15]);
    expect(calls.filter(isProbe)).toHaveLength(1);
  });

  it('stdin that ended before the first socket sends stdin_eof once the socket opens', async () => {
    const em = await emulator({ scripts: { cat: echo({ attachFaults: [{ reject: { status: 503 } }] }) } });
    const stdin = new Subject<string>();
    const finished = finish(clientFor(em).exec('box', { command: 'cat' }, { stdin }));
    stdin.next('all of it');
    stdin.complete();
    const result = await finished;
    expect(result.stdout).toBe('all of it');
    expect(result.exit.exitCode).toBe(0);
    expect(em.execution(result.executionId ?? '')?.stdinClosed).toBe(true);
  });
});
