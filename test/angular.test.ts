/**
 * examples/angular/exec.service.ts with the real @angular/core (JIT, zoneless) against the
 * emulator: output reaches a signal, probes go through the injected fetch, and destroying the
 * injector closes the socket.
 */
import '@angular/compiler';
import { EnvironmentInjector, Injector, createEnvironmentInjector, runInInjectionContext, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOXLITE_CLIENT_OPTIONS, BOXLITE_FETCH, ExecService, type ExecState } from '../examples/angular/exec.service.js';
import type { FetchLike } from '../src/index.js';
import { startRunnerEmulator, type RunnerEmulator } from '../src/testing/index.js';

let emulator: RunnerEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A scope like a component's: its own environment injector, providing the service. */
function scope(em: RunnerEmulator, fetchImpl: FetchLike): EnvironmentInjector {
  const root = Injector.create({ providers: [] });
  if (!(root instanceof EnvironmentInjector)) throw new TypeError('Injector.create no longer returns an EnvironmentInjector');
  return createEnvironmentInjector(
    [
      ExecService,
      { provide: BOXLITE_CLIENT_OPTIONS, useValue: { baseUrl: em.url, token: em.token } },
      { provide: BOXLITE_FETCH, useValue: fetchImpl },
    ],
    root,
  );
}

/** The platform fetch, recording `METHOD path` of each call. */
function recordingFetch(calls: string[]): FetchLike {
  return (url, init) => {
    calls.push(`${init.method} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
}

const runAsSignal = (injector: EnvironmentInjector, command: string): Signal<ExecState> =>
  runInInjectionContext(injector, () => toSignal(injector.get(ExecService).run('box-1', { command }), { requireSync: true }));

describe('ExecService (examples/angular) with @angular/core', () => {
  it('streams output into a signal; destroying the injector closes the socket', async () => {
    const em = (emulator = await startRunnerEmulator({
      scripts: { tail: { steps: [{ stdout: 'first line\n' }, { waitMs: 60_000 }, { exit: 0 }] } },
    }));
    const injector = scope(em, recordingFetch([]));
    const state = runAsSignal(injector, 'tail');
    expect(state()).toEqual({ executionId: undefined, output: '', exitCode: undefined });

    await vi.waitFor(() => expect(state().output).toBe('first line\n'), { timeout: 5_000, interval: 5 });
    const { executionId } = state();
    expect(em.stats.openSockets).toBe(1);

    const detached = firstValueFrom(em.events.pipe(filter((e) => e.type === 'detach' && e.executionId === executionId), timeout(3_000)));
    injector.destroy();
    await detached;
    expect(em.stats.openSockets).toBe(0);
    expect(state()).toEqual({ executionId, output: 'first line\n', exitCode: undefined });
    expect(em.execution(executionId ?? '')?.status).toBe('running');
  });

  it('sends the exec and the probe after a cut through the injected fetch, then shows the drained output', async () => {
    const em = (emulator = await startRunnerEmulator({
      scripts: { hello: { steps: [{ stdout: 'hello\n' }, { exit: 4 }], attachFaults: [{ cut: { after: 'upgrade' } }] } },
    }));
    const calls: string[] = [];
    const injector = scope(em, recordingFetch(calls));
    const state = runAsSignal(injector, 'hello');

    await vi.waitFor(() => expect(state().exitCode).toBe(4), { timeout: 5_000, interval: 5 });
    const { executionId = '' } = state();
    expect(state()).toEqual({ executionId, output: 'hello\n', exitCode: 4 });
    expect(calls).toEqual(['POST /v1/boxes/box-1/exec', `GET /v1/boxes/box-1/executions/${executionId}`]);
    expect(em.stats.attachAttempts).toBe(2);
    injector.destroy();
  });
});
