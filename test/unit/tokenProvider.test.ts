import { lastValueFrom, type Observable } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRunnerClient, isRecoverableAttachFailure, isTokenProviderError, TokenProviderError } from '../../src/index.js';
import type { ExecEvent, FetchLike, TokenSource } from '../../src/index.js';
import { AttachRejectedError, BoxliteHttpError } from '../../src/errors.js';
import { attach, type AttachConfig } from '../../src/observables/attach.js';
import { restCall } from '../../src/client/rest.js';
import { resolveToken } from '../../src/transport/token.js';
import { FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const SECRET = 'tok-SECRET-42';
const URL_ = 'ws://runner.test/v1/boxes/box-1/executions/exec-1/attach';

function config(token: TokenSource, overrides: Partial<AttachConfig> = {}): AttachConfig {
  return {
    url: URL_,
    WebSocket: asConstructor(FakeNodeSocket),
    token,
    sendAuthHeader: true,
    idleTimeout: 'auto',
    connectTimeout: 30_000,
    ...overrides,
  };
}

/** The error `source` ends with (it must end with one). */
async function errorOf(source: Observable<unknown>): Promise<unknown> {
  return lastValueFrom(source).then(
    () => expect.unreachable('the observable completed'),
    (error: unknown) => error,
  );
}

/** A fetch that records calls and never answers (it rejects once aborted). */
function stuckFetch(): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push(url);
    return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
  };
  return { fetch, calls };
}

beforeEach(() => {
  FakeNodeSocket.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Providers that fail, each with the `failure` and message expected. */
const FAILING: readonly (readonly [string, () => unknown, TokenProviderError['failure'], string])[] = [
  ['throws', () => { throw new Error(`vault refused ${SECRET}`); }, 'threw', 'token provider threw (see cause)'],
  ['rejects', () => Promise.reject(new Error(`vault refused ${SECRET}`)), 'rejected', 'token provider rejected (see cause)'],
  ['returns a number', () => 42, 'unusable', 'token provider returned number, not a string'],
  ['returns undefined', () => undefined, 'unusable', 'token provider returned undefined, not a string'],
  ['resolves to null', () => Promise.resolve(null), 'unusable', 'token provider returned null, not a string'],
  ['returns an empty string', () => '', 'unusable', 'token provider returned an empty string'],
  ...[`${SECRET}\r\nX-Injected: 1`, `${SECRET}\n`, `${SECRET}\u0000`, `${SECRET}\u20ac`].map(
    (token) =>
      [
        `returns ${JSON.stringify(token)}`,
        () => Promise.resolve(token),
        'unusable',
        'token provider returned a token with a character an HTTP header may not hold (a control character such as CR or LF, or one above U+00FF)',
      ] as const,
  ),
  [' returns a token with an edge space', () => ` ${SECRET}`, 'unusable', 'token provider returned a token with leading or trailing whitespace'],
];

describe('resolveToken', () => {
  it.each(FAILING)('a provider that %s → TokenProviderError, the token nowhere in the message', async (_, provider, failure, message) => {
    const error = await errorOf(resolveToken(provider as () => string));
    expect(error).toBeInstanceOf(TokenProviderError);
    expect(isTokenProviderError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'TokenProviderError', failure, message });
    expect(String((error as Error).message)).not.toContain(SECRET);
    expect(String(error)).not.toContain(SECRET);
  });

  it("keeps the provider's own failure as cause", async () => {
    const boom = new Error('vault down');
    expect(await errorOf(resolveToken(() => { throw boom; }))).toMatchObject({ cause: boom });
    expect(await errorOf(resolveToken(() => Promise.reject(boom)))).toMatchObject({ cause: boom });
  });

  it('accepts any token a header can carry, Latin-1 and inner spaces included', async () => {
    for (const token of ['abc', 'eyJhbGciOi.J9.x-_~+/=', 'caf\u00e9', 'a b\tc']) {
      expect(await lastValueFrom(resolveToken(() => Promise.resolve(token)))).toBe(token);
    }
  });

  it('a synchronous failure is synchronous (virtual time can drive it)', () => {
    let seen: unknown;
    resolveToken(() => '').subscribe({ error: (error: unknown) => (seen = error) });
    expect(isTokenProviderError(seen)).toBe(true);
  });
});

describe('attach: token provider failures', () => {
  it.each(FAILING)('a provider that %s → TokenProviderError, no socket opened', async (_, provider, failure) => {
    const error = await errorOf(attach(config(provider as () => string)));
    expect(error).toMatchObject({ name: 'TokenProviderError', failure });
    expect(String(error)).not.toContain(SECRET);
    expect(FakeNodeSocket.instances).toEqual([]);
  });

  it('a provider that never answers → TokenProviderError at connectTimeout, no socket opened', () => {
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(attach(config(() => new Promise<string>(() => undefined), { connectTimeout: 100 }))).toBe(
        '100ms #',
        undefined,
        new TokenProviderError('token provider did not answer within 100 ms', 'timeout'),
      );
    });
    expect(FakeNodeSocket.instances).toEqual([]);
  });

  it('the provider and the upgrade share one budget, from subscription to open', async () => {
    vi.useFakeTimers();
    const provider = (): Promise<string> => new Promise((resolve) => setTimeout(() => resolve(SECRET), 60));
    let seen: unknown;
    attach(config(provider, { connectTimeout: 100 })).subscribe({ error: (error: unknown) => (seen = error) });
    await vi.advanceTimersByTimeAsync(60);
    expect(FakeNodeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(39);
    expect(seen).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(new AttachRejectedError('attach: no upgrade within 100 ms', undefined));
    expect(FakeNodeSocket.last.terminated).toBe(true);
  });

  it('an open socket stops the budget', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => FakeNodeSocket.last.open(), 99);
      expectObservable(attach(config(() => SECRET, { connectTimeout: 100, idleTimeout: false })), '^ 1000ms !').toBe('');
    });
  });

  it('does not ask the provider when no Authorization header is sent', () => {
    let asked = 0;
    attach(config(() => `t${++asked}`, { sendAuthHeader: false })).subscribe();
    expect(asked).toBe(0);
    expect(FakeNodeSocket.last.options?.headers).toBeUndefined();
  });

  it('is a recoverable attach failure: the probe and the reconnect follow', () => {
    for (const failure of ['threw', 'rejected', 'unusable', 'timeout'] as const) {
      expect(isRecoverableAttachFailure(new TokenProviderError('x', failure))).toBe(true);
    }
    expect(isRecoverableAttachFailure(Object.assign(new Error('x'), { name: 'TokenProviderError' }))).toBe(true);
  });
});

