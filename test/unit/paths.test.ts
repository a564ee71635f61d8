import { describe, expect, it } from 'vitest';
import {
  assertId,
  assertIds,
  attachUrl,
  boxUrl,
  encodeSegment,
  executionUrl,
  type EndpointBase,
} from '../../src/protocol/paths.js';

const local: EndpointBase = { baseUrl: 'http://127.0.0.1:8080' };

/** The path segments after `/boxes/`, as a URL parser (fetch, ws) sees them. */
function segmentsAfterBoxes(url: string): string[] {
  const { pathname } = new URL(url);
  const parts = pathname.split('/');
  return parts.slice(parts.indexOf('boxes'));
}

const awkwardIds = [
  'a/b',
  '../x',
  '../../etc/passwd',
  'x?y=1',
  'x#frag',
  '100%',
  '%2F',
  '%2e%2e',
  'with space',
  'tab\tnew\nline',
  'ünïcødé',
  '日本語',
  '😀',
  '+&=;,:@$',
  '\\back',
  '...',
  'a.b',
];

describe('encodeSegment', () => {
  it.each([
    ['a/b', 'a%2Fb'],
    ['x?y', 'x%3Fy'],
    ['x#y', 'x%23y'],
    ['100%', '100%25'],
    ['with space', 'with%20space'],
    ['ü', '%C3%BC'],
    ['😀', '%F0%9F%98%80'],
    ['...', '...'],
    ['plain-id_1.2~', 'plain-id_1.2~'],
  ])('%j → %j', (id, encoded) => {
    expect(encodeSegment(id)).toBe(encoded);
  });

  it.each(awkwardIds)('%j decodes back to itself and holds no slash', (id) => {
    const encoded = encodeSegment(id);
    expect(encoded).not.toContain('/');
    expect(encoded).not.toContain('?');
    expect(encoded).not.toContain('#');
    expect(decodeURIComponent(encoded)).toBe(id);
  });
});

describe('boxUrl / executionUrl', () => {
  it('builds the local REST URLs', () => {
    expect(boxUrl(local, 'box-1', '/exec')).toBe('http://127.0.0.1:8080/v1/boxes/box-1/exec');
    expect(executionUrl(local, 'box-1', 'exec-9')).toBe('http://127.0.0.1:8080/v1/boxes/box-1/executions/exec-9');
    expect(executionUrl(local, 'box-1', 'exec-9', '/signal')).toBe(
      'http://127.0.0.1:8080/v1/boxes/box-1/executions/exec-9/signal',
    );
  });

  it('keeps a path in baseUrl (cloud /api)', () => {
    expect(boxUrl({ baseUrl: 'https://api.boxlite.ai/api' }, 'b', '/exec')).toBe('https://api.boxlite.ai/api/v1/boxes/b/exec');
  });

  it.each(['http://h/api/', 'http://h/api//', 'http://h/api///'])('strips trailing slashes of %j', (baseUrl) => {
    expect(boxUrl({ baseUrl }, 'b', '/exec')).toBe('http://h/api/v1/boxes/b/exec');
  });

  it('strips the trailing slash of a bare origin', () => {
    expect(boxUrl({ baseUrl: 'http://h/' }, 'b', '')).toBe('http://h/v1/boxes/b');
  });

  it.each([
    ['tenant', '/v1/tenant/boxes/b'],
    ['/tenant', '/v1/tenant/boxes/b'],
    ['tenant/', '/v1/tenant/boxes/b'],
    ['/org/tenant/', '/v1/org/tenant/boxes/b'],
    ['org//tenant', '/v1/org/tenant/boxes/b'],
    ['', '/v1/boxes/b'],
    ['/', '/v1/boxes/b'],
    ['a b/ü', '/v1/a%20b/%C3%BC/boxes/b'],
    ['x?y#z', '/v1/x%3Fy%23z/boxes/b'],
  ])('pathPrefix %j gives %s', (pathPrefix, path) => {
    expect(boxUrl({ baseUrl: 'http://h', pathPrefix }, 'b', '')).toBe(`http://h${path}`);
  });

  it('treats an undefined pathPrefix as none', () => {
    expect(boxUrl({ baseUrl: 'http://h', pathPrefix: undefined }, 'b', '')).toBe('http://h/v1/boxes/b');
  });

  it.each(awkwardIds)('box id %j stays one segment of the parsed URL', (id) => {
    const url = executionUrl({ baseUrl: 'https://h/api/', pathPrefix: 't' }, id, 'e', '/signal');
    const parsed = new URL(url);
    expect(parsed.search).toBe('');
    expect(parsed.hash).toBe('');
    const segments = segmentsAfterBoxes(url);
    expect(segments).toHaveLength(5);
    expect(segments[0]).toBe('boxes');
    expect(decodeURIComponent(segments[1] ?? '')).toBe(id);
    expect(segments.slice(2)).toEqual(['executions', 'e', 'signal']);
    expect(parsed.pathname.startsWith('/api/v1/t/boxes/')).toBe(true);
  });

  it.each(awkwardIds)('execution id %j stays one segment of the parsed URL', (id) => {
    const url = executionUrl(local, 'b', id, '/resize');
    const parsed = new URL(url);
    expect(parsed.search).toBe('');
    expect(parsed.hash).toBe('');
    const segments = segmentsAfterBoxes(url);
    expect(segments).toHaveLength(5);
    expect(segments.slice(0, 3)).toEqual(['boxes', 'b', 'executions']);
    expect(decodeURIComponent(segments[3] ?? '')).toBe(id);
    expect(segments[4]).toBe('resize');
  });

  // `%2E%2E` is still a dot segment for the WHATWG URL parser (fetch, ws): new URL('http://h/v1/boxes/%2E%2E/exec')
  // has the path '/v1/exec'. So `.` and `..` cannot be one segment and must be refused, never sent.
  it.each(['.', '..'])('refuses id %j with a TypeError wherever it goes', (id) => {
    const message = `an id cannot be ${JSON.stringify(id)}: URLs resolve it as a path step`;
    for (const build of [
      () => encodeSegment(id),
      () => boxUrl(local, id, '/exec'),
      () => executionUrl(local, 'b', id, '/signal'),
      () => executionUrl(local, id, 'e'),
      () => attachUrl(local, 'b', id),
      () => boxUrl({ baseUrl: 'http://h', pathPrefix: `a/${id}` }, 'b', ''),
    ]) {
      expect(build).toThrow(TypeError);
      expect(build).toThrow(message);
    }
  });

  it.each(['...', '.a', 'a.', '.%2e', '%2e', '%2E%2E', '..a'])('id %j is not a dot segment once parsed', (id) => {
    expect(new URL(executionUrl(local, id, id, '/attach')).pathname).toBe(
      `/v1/boxes/${encodeURIComponent(id)}/executions/${encodeURIComponent(id)}/attach`,
    );
  });
});

