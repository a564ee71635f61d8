import { describe, expect, it } from 'vitest';
import { resolveOptions, type RunnerClientOptions } from '../../src/client/options.js';
import { DEFAULT_RING_BYTES } from '../../src/delivery/replayCursor.js';
import { ShapeFinding } from '../../src/delivery/shapeFinding.js';
import type { ConflictBackoff } from '../../src/observables/reattach.js';
import type { ReconnectConfig } from '../../src/operators/reconnectWithBackoff.js';
import type { FetchLike } from '../../src/transport/http.js';
import type { WebSocketConstructor } from '../../src/transport/webSocket.js';

function thrown(options: unknown): Error {
  try {
    resolveOptions(options as RunnerClientOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolveOptions did not throw');
}

const base = { baseUrl: 'http://127.0.0.1:8080' };

describe('resolveOptions: defaults', () => {
  it('fills in every default and adds no optional keys', () => {
    const resolved = resolveOptions(base);
    expect(resolved).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      webSocketAuth: 'header',
      probeTimeout: 5000,
      requestTimeout: 30_000,
      connectTimeout: 30_000,
      idleTimeout: 'auto',
      drainTimeout: 60_000,
      drainSettle: 5000,
      drainingWait: 60_000,
      reconnect: { initialDelay: 15_000, maxDelay: 30_000, budget: 270_000, healthyAfter: 1000 },
      refused: { initialDelay: 50, maxDelay: 2000 },
      ringBytes: 262_144,
      replayShape: 'auto',
      shapes: new ShapeFinding(),
      exitReason: false,
      preconnect: true,
      keepLossMarkers: false,
      startGate: true,
    });
    expect(DEFAULT_RING_BYTES).toBe(256 * 1024);
    for (const key of ['token', 'pathPrefix', 'fetch', 'WebSocket', 'conflictBackoff']) expect(key in resolved).toBe(false);
  });

  it('keeps every given option', () => {
    const fetch: FetchLike = () => Promise.reject(new Error('unused'));
    const WebSocket = class {} as unknown as WebSocketConstructor;
    const token = (): string => 't';
    const resolved = resolveOptions({
      baseUrl: 'https://api.boxlite.ai/api/',
      token,
      pathPrefix: 'org/t',
      fetch,
      WebSocket,
      webSocketAuth: 'none',
      probeTimeout: 1,
      requestTimeout: 2,
      connectTimeout: 3,
      idleTimeout: 45_000,
      drainTimeout: 4,
      drainSettle: 7,
      drainingWait: 8,
      conflictBackoff: { initialDelay: 10 },
      reconnect: { budget: 1000 },
      ringBytes: 1,
      replayShape: 'chunks',
      maxPayload: 6,
      exitReason: true,
      preconnect: false,
      keepLossMarkers: true,
      startGate: false,
    });
    expect(resolved).toEqual({
      baseUrl: 'https://api.boxlite.ai/api/',
      token,
      pathPrefix: 'org/t',
      fetch,
      WebSocket,
      webSocketAuth: 'none',
      probeTimeout: 1,
      requestTimeout: 2,
      connectTimeout: 3,
      idleTimeout: 45_000,
      drainTimeout: 4,
      drainSettle: 7,
      drainingWait: 8,
      conflictBackoff: { initialDelay: 10 },
      reconnect: { initialDelay: 15_000, maxDelay: 30_000, budget: 1000, healthyAfter: 1000 },
      refused: { initialDelay: 10, maxDelay: 2000 },
      ringBytes: 1,
      replayShape: 'chunks',
      maxPayload: 6,
      exitReason: true,
      preconnect: false,
      keepLossMarkers: true,
      startGate: false,
    });
    expect(resolved.fetch).toBe(fetch);
    expect(resolved.token).toBe(token);
  });

  it('accepts a string token, idleTimeout false, an empty pathPrefix and fractional timeouts', () => {
    const resolved = resolveOptions({ ...base, token: 'abc', idleTimeout: false, pathPrefix: '', probeTimeout: 0.5 });
    expect(resolved.token).toBe('abc');
    expect(resolved.idleTimeout).toBe(false);
    expect(resolved.pathPrefix).toBe('');
    expect(resolved.probeTimeout).toBe(0.5);
  });

  it.each(['http://h', 'https://h:8443/api', 'HTTP://H/x/'])('accepts baseUrl %j', (baseUrl) => {
    expect(resolveOptions({ baseUrl }).baseUrl).toBe(baseUrl);
  });
});

