// @module-tag slow/sockets
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultFetch } from '../../src/transport/defaults.js';
import { nodeFetch } from '../../src/transport/nodeFetch.js';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string, nth: number) => void;

let server: Server | undefined;

/** A server on 127.0.0.1 that hands each request, its body and its number on its socket to `handler`. */
async function serve(handler: Handler): Promise<string> {
  server = createServer((request, response) => {
    const socket = request.socket as typeof request.socket & { served?: number };
    socket.served = (socket.served ?? 0) + 1;
    const nth = socket.served;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, response, Buffer.concat(chunks).toString('utf8'), nth));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  vi.unstubAllGlobals();
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

const GET = { method: 'GET', headers: { accept: 'application/json' }, signal: new AbortController().signal };

describe('nodeFetch: REST calls over node:http', () => {
  it('answers any status with its text, headers and body, UTF-8 split across writes', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(404, 'Not Found', { 'content-type': 'application/json' });
      const body = Buffer.from('{"error":"état ✓ introuvable"}');
      response.write(body.subarray(0, 12));
      response.end(body.subarray(12));
    });
    const answer = await (await nodeFetch())(`${url}/v1/boxes/b/executions/e`, GET);
    expect(answer.status).toBe(404);
    expect(answer.statusText).toBe('Not Found');
    expect(answer.headers?.get('Content-Type')).toBe('application/json');
    expect(answer.headers?.get('x-absent')).toBeNull();
    expect(await answer.text()).toBe('{"error":"état ✓ introuvable"}');
  });

  it('sends a body with its length (not chunked), and the headers given', async () => {
    const seen: Record<string, unknown>[] = [];
    const url = await serve((request, response, body) => {
      seen.push({ method: request.method, length: request.headers['content-length'], chunked: request.headers['transfer-encoding'], auth: request.headers.authorization, body });
      response.writeHead(201).end('{"execution_id":"e-1"}');
    });
    const body = JSON.stringify({ command: 'echo', args: ['ü ✓'] });
    const answer = await (await nodeFetch())(`${url}/v1/boxes/b/exec`, { method: 'POST', headers: { authorization: 'Bearer k' }, body, signal: GET.signal });
    expect(answer.status).toBe(201);
    expect(seen).toEqual([{ method: 'POST', length: String(Buffer.byteLength(body)), chunked: undefined, auth: 'Bearer k', body }]);
  });

  it('fails as fetch does when nothing answers: TypeError "fetch failed", the socket error its cause', async () => {
    const url = await serve(() => undefined);
    const port = new URL(url).port;
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const failure = (await (await nodeFetch())(`http://127.0.0.1:${port}/x`, GET).catch((error: unknown) => error)) as TypeError;
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure.message).toBe('fetch failed');
    expect((failure.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('sends a GET once more on a new socket when the server closed the kept-alive one under it; never a POST', async () => {
    const requests: string[] = [];
    // The second request on any socket finds it closed: the server's idle close, as the request went out.
    const url = await serve((request, response, _body, nth) => {
      requests.push(`${request.method} #${nth}`);
      if (nth > 1) request.socket.destroy();
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"running"}');
    });
    const fetch = await nodeFetch();
    expect((await fetch(`${url}/s`, GET)).status).toBe(200);
    const again = await fetch(`${url}/s`, GET);
    expect(await again.text()).toBe('{"status":"running"}');
    expect(requests).toEqual(['GET #1', 'GET #2', 'GET #1']);
    const post = await fetch(`${url}/exec`, { method: 'POST', headers: {}, body: '{}', signal: GET.signal }).catch((error: unknown) => error);
    expect(requests).toEqual(['GET #1', 'GET #2', 'GET #1', 'POST #2']);
    expect(post).toBeInstanceOf(TypeError);
    expect(((post as TypeError).cause as { code?: string }).code).toBe('ECONNRESET');
  });

  it('hands a redirect to the global fetch, which follows it', async () => {
    const url = await serve((request, response) => {
      if (request.url === '/old') response.writeHead(307, { location: '/new' }).end();
      else response.writeHead(200).end(`at ${request.url}`);
    });
    const answer = await (await nodeFetch())(`${url}/old`, GET);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('at /new');
  });

  it('aborts the request when the signal does', async () => {
    const abort = new AbortController();
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    // The server holds the answer; the request is aborted once it arrived.
    const url = await serve((request) => {
      request.socket.on('close', closed);
      abort.abort();
    });
    await expect((await nodeFetch())(`${url}/slow`, { ...GET, signal: abort.signal })).rejects.toBeInstanceOf(TypeError);
    await serverSawClose;
  });

  it('is the default in Node: the global fetch is not called', async () => {
    const url = await serve((_request, response) => response.writeHead(204).end());
    const global = vi.fn();
    vi.stubGlobal('fetch', global);
    expect((await (await defaultFetch())(`${url}/kill`, { ...GET, method: 'DELETE' })).status).toBe(204);
    expect(global).not.toHaveBeenCalled();
  });
});
