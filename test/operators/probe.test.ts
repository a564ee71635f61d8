import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { probe, type ProbeResult } from '../../src/observables/probe.js';
import type { FetchLike, HttpTransport } from '../../src/transport/http.js';
import type { TokenSource } from '../../src/transport/token.js';
import { createTestScheduler } from '../support/marbleHarness.js';

type FetchInit = Parameters<FetchLike>[1];
type FetchAnswer = Awaited<ReturnType<FetchLike>>;

const URL_ = 'http://h/v1/boxes/b/executions/e';

function answer(status: number, body: string, statusText = ''): FetchAnswer {
  return { status, statusText, text: () => Promise.resolve(body) };
}

interface FakeFetch {
  readonly fetch: FetchLike;
  readonly calls: { url: string; init: FetchInit }[];
  /** Resolves when the fetch is first called. */
  readonly called: Promise<void>;
}

function fakeFetch(reply: (url: string, init: FetchInit) => Promise<FetchAnswer>): FakeFetch {
  const calls: { url: string; init: FetchInit }[] = [];
  let onCall: () => void = () => undefined;
  const called = new Promise<void>((resolve) => {
    onCall = resolve;
  });
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, init });
    onCall();
    return reply(url, init);
  };
  return { fetch, calls, called };
}

const never = (): Promise<FetchAnswer> => new Promise<FetchAnswer>(() => undefined);

function transport(fetch: FetchLike, token: TokenSource = 'tok'): HttpTransport {
  return { fetch, token };
}

/** Runs one probe against a fetch that answers at once; returns every emitted value. */
async function probeAll(reply: FetchAnswer | Error, token: TokenSource = 'tok'): Promise<ProbeResult[]> {
  const fake = fakeFetch(() => (reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply)));
  return lastValueFrom(probe({ http: transport(fake.fetch, token), url: URL_, timeout: 5000 }).pipe(toArray()));
}

const info = (fields: Record<string, unknown>): string => JSON.stringify({ execution_id: 'e', ...fields });

describe('probe: 200 answers', () => {
  it('running → running', async () => {
    expect(await probeAll(answer(200, info({ status: 'running' })))).toEqual([{ state: 'running' }]);
  });

  it('running ignores an exit_code and extra fields', async () => {
    const body = info({ status: 'running', exit_code: 0, started_at: 'x', attached: true });
    expect(await probeAll(answer(200, body))).toEqual([{ state: 'running' }]);
  });

  it.each([
    ['completed', 0],
    ['completed', 1],
    ['killed', 137],
    ['timed_out', 124],
    ['completed', -1],
  ])('%s with exit_code %i → terminal', async (status, exitCode) => {
    const results = await probeAll(answer(200, info({ status, exit_code: exitCode, duration_ms: 12 })));
    expect(results).toEqual([{ state: 'terminal', status, exitCode }]);
    expect('message' in (results[0] ?? {})).toBe(false);
  });

  it('carries error_message on a terminal status with an exit code', async () => {
    expect(await probeAll(answer(200, info({ status: 'timed_out', exit_code: 124, error_message: 'deadline' })))).toEqual([
      { state: 'terminal', status: 'timed_out', exitCode: 124, message: 'deadline' },
    ]);
  });

  it('drops an empty error_message', async () => {
    const [result] = await probeAll(answer(200, info({ status: 'completed', exit_code: 2, error_message: '' })));
    expect(result).toEqual({ state: 'terminal', status: 'completed', exitCode: 2 });
    expect('message' in (result ?? {})).toBe(false);
  });

  it('completed without exit_code → exit code -1 and a message', async () => {
    expect(await probeAll(answer(200, info({ status: 'completed' })))).toEqual([
      { state: 'terminal', status: 'completed', exitCode: -1, message: 'status completed without an exit code' },
    ]);
  });

  it('killed without exit_code, with an error_message → -1 and both in the message', async () => {
    expect(await probeAll(answer(200, info({ status: 'killed', error_message: 'OOM' })))).toEqual([
      { state: 'terminal', status: 'killed', exitCode: -1, message: 'status killed without an exit code: OOM' },
    ]);
  });

  it.each([[null], ['0'], [1.5], [true]])('exit_code %j is not an exit code → -1', async (exitCode) => {
    expect(await probeAll(answer(200, info({ status: 'completed', exit_code: exitCode })))).toEqual([
      { state: 'terminal', status: 'completed', exitCode: -1, message: 'status completed without an exit code' },
    ]);
  });

  it.each([
    ['paused', 'unknown execution status "paused"'],
    ['Completed', 'unknown execution status "Completed"'],
    [42, 'unknown execution status 42'],
    [null, 'unknown execution status null'],
  ])('unknown status %j → unavailable', async (status, reason) => {
    expect(await probeAll(answer(200, info({ status, exit_code: 0 })))).toEqual([{ state: 'unavailable', status: 200, reason }]);
  });

  it('missing status → unavailable', async () => {
    expect(await probeAll(answer(200, info({ exit_code: 0 })))).toEqual([
      { state: 'unavailable', status: 200, reason: 'unknown execution status undefined' },
    ]);
  });

  it.each(['OK', '', '<html></html>', 'null', '"completed"', '42', '{"status":'])('non-object body %j → unavailable', async (body) => {
    expect(await probeAll(answer(200, body))).toEqual([
      { state: 'unavailable', status: 200, reason: 'status body is not a JSON object' },
    ]);
  });
});

