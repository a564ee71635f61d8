/**
 * Loads `ws`, the emulator's WebSocket server, when an emulator starts rather than on import: where
 * `ws` is not installed, `import 'boxlite-rx/testing'` still works, and `startRunnerEmulator`
 * rejects with one message naming the package to install instead of a bare module-not-found.
 */
import type { WebSocketServer } from 'ws';
import { MissingPeerDependencyError } from '../../errors.js';

/** The message when `ws` is missing. */
const MISSING_WS = "boxlite-rx/testing: the runner emulator needs the peer dependency 'ws': npm install --save-dev ws";

/** `ws`'s `WebSocketServer`, or a `MissingPeerDependencyError` naming `ws` when it is not installed. */
export async function loadWebSocketServer(): Promise<typeof WebSocketServer> {
  try {
    const ws = await import('ws');
    return ws.WebSocketServer;
  } catch (cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause;
    throw new MissingPeerDependencyError(MISSING_WS, 'ws', { cause });
  }
}