describe('attachUrl', () => {
  it('turns http into ws', () => {
    expect(attachUrl(local, 'b', 'e')).toBe('ws://127.0.0.1:8080/v1/boxes/b/executions/e/attach');
  });

  it('turns https into wss and keeps the path and prefix', () => {
    expect(attachUrl({ baseUrl: 'https://api.boxlite.ai/api/', pathPrefix: 'org/t' }, 'b', 'e')).toBe(
      'wss://api.boxlite.ai/api/v1/org/t/boxes/b/executions/e/attach',
    );
  });

  it('matches the scheme case-insensitively (the parsed scheme is ws/wss)', () => {
    const secure = new URL(attachUrl({ baseUrl: 'HTTPS://h' }, 'b', 'e'));
    expect(secure.protocol).toBe('wss:');
    expect(secure.pathname).toBe('/v1/boxes/b/executions/e/attach');
    expect(new URL(attachUrl({ baseUrl: 'HTTP://h' }, 'b', 'e')).protocol).toBe('ws:');
  });

  it('only rewrites the scheme, never an http inside the path or an id', () => {
    expect(attachUrl({ baseUrl: 'https://h/http:' }, 'http:', 'https:')).toBe(
      'wss://h/http:/v1/boxes/http%3A/executions/https%3A/attach',
    );
  });

  it('keeps an encoded id as one segment', () => {
    const url = attachUrl(local, 'a/b', 'x?y#z');
    expect(url).toBe('ws://127.0.0.1:8080/v1/boxes/a%2Fb/executions/x%3Fy%23z/attach');
    expect(new URL(url).pathname).toBe('/v1/boxes/a%2Fb/executions/x%3Fy%23z/attach');
  });
});

describe('assertId / assertIds', () => {
  it('accepts a non-empty string', () => {
    expect(() => assertId('boxId', 'x')).not.toThrow();
    expect(() => assertIds('b', 'e')).not.toThrow();
  });

  it.each([[''], [undefined], [null], [42], [{}], [['a']]])('rejects %j with a TypeError naming the id', (value) => {
    let caught: unknown;
    try {
      assertId('boxId', value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).name).toBe('TypeError');
    expect((caught as Error).message).toBe('boxId must be a non-empty string');
  });

  it.each(['.', '..'])('rejects the dot segment %j, naming the id', (id) => {
    expect(() => assertId('executionId', id)).toThrow(
      new TypeError(`executionId cannot be ${JSON.stringify(id)}: URLs resolve it as a path step`),
    );
    expect(() => assertIds(id, 'e')).toThrowError(TypeError);
  });

  it('names the id that is wrong', () => {
    expect(() => assertIds('', 'e')).toThrow(new TypeError('boxId must be a non-empty string'));
    expect(() => assertIds('b', '')).toThrow(new TypeError('executionId must be a non-empty string'));
    expect(() => assertIds('b', 5)).toThrowError(TypeError);
  });
});