describe('probe: error answers', () => {
  it('404 (runner body) → gone with the server message', async () => {
    expect(await probeAll(answer(404, '{"error":"execution e not found"}', 'Not Found'))).toEqual([
      { state: 'gone', message: 'execution e not found' },
    ]);
  });

  it('404 (boxlite serve body) → gone', async () => {
    const body = '{"error":{"message":"session reaped","type":"x","code":"session_reaped"}}';
    expect(await probeAll(answer(404, body))).toEqual([{ state: 'gone', message: 'session reaped' }]);
  });

  it('404 with an empty body → gone', async () => {
    expect(await probeAll(answer(404, '', 'Not Found'))).toEqual([{ state: 'gone', message: 'HTTP 404' }]);
  });

  it('401 (auth middleware body) → unavailable', async () => {
    const body = '{"statusCode":401,"message":"Invalid API key","code":"UNAUTHORIZED"}';
    expect(await probeAll(answer(401, body, 'Unauthorized'))).toEqual([
      { state: 'unavailable', status: 401, reason: 'Invalid API key' },
    ]);
  });

  it('403 with an empty body → unavailable', async () => {
    expect(await probeAll(answer(403, '', 'Forbidden'))).toEqual([
      { state: 'unavailable', status: 403, reason: 'HTTP 403 Forbidden' },
    ]);
  });

  it('500 → unavailable', async () => {
    expect(await probeAll(answer(500, '{"error":"internal"}', 'Internal Server Error'))).toEqual([
      { state: 'unavailable', status: 500, reason: 'internal' },
    ]);
  });

  it.each([
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Gateway Timeout'],
  ])('%i with an HTML page → unavailable', async (status, text) => {
    const html = `<html><body><h1>${status} ${text}</h1></body></html>`;
    expect(await probeAll(answer(status, html, text))).toEqual([
      { state: 'unavailable', status, reason: `HTTP ${status} ${text}` },
    ]);
  });

  it('a 2xx other than 200 → unavailable', async () => {
    expect(await probeAll(answer(204, '', 'No Content'))).toEqual([
      { state: 'unavailable', status: 204, reason: 'HTTP 204 No Content' },
    ]);
  });

  it('a network error (rejected fetch) → unavailable without a status', async () => {
    const results = await probeAll(new TypeError('fetch failed'));
    expect(results).toEqual([{ state: 'unavailable', reason: `GET ${URL_} failed: fetch failed` }]);
    expect('status' in (results[0] ?? {})).toBe(false);
  });

  it('a network error shows the code node puts in its cause', async () => {
    const failure = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(await probeAll(failure)).toEqual([{ state: 'unavailable', reason: `GET ${URL_} failed: fetch failed (ECONNREFUSED)` }]);
  });

  it('a rejection that is not an Error → unavailable', async () => {
    const fake = fakeFetch(() => Promise.reject('plain string'));
    expect(await lastValueFrom(probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 }).pipe(toArray()))).toEqual([
      { state: 'unavailable', reason: `GET ${URL_} failed: plain string` },
    ]);
  });

  it('a body that cannot be read → unavailable', async () => {
    const broken: FetchAnswer = { status: 200, statusText: 'OK', text: () => Promise.reject(new Error('socket hang up')) };
    expect(await probeAll(broken)).toEqual([{ state: 'unavailable', reason: `GET ${URL_} failed: socket hang up` }]);
  });

  it('a fetch that throws synchronously → unavailable', async () => {
    const fetch: FetchLike = () => {
      throw new Error('bad url');
    };
    const results = await lastValueFrom(probe({ http: transport(fetch), url: URL_, timeout: 5000 }).pipe(toArray()));
    expect(results).toEqual([{ state: 'unavailable', reason: `GET ${URL_} failed: bad url` }]);
  });
});

