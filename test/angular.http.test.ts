/**
 * `boxlite-rx/angular` with HttpClient's testing backend (zoneless TestBed): every REST call goes
 * through the app's interceptors and shows up in `HttpTestingController`; the attach socket (a
 * fake) keeps the token of the client options.
 */
// First: Angular's own packages are partially compiled and need the JIT compiler loaded before them.
import '@angular/compiler';
import { HttpHeaders, provideHttpClient, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { EnvironmentInjector, createEnvironmentInjector, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isBoxliteHttpError } from '../src/index.js';
import { BOXLITE_REQUEST, injectBoxliteClient, provideBoxliteClient, toExecSignals, type ExecSignals } from '../src/angular/index.js';
import { useAngularTestBed } from './support/angularTestBed.js';
import { FakeNodeSocket, asConstructor } from './support/fakeSockets.js';

useAngularTestBed();

const BASE = 'http://runner.test';
const EXEC_URL = `${BASE}/v1/boxes/box-1/exec`;
const STATUS_URL = `${BASE}/v1/boxes/box-1/executions/exec-1`;

/** What the stamping interceptor saw of each request: method, URL and the BoxLite tag. */
let seen: string[];
/** The app's interceptor: stamps every request and records it. */
const stamp: HttpInterceptorFn = (req, next) => {
  seen.push(`${req.method} ${req.url} boxlite=${String(req.context.get(BOXLITE_REQUEST))}`);
  return next(req.clone({ setHeaders: { 'x-app': 'stamped' } }));
};

beforeEach(() => {
  seen = [];
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([stamp])),
      provideHttpClientTesting(),
      provideBoxliteClient({ baseUrl: BASE, token: 'options-token', WebSocket: asConstructor(FakeNodeSocket.reset()) }),
    ],
  });
});

const headersOf = (request: TestRequest, names: readonly string[]): Record<string, string | null> =>
  Object.fromEntries(names.map((name) => [name, request.request.headers.get(name)]));

const execIn = (injector: EnvironmentInjector): ExecSignals =>
  injector.runInContext(() => toExecSignals(injectBoxliteClient().exec('box-1', { command: 'cat', args: ['-n'] })));