describe('resolveOptions: validation', () => {
  it.each([[null], [undefined], ['http://h'], [42]])('rejects options %j', (options) => {
    const error = thrown(options);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('createRunnerClient: options must be an object');
  });

  it.each([[undefined], [''], ['/v1'], ['not a url'], [42]])('rejects baseUrl %j', (baseUrl) => {
    const error = thrown({ baseUrl });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('baseUrl must be an absolute http(s) URL');
  });

  it.each([['ftp://h', 'ftp:'], ['ws://h', 'ws:'], ['file:///tmp', 'file:'], ['localhost:8080', 'localhost:']])('rejects baseUrl scheme %j', (baseUrl, scheme) => {
    const error = thrown({ baseUrl });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`createRunnerClient: baseUrl must use http or https, got ${scheme}`);
  });

  it.each(['http://h/api?x=1', 'http://h/#frag', 'http://user:pw@h', 'http://user@h'])(
    'rejects baseUrl %j with a query, fragment or credentials',
    (baseUrl) => {
      const error = thrown({ baseUrl });
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('createRunnerClient: baseUrl must not carry a query, a fragment or credentials (use `token`)');
    },
  );

  // URL#search and URL#hash are '' for a bare `?` or `#`, yet the paths would land inside them.
  it.each(['http://h/api?', 'http://h/api#'])('rejects baseUrl %j with an empty query or fragment', (baseUrl) => {
    expect(thrown({ baseUrl })).toBeInstanceOf(TypeError);
  });

  it.each([[42], [{}], [true], [null]])('rejects token %j', (token) => {
    const error = thrown({ ...base, token });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createRunnerClient: token must be a string or a function returning one');
  });

  it('rejects an empty token', () => {
    const error = thrown({ ...base, token: '' });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createRunnerClient: token must not be empty');
  });

  it.each([[42], [null], [['a']]])('rejects pathPrefix %j', (pathPrefix) => {
    const error = thrown({ ...base, pathPrefix });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createRunnerClient: pathPrefix must be a string');
  });

  it.each([['cookie'], ['Header'], [true], [null]])('rejects webSocketAuth %j', (webSocketAuth) => {
    const error = thrown({ ...base, webSocketAuth });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`createRunnerClient: webSocketAuth must be 'header' or 'none', got ${String(webSocketAuth)}`);
  });

  describe.each(['probeTimeout', 'requestTimeout', 'connectTimeout', 'drainTimeout', 'drainSettle', 'idleTimeout'])('%s', (name) => {
    it.each([
      [0, '0'],
      [-1, '-1'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [2_147_483_648, '2147483648'],
      ['100', '100'],
      [null, 'null'],
    ])('rejects %j with a RangeError naming it', (value, shown) => {
      const error = thrown({ ...base, [name]: value });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.name).toBe('RangeError');
      expect(error.message).toBe(`createRunnerClient: ${name} must be a positive number of milliseconds up to 2147483647, got ${shown}`);
    });
  });

  it.each([['lines'], ['Ring'], [true], [null]])('rejects replayShape %j with a TypeError naming it', (replayShape) => {
    const error = thrown({ ...base, replayShape });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`createRunnerClient: replayShape must be 'auto', 'ring' or 'chunks', got ${String(replayShape)}`);
  });

  it.each([['yes'], [1], [null]])('rejects exitReason %j with a TypeError naming it', (exitReason) => {
    const error = thrown({ ...base, exitReason });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`createRunnerClient: exitReason must be a boolean, got ${String(exitReason)}`);
  });

  it.each([['no'], [0], [null]])('rejects preconnect %j with a TypeError naming it', (preconnect) => {
    const error = thrown({ ...base, preconnect });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`createRunnerClient: preconnect must be a boolean, got ${String(preconnect)}`);
  });

  it('rejects idleTimeout true', () => {
    expect(thrown({ ...base, idleTimeout: true })).toBeInstanceOf(RangeError);
  });

  it.each([
    [0, '0'],
    [-5, '-5'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    ['1024', '1024'],
    [null, 'null'],
  ])('rejects ringBytes and maxPayload %j', (value, shown) => {
    for (const name of ['ringBytes', 'maxPayload']) {
      const error = thrown({ ...base, [name]: value });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(`createRunnerClient: ${name} must be a positive integer number of bytes, got ${shown}`);
    }
  });

  it.each([
    ['fetch', 42],
    ['WebSocket', 'ws'],
    ['conflictBackoff', { initialDelay: -1 }],
    ['reconnect', { initialDelay: -1 }],
  ])('rejects a bad %s up front, naming it', (name, value) => {
    const error = thrown({ ...base, [name]: value });
    expect(error.message).toContain(name);
  });
});