describe('REST calls: token provider failures', () => {
  const http = (token: TokenSource, fetch: FetchLike) => ({ token, fetch });

  it.each(FAILING)('a provider that %s → TokenProviderError, no request sent', async (_, provider, failure) => {
    const { fetch, calls } = stuckFetch();
    const error = await errorOf(restCall(http(provider as () => string, fetch), 'kill', 'DELETE', 'http://runner.test/x', 1000));
    expect(error).toMatchObject({ name: 'TokenProviderError', failure });
    expect(String(error)).not.toContain(SECRET);
    expect(calls).toEqual([]);
  });

  it('a provider that never answers → TokenProviderError at the request timeout, no request sent', () => {
    const { fetch, calls } = stuckFetch();
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(restCall(http(() => new Promise<string>(() => undefined), fetch), 'kill', 'DELETE', 'http://runner.test/x', 250)).toBe(
        '250ms #',
        undefined,
        new TokenProviderError('token provider did not answer within 250 ms', 'timeout'),
      );
    });
    expect(calls).toEqual([]);
  });

  it('a token that came but no answer → BoxliteHttpError at the request timeout', () => {
    const { fetch, calls } = stuckFetch();
    createTestScheduler().run(({ expectObservable }) => {
      expectObservable(restCall(http(() => SECRET, fetch), 'kill', 'DELETE', 'http://runner.test/x', 250)).toBe(
        '250ms #',
        undefined,
        new BoxliteHttpError('kill: no answer within 250 ms', undefined),
      );
    });
    expect(calls).toEqual(['http://runner.test/x']);
  });

  it('exec ends with TokenProviderError when the provider fails on POST /exec', async () => {
    const { fetch, calls } = stuckFetch();
    const client = createRunnerClient({ baseUrl: 'http://runner.test', token: () => Promise.reject(new Error(SECRET)), fetch });
    const error = await errorOf(client.exec('box', { command: 'true' }) as Observable<ExecEvent>);
    expect(error).toMatchObject({ name: 'TokenProviderError', failure: 'rejected', message: 'token provider rejected (see cause)' });
    expect(calls).toEqual([]);
  });

  it('the probe reads a failing provider as unavailable, and sends nothing', async () => {
    const { fetch, calls } = stuckFetch();
    const client = createRunnerClient({ baseUrl: 'http://runner.test', token: () => '', fetch });
    expect(await lastValueFrom(client.probe('box', 'exec-1'))).toEqual({ state: 'unavailable', reason: 'token provider returned an empty string' });
    expect(calls).toEqual([]);
  });

  it('unsubscribing while the provider thinks sends nothing later', async () => {
    const { fetch, calls } = stuckFetch();
    let answer: (token: string) => void = () => undefined;
    const provider = (): Promise<string> => new Promise((resolve) => (answer = resolve));
    restCall(http(provider, fetch), 'kill', 'DELETE', 'http://runner.test/x', 1000).subscribe().unsubscribe();
    answer(SECRET);
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual([]);
  });
});