describe('provideBoxliteClient with HttpTestingController', () => {
  it('sends POST /exec, the probe after a cut and kill through the interceptors; the attach carries the options token', async () => {
    const http = TestBed.inject(HttpTestingController);
    const run = execIn(TestBed.inject(EnvironmentInjector));

    const post = http.expectOne({ method: 'POST', url: EXEC_URL });
    expect(headersOf(post, ['x-app', 'authorization', 'content-type'])).toEqual({
      'x-app': 'stamped',
      authorization: 'Bearer options-token',
      'content-type': 'application/json',
    });
    // `cat -n` behind the start gate's sh wrapper (docs/delivery.md, "Start gate").
    const body = JSON.parse(post.request.body as string) as { command: string; args: string[] };
    expect({ command: body.command, first: body.args[0], rest: body.args.slice(2) }).toEqual({ command: 'sh', first: '-c', rest: ['cat', '-n'] });
    post.flush(JSON.stringify({ execution_id: 'exec-1' }));

    const socket = await vi.waitFor(() => FakeNodeSocket.last, { timeout: 2_000, interval: 1 });
    expect(socket.url).toBe('ws://runner.test/v1/boxes/box-1/executions/exec-1/attach');
    expect(socket.options?.headers).toEqual({ authorization: 'Bearer options-token' });
    socket.open();
    socket.binary([0x01, 0xe2, 0x82]);
    socket.binary([0x01, 0xac, 0x0a]);
    socket.binary([0x02, ...new TextEncoder().encode('warn\n')]);
    // The frames of one read leave in the microtask after the first (readBatch).
    await vi.waitFor(() => expect([run.status(), run.executionId(), run.stdout(), run.stderr()]).toEqual(['running', 'exec-1', '€\n', 'warn\n']), {
      timeout: 2_000,
      interval: 1,
    });

    socket.cut();
    const probe = await vi.waitFor(() => http.expectOne({ method: 'GET', url: STATUS_URL }), { timeout: 2_000, interval: 1 });
    expect(headersOf(probe, ['x-app', 'authorization'])).toEqual({ 'x-app': 'stamped', authorization: 'Bearer options-token' });
    probe.flush(JSON.stringify({ execution_id: 'exec-1', status: 'completed', exit_code: 3 }));

    const drain = await vi.waitFor(
      () => {
        expect(FakeNodeSocket.instances).toHaveLength(2);
        return FakeNodeSocket.last;
      },
      { timeout: 2_000, interval: 1 },
    );
    drain.open();
    drain.text(JSON.stringify({ type: 'exit', exit_code: 3 }));
    await vi.waitFor(() => expect(run.status()).toBe('exited'), { timeout: 2_000, interval: 1 });
    expect([run.exitCode(), run.stdout(), run.stderr(), run.error()]).toEqual([3, '€\n', 'warn\n', undefined]);

    const killed = vi.fn();
    TestBed.runInInjectionContext(() => injectBoxliteClient()).kill('box-1', 'exec-1').subscribe({ complete: killed });
    const kill = http.expectOne({ method: 'DELETE', url: STATUS_URL });
    expect(headersOf(kill, ['x-app'])).toEqual({ 'x-app': 'stamped' });
    kill.flush('', { status: 204, statusText: 'No Content' });
    await vi.waitFor(() => expect(killed).toHaveBeenCalledTimes(1), { timeout: 2_000, interval: 1 });

    expect(seen).toEqual([`POST ${EXEC_URL} boxlite=true`, `GET ${STATUS_URL} boxlite=true`, `DELETE ${STATUS_URL} boxlite=true`]);
    http.verify();
  });

  it('hands a non-2xx answer to the client, which reads its body into a typed error', async () => {
    const http = TestBed.inject(HttpTestingController);
    const run = execIn(TestBed.inject(EnvironmentInjector));
    http.expectOne(EXEC_URL).flush(JSON.stringify({ error: { code: 'not_found', message: 'box box-1 not found' } }), {
      status: 404,
      statusText: 'Not Found',
      headers: new HttpHeaders({ 'content-type': 'application/json' }),
    });

    await vi.waitFor(() => expect(run.status()).toBe('failed'), { timeout: 2_000, interval: 1 });
    const error = run.error();
    expect(isBoxliteHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'exec: box box-1 not found' });
    expect(FakeNodeSocket.instances).toEqual([]);
  });

  it("turns a request without an answer into BoxliteHttpError without a status, with Angular's message", async () => {
    const http = TestBed.inject(HttpTestingController);
    const run = execIn(TestBed.inject(EnvironmentInjector));
    // What the XHR backend reports when no answer came: a bare progress event.
    const report = new Event('error') as ProgressEvent;
    http.expectOne(EXEC_URL).error(report);

    await vi.waitFor(() => expect(run.status()).toBe('failed'), { timeout: 2_000, interval: 1 });
    const error = run.error();
    expect(isBoxliteHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: undefined, message: `POST ${EXEC_URL} failed: Http failure response for ${EXEC_URL}: 0`, cause: { cause: report } });
  });

  it('cancels the POST in HttpClient when the scope is destroyed', () => {
    const http = TestBed.inject(HttpTestingController);
    const scope = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const run = execIn(scope);
    const post = http.expectOne(EXEC_URL);
    expect(post.cancelled).toBe(false);

    scope.destroy();
    expect(post.cancelled).toBe(true);
    expect(run.status()).toBe('stopped');
    expect(FakeNodeSocket.instances).toEqual([]);
  });

  it('injectBoxliteClient names provideBoxliteClient when none is provided', () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideHttpClient()] });
    expect(() => TestBed.runInInjectionContext(() => injectBoxliteClient())).toThrow(
      'injectBoxliteClient: no BoxLite client here; add provideBoxliteClient(…) to the providers',
    );
  });
});
