/**
 * A TCP proxy on 127.0.0.1 that holds every chunk, and every end of stream, `oneWayMs` before
 * passing it on, in both directions and in order: a long link (a round trip of `2 × oneWayMs`) in
 * front of a server on loopback. Figure 8 uses it to show what a cut costs where round trips are
 * not free. Bench code: plain Node timers.
 */

import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/** The running proxy. */
export interface DelayingProxy {
  /** Where it listens (`http://127.0.0.1:port`). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Passes `from`'s chunks and end to `to`, each `oneWayMs` late. */
function delayed(from: Socket, to: Socket, oneWayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, oneWayMs);
  });
  from.on('end', () => {
    setTimeout(() => to.end(), oneWayMs);
  });
  from.on('close', () => {
    setTimeout(() => to.destroy(), oneWayMs + 1);
  });
  from.on('error', () => undefined);
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startDelayingProxy(targetPort: number, oneWayMs: number): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    delayed(client, upstream, oneWayMs);
    delayed(upstream, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
