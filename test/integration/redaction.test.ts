/**
 * A server that echoes the bearer token back (in 401 bodies on REST and on the upgrade, in an
 * error frame, in a close reason, in a 404 body and in the status endpoint's `error_message`):
 * no error message, notice, exit message or `cause` the client creates holds the token, as sent
 * or as a JSON body spells it; `***` stands in its place.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { lastValueFrom, tap, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createRunnerClient } from '../../src/client/createRunnerClient.js';
import { isAttachRejectedError, isBoxliteHttpError, isExecutionGoneError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';

/** Go's encoder escapes `<`, `>` and `&` in JSON strings; `JSON.stringify` escapes `"` and `\`. */
const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Every way a leaked token could be spelled in the output. */
const spellings = (token: string): string[] => [token, JSON.stringify(token).slice(1, -1), goJson(token).slice(1, -1)];

/** The token the request carried, as the server saw it. */
const tokenOf = (req: IncomingMessage): string => (req.headers.authorization ?? '').replace(/^Bearer /, '');

/**
 * The echoing server. Box `refuse`: every call and upgrade gets 401 quoting the token. Box `echo`:
 * the attach sends an error frame quoting it and closes with a reason quoting it; the status
 * endpoint answers 404 quoting it. Box `drain`: the first attach closes quoting it, the status
 * endpoint says completed with an `error_message` quoting it, the re-attach gets 404 quoting it
 * (a 401 there ends the execution with the refusal: see authRefused.test.ts).
 */
function startEchoServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ noServer: true });
  let drainAttaches = 0;
  const server: Server = createServer((req, res) => {
    const token = tokenOf(req);
    const [, , , box, , id] = (req.url ?? '').split('/');
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    if (box === 'refuse') return send(401, goJson({ statusCode: 401, message: `invalid token ${token}`, code: 'UNAUTHORIZED' }));
    if (req.method === 'GET' && box === 'echo') {
      return send(404, goJson({ error: { message: `execution ${id} not found for ${token}`, code: 'not_found' } }));
    }
    if (req.method === 'GET' && box === 'drain') {
      return send(200, goJson({ execution_id: id, status: 'completed', exit_code: 3, error_message: `killed: ${token} expired` }));
    }
    return send(500, '{}');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const token = tokenOf(req);
    const box = (req.url ?? '').split('/')[3];
    const refuse = (status: string, body: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    if (box === 'refuse') return refuse('401 Unauthorized', goJson({ statusCode: 401, message: `invalid token ${token}`, code: 'UNAUTHORIZED' }));
    if (box === 'drain' && ++drainAttaches > 1) return refuse('404 Not Found', goJson({ error: `execution e1 not found for ${token}` }));
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (box === 'echo') ws.send(goJson({ type: 'error', message: `signal refused for ${token}` }));
      ws.close(1011, `bad ${token}`.slice(0, 123));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            wss.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** What the client reported, events and error, in one text: inspect shows the whole `cause` chain and every field. */
async function run(events$: Observable<ExecEvent>): Promise<{ events: ExecEvent[]; error: unknown; text: string }> {
  const events: ExecEvent[] = [];
  let error: unknown;
  await lastValueFrom(events$.pipe(tap((event) => events.push(event))), { defaultValue: undefined }).catch((failure: unknown) => {
    error = failure;
  });
  return { events, error, text: `${inspect(events, { depth: null })}\n${inspect(error, { depth: null })}` };
}

const TOKENS = {
  plain: 'sk-live-0123456789abcdef',
  'with JSON-escaped characters': 'tok"en\\<&>-0123456789',
};

describe.each(Object.entries(TOKENS))('a server that echoes the token (%s)', (_label, token) => {
  let server: Awaited<ReturnType<typeof startEchoServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const client = (url: string) =>
    createRunnerClient({
      baseUrl: url,
      token: () => token,
      drainTimeout: 2_000,
      drainSettle: 500,
      conflictBackoff: { initialDelay: 10, maxDelay: 10 },
    });

  const expectNoToken = (text: string): void => {
    for (const spelling of spellings(token)) expect(text).not.toContain(spelling);
  };

  it('a 401 on POST /exec: BoxliteHttpError with the token masked', async () => {
    server = await startEchoServer();
    const { error, text } = await run(client(server.url).exec('refuse', { command: 'true' }));
    expect(isBoxliteHttpError(error)).toBe(true);
    expect(error).toMatchObject({ message: 'exec: invalid token ***', status: 401, code: 'UNAUTHORIZED' });
    expectNoToken(text);
  });

  it('a 401 on the upgrade: AttachRejectedError with the token masked', async () => {
    server = await startEchoServer();
    const { error, text } = await run(client(server.url).attach('refuse', 'e1'));
    expect(isAttachRejectedError(error)).toBe(true);
    expect(error).toMatchObject({ message: 'attach refused: invalid token *** (likely a wrong token or webSocketAuth)', status: 401, code: 'UNAUTHORIZED' });
    expectNoToken(text);
  });

  it('an error frame, a close reason and a 404 probe: the notice, the cut and ExecutionGoneError masked', async () => {
    server = await startEchoServer();
    const { events, error, text } = await run(client(server.url).follow('echo', 'e1'));
    expect(events).toEqual([{ type: 'notice', kind: 'server-error', message: 'signal refused for ***' }]);
    expect(isExecutionGoneError(error)).toBe(true);
    expect((error as Error).message).toBe('execution gone: execution e1 not found for ***');
    expect(((error as Error).cause as Error).message).toBe(`attach: socket closed before the exit frame (code 1011: bad ***)`);
    expectNoToken(text);
  });

  it("a close reason, the status endpoint's error_message and a refused drain: notice and exit message masked", async () => {
    server = await startEchoServer();
    const { events, error, text } = await run(client(server.url).follow('drain', 'e1'));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      {
        type: 'notice',
        kind: 'drain-incomplete',
        message: 'the re-attach failed: attach refused: execution e1 not found for ***; exit code 3 from the status endpoint',
      },
      { type: 'exit', exitCode: 3, source: 'probe', message: 'killed: *** expired' },
    ]);
    expectNoToken(text);
  });

  it('a token with a character a header may not hold is refused up front, without quoting it', () => {
    const bad = `${token}\r\nx-injected: 1`;
    expect(() => createRunnerClient({ baseUrl: 'http://127.0.0.1:9', token: bad })).toThrow(
      new TypeError(
        'createRunnerClient: token cannot be sent as a bearer token: a token with a character an HTTP header may not hold (a control character such as CR or LF, or one above U+00FF)',
      ),
    );
  });
});