describe('probe: request and auth', () => {
  it('sends GET to the url with accept and authorization headers and no body', async () => {
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    await lastValueFrom(probe({ http: transport(fake.fetch, 'secret'), url: URL_, timeout: 5000 }));
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0];
    expect(call?.url).toBe(URL_);
    expect(call?.init.method).toBe('GET');
    expect(call?.init.headers).toEqual({ accept: 'application/json', authorization: 'Bearer secret' });
    expect('body' in (call?.init ?? {})).toBe(false);
    expect(call?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends no authorization header without a token', async () => {
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    await lastValueFrom(probe({ http: { fetch: fake.fetch, token: undefined }, url: URL_, timeout: 5000 }));
    expect(fake.calls[0]?.init.headers).toEqual({ accept: 'application/json' });
  });

  it('asks the (async) token provider once per probe and sends the fresh token', async () => {
    let asked = 0;
    const token = (): Promise<string> => Promise.resolve(`tok-${++asked}`);
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    const probe$ = probe({ http: transport(fake.fetch, token), url: URL_, timeout: 5000 });
    expect(asked).toBe(0);
    await lastValueFrom(probe$);
    expect(asked).toBe(1);
    await lastValueFrom(probe$);
    await lastValueFrom(probe$);
    expect(asked).toBe(3);
    expect(fake.calls.map((call) => call.init.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-3']);
  });

  it('accepts a sync token provider', async () => {
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    await lastValueFrom(probe({ http: transport(fake.fetch, () => 'sync'), url: URL_, timeout: 5000 }));
    expect(fake.calls[0]?.init.headers['authorization']).toBe('Bearer sync');
  });

  it('a token provider that fails → unavailable, and fetch is not called', async () => {
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    const failing = (): Promise<string> => Promise.reject(new Error('vault down'));
    expect(await lastValueFrom(probe({ http: transport(fake.fetch, failing), url: URL_, timeout: 5000 }).pipe(toArray()))).toEqual([
      { state: 'unavailable', reason: 'token provider rejected (see cause)' },
    ]);
    const empty = (): string => '';
    expect(await lastValueFrom(probe({ http: transport(fake.fetch, empty), url: URL_, timeout: 5000 }).pipe(toArray()))).toEqual([
      { state: 'unavailable', reason: 'token provider returned an empty string' },
    ]);
    expect(fake.calls).toHaveLength(0);
  });

  it('is cold: nothing is fetched before subscribing', async () => {
    const fake = fakeFetch(() => Promise.resolve(answer(200, info({ status: 'running' }))));
    probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 });
    await Promise.resolve();
    await Promise.resolve();
    expect(fake.calls).toHaveLength(0);
  });
});

describe('probe: cancellation', () => {
  it('unsubscribing aborts the fetch signal and emits nothing', async () => {
    const fake = fakeFetch((_url, init) => new Promise<FetchAnswer>((_resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    }));
    const seen: unknown[] = [];
    const subscription = probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 }).subscribe({
      next: (value) => seen.push(value),
      error: (error: unknown) => seen.push(error),
      complete: () => seen.push('complete'),
    });
    await fake.called;
    const signal = fake.calls[0]?.init.signal;
    expect(signal?.aborted).toBe(false);
    subscription.unsubscribe();
    expect(signal?.aborted).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([]);
  });
});

describe('probe: timeout (virtual time)', () => {
  it('a fetch that never answers → unavailable at exactly 5000 ms', () => {
    const fake = fakeFetch(never);
    createTestScheduler('exact').run(({ expectObservable }) => {
      expectObservable(probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 })).toBe('5000ms (u|)', {
        u: { state: 'unavailable', reason: 'status request timed out after 5000 ms' },
      });
    });
  });

  it('uses the configured timeout', () => {
    const fake = fakeFetch(never);
    createTestScheduler('exact').run(({ expectObservable }) => {
      expectObservable(probe({ http: transport(fake.fetch), url: URL_, timeout: 1234 })).toBe('1234ms (u|)', {
        u: { state: 'unavailable', reason: 'status request timed out after 1234 ms' },
      });
    });
  });

  it('a token provider that never answers also times out', () => {
    const fake = fakeFetch(never);
    const stuck = (): Promise<string> => new Promise<string>(() => undefined);
    createTestScheduler('exact').run(({ expectObservable }) => {
      expectObservable(probe({ http: transport(fake.fetch, stuck), url: URL_, timeout: 5000 })).toBe('5000ms (u|)', {
        u: { state: 'unavailable', reason: 'status request timed out after 5000 ms' },
      });
    });
    expect(fake.calls).toHaveLength(0);
  });

  it('an early unsubscribe leaves no timeout behind', () => {
    const fake = fakeFetch(never);
    createTestScheduler('exact').run(({ expectObservable }) => {
      expectObservable(probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 }), '4999ms !').toBe('');
    });
  });

  it('the timed-out request is aborted', async () => {
    const fake = fakeFetch(never);
    createTestScheduler('exact').run(({ expectObservable }) => {
      expectObservable(probe({ http: transport(fake.fetch), url: URL_, timeout: 5000 })).toBe('5000ms (u|)', {
        u: { state: 'unavailable', reason: 'status request timed out after 5000 ms' },
      });
    });
    await fake.called;
    expect(fake.calls[0]?.init.signal.aborted).toBe(true);
  });
});