/** A valid value for every option: the compiler fails this table when an option is added to the interface and not here. */
const everyOption = {
  baseUrl: 'http://127.0.0.1:8080',
  token: 't',
  pathPrefix: 'org',
  fetch: () => Promise.reject(new Error('unused')),
  WebSocket: class {} as unknown as WebSocketConstructor,
  webSocketAuth: 'none',
  probeTimeout: 1,
  requestTimeout: 1,
  connectTimeout: 1,
  idleTimeout: false,
  drainTimeout: 1,
  drainSettle: 1,
  drainingWait: false,
  conflictBackoff: { initialDelay: 0, maxDelay: 0, deadline: 0 } satisfies Required<ConflictBackoff>,
  reconnect: { initialDelay: 0, maxDelay: 0, budget: 0, healthyAfter: 0 } satisfies Required<ReconnectConfig>,
  preconnect: false,
  ringBytes: 1,
  replayShape: 'chunks',
  maxPayload: 1,
  exitReason: true,
  keepLossMarkers: true,
  startGate: false,
} as const satisfies Required<RunnerClientOptions>;

describe('resolveOptions: unknown keys', () => {
  it('accepts every documented option, alone and all together, nested ones included', () => {
    expect(resolveOptions(everyOption)).toMatchObject({ conflictBackoff: everyOption.conflictBackoff, reconnect: everyOption.reconnect });
    for (const [key, value] of Object.entries(everyOption)) expect(() => resolveOptions({ ...base, [key]: value })).not.toThrow();
  });

  it.each([
    [{ replyShape: 'chunks' }, 'createRunnerClient: unknown option replyShape'],
    [{ baseURL: 'http://h' }, 'createRunnerClient: unknown option baseURL'],
    [{ websocket: 'ws' }, 'createRunnerClient: unknown option websocket'],
    [{ retries: 3 }, 'createRunnerClient: unknown option retries'],
    [{ reconnect: { budgett: 1000 } }, 'createRunnerClient: unknown option reconnect.budgett'],
    [{ reconnect: { retries: 3 } }, 'createRunnerClient: unknown option reconnect.retries'],
    [{ reconnect: { deadline: 1000 } }, 'createRunnerClient: unknown option reconnect.deadline'],
    [{ conflictBackoff: { maxdelay: 10 } }, 'createRunnerClient: unknown option conflictBackoff.maxdelay'],
    [{ conflictBackoff: { budget: 1000 } }, 'createRunnerClient: unknown option conflictBackoff.budget'],
  ])('rejects %j with a TypeError naming it', (extra, message) => {
    const error = thrown({ ...base, ...extra });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
  });

  it('checks the keys before the values: a misspelled key is named even beside a bad value', () => {
    expect(thrown({ ...base, probeTimeout: -1, replyShape: 'ring' }).message).toBe(
      'createRunnerClient: unknown option replyShape',
    );
  });

  it.each([
    ['reconnect', 'initialDelay'],
    ['reconnect', 'maxDelay'],
    ['reconnect', 'budget'],
    ['reconnect', 'healthyAfter'],
    ['conflictBackoff', 'initialDelay'],
    ['conflictBackoff', 'maxDelay'],
    ['conflictBackoff', 'deadline'],
  ])('rejects a negative %s.%s with a RangeError naming it', (name, key) => {
    const error = thrown({ ...base, [name]: { [key]: -1 } });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(`createRunnerClient: ${name}.${key} must be a number of milliseconds >= 0 up to 2147483647, got -1`);
  });

  it.each([['reconnect'], ['conflictBackoff']])('rejects a %s whose maxDelay is below its initialDelay, or that is not an object', (name) => {
    const error = thrown({ ...base, [name]: { initialDelay: 100, maxDelay: 50 } });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(`createRunnerClient: ${name}.maxDelay must be >= ${name}.initialDelay (100), got 50`);
    const notObject = thrown({ ...base, [name]: 5 });
    expect(notObject).toBeInstanceOf(TypeError);
    expect(notObject.message).toBe(`createRunnerClient: ${name} must be an object`);
  });
});
