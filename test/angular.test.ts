/**
 * `boxlite-rx/angular` and examples/angular with the real @angular/core (JIT, zoneless TestBed)
 * and HttpClient's fetch backend against the emulator on loopback: REST calls pass the app's
 * interceptors, the attach socket authenticates with the token provider of the client options,
 * output reaches the signals, and destroying the scope closes the socket.
 */
// First: Angular's own packages are partially compiled and need the JIT compiler loaded before them.
import '@angular/compiler';
import { provideHttpClient, withFetch, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { EnvironmentInjector, createEnvironmentInjector, inject, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appConfig } from '../examples/angular/app.config.js';
import { AuthService, authInterceptor } from '../examples/angular/auth.js';
import { TerminalComponent } from '../examples/angular/terminal.component.js';
import { isAttachRejectedError, isBoxliteHttpError } from '../src/index.js';
import { injectBoxliteClient, provideBoxliteClient, toExecSignals, type ExecSignals } from '../src/angular/index.js';
import { startRunnerEmulator, type RunnerEmulator } from '../src/testing/index.js';
import { useAngularTestBed } from './support/angularTestBed.js';
import { nextEvent } from './support/emulator.js';

useAngularTestBed();

let emulator: RunnerEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const WAIT = { timeout: 5_000, interval: 5 } as const;

/** Records `METHOD path authorization` of each request as it leaves the interceptor chain. */
const recording =
  (calls: string[]): HttpInterceptorFn =>
  (req, next) => {
    calls.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.get('authorization') ?? '-'}`);
    return next(req);
  };

/** Replaces the Authorization of every request, as a misconfigured interceptor would. */
const wrongToken: HttpInterceptorFn = (req, next) => next(req.clone({ setHeaders: { authorization: 'Bearer not-the-token' } }));

/**
 * The app's setup, spelled out so a test can add interceptors: the example's auth interceptor
 * first, then `extra`; the client's token provider reads `attachToken` (the session by default).
 */
function configure(em: RunnerEmulator, extra: HttpInterceptorFn[], attachToken?: string): void {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([authInterceptor, ...extra])),
      provideBoxliteClient(() => {
        const auth = inject(AuthService);
        return { baseUrl: em.url, token: () => attachToken ?? auth.token() };
      }),
    ],
  });
  TestBed.inject(AuthService).signIn(em.token);
}

const exec = (injector: EnvironmentInjector, command: string): ExecSignals =>
  injector.runInContext(() => toExecSignals(injectBoxliteClient().exec('box-1', { command })));

describe('boxlite-rx/angular against the emulator', () => {
  it('streams output into signals; destroying the scope closes the socket and leaves the process running', async () => {
    const em = (emulator = await startRunnerEmulator({
      scripts: { tail: { steps: [{ stdout: 'first line\n' }, { waitMs: 60_000 }, { exit: 0 }] } },
    }));
    configure(em, []);
    const scope = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const run = exec(scope, 'tail');
    expect(run.status()).toBe('starting');

    await vi.waitFor(() => expect(run.stdout()).toBe('first line\n'), WAIT);
    const executionId = run.executionId() ?? '';
    expect([run.status(), em.stats.openSockets]).toEqual(['running', 1]);

    const detached = nextEvent(em, 'detach', executionId, 3_000);
    scope.destroy();
    await detached;
    expect(em.stats.openSockets).toBe(0);
    expect([run.status(), run.stdout(), run.exitCode()]).toEqual(['stopped', 'first line\n', undefined]);
    expect(em.execution(executionId)?.status).toBe('running');
  });

  it('sends every REST call (the exec, the probe after a cut) through the interceptors; the attach asks the token provider', async () => {
    const em = (emulator = await startRunnerEmulator({
      scripts: { hello: { steps: [{ stdout: 'hello\n' }, { exit: 4 }], attachFaults: [{ cut: { after: 'upgrade' } }] } },
    }));
    const calls: string[] = [];
    configure(em, [recording(calls)]);
    const run = exec(TestBed.inject(EnvironmentInjector), 'hello');

    await vi.waitFor(() => expect(run.status()).toBe('exited'), WAIT);
    const executionId = run.executionId() ?? '';
    expect([run.exitCode(), run.stdout(), run.stderr(), run.error()]).toEqual([4, 'hello\n', '', undefined]);
    expect(calls).toEqual([`POST /v1/boxes/box-1/exec Bearer ${em.token}`, `GET /v1/boxes/box-1/executions/${executionId} Bearer ${em.token}`]);
    expect([em.stats.attachAttempts, em.stats.unauthorized]).toEqual([2, 0]);
  });

  it("the interceptor's Authorization is what REST sends: a wrong one fails the exec with 401, no socket opened", async () => {
    const em = (emulator = await startRunnerEmulator({ scripts: { hello: { steps: [{ stdout: 'hello\n' }, { exit: 0 }] } } }));
    configure(em, [wrongToken]);
    const run = exec(TestBed.inject(EnvironmentInjector), 'hello');

    await vi.waitFor(() => expect(run.status()).toBe('failed'), WAIT);
    expect(isBoxliteHttpError(run.error())).toBe(true);
    expect(run.error()).toMatchObject({ status: 401 });
    expect([em.stats.executions, em.stats.attachAttempts]).toEqual([0, 0]);
  });

  it('the token provider is what the attach sends: a wrong one there is refused, though REST (the interceptor) passed', async () => {
    const em = (emulator = await startRunnerEmulator({ scripts: { hello: { steps: [{ stdout: 'hello\n' }, { exit: 0 }] } } }));
    configure(em, [], 'not-the-token');
    const run = exec(TestBed.inject(EnvironmentInjector), 'hello');

    await vi.waitFor(() => expect(run.status()).toBe('failed'), WAIT);
    expect(isAttachRejectedError(run.error())).toBe(true);
    expect(run.error()).toMatchObject({ status: 401 });
    expect(run.executionId()).toMatch(/^exec-/);
    expect([em.stats.executions, em.stats.attaches, em.stats.unauthorized]).toEqual([1, 0, 1]);
  });
  it("a runner that does not answer: BoxliteHttpError without a status, the fetch backend's error as cause", async () => {
    const em = await startRunnerEmulator({ scripts: {} });
    configure(em, []);
    await em.close();
    const run = exec(TestBed.inject(EnvironmentInjector), 'hello');

    await vi.waitFor(() => expect(run.status()).toBe('failed'), WAIT);
    expect(isBoxliteHttpError(run.error())).toBe(true);
    expect(run.error()).toMatchObject({ status: undefined, message: `POST ${em.url}/v1/boxes/box-1/exec failed: fetch failed (ECONNREFUSED)` });
  });
});

describe('examples/angular', () => {
  it('TerminalComponent runs a command with appConfig, and kill ends the one it follows', async () => {
    const em = (emulator = await startRunnerEmulator({
      scripts: {
        hello: { steps: [{ stdout: 'hello\n' }, { exit: 4 }] },
        tail: { steps: [{ stdout: 'waiting\n' }, { waitMs: 60_000 }, { exit: 0 }] },
      },
    }));
    TestBed.configureTestingModule({ providers: appConfig(em.url).providers });
    TestBed.inject(AuthService).signIn(em.token);
    // The component's logic without a DOM: constructed in an injection context, as Angular would.
    const terminal = TestBed.runInInjectionContext(() => new TerminalComponent());

    terminal.start('box-1', 'hello');
    expect(terminal.busy()).toBe(true);
    await vi.waitFor(() => expect(terminal.run()?.status()).toBe('exited'), WAIT);
    expect([terminal.run()?.stdout(), terminal.run()?.exitCode(), terminal.busy()]).toEqual(['hello\n', 4, false]);

    terminal.start('box-1', 'tail');
    await vi.waitFor(() => expect(terminal.run()?.stdout()).toBe('waiting\n'), WAIT);
    const executionId = terminal.run()?.executionId() ?? '';
    const exited = nextEvent(em, 'exit', executionId, 3_000);
    terminal.kill();
    const { exitCode } = (await exited) as { exitCode: number };
    await vi.waitFor(() => expect(terminal.run()?.status()).toBe('exited'), WAIT);
    expect([terminal.run()?.exitCode(), terminal.busy()]).toEqual([exitCode, false]);
  });
});
