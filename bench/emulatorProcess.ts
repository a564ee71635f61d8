/**
 * The emulator side of every benchmark, in its own process so that it has its own core and the
 * client process measures only itself. Runs the bench scripts and a TCP echo server (for the
 * loopback round trip), reports `ready`, answers `stats` requests (the emulator's counters and
 * its process's CPU time), and closes on `close` or when the parent goes away.
 */

import { createServer, type AddressInfo } from 'node:net';
import { startRunnerEmulator } from '../dist/testing.js';
import { benchScripts } from './scripts.js';

const emulator = await startRunnerEmulator({ scripts: benchScripts });
const echo = createServer((socket) => socket.pipe(socket));
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));

const close = (): void => {
  echo.close();
  void emulator.close().then(() => {
    if (process.connected) process.disconnect();
  });
};
process.on('message', (message: { type?: string }) => {
  if (message.type === 'close') close();
  if (message.type !== 'stats') return;
  const cpu = process.cpuUsage();
  process.send?.({ type: 'stats', stats: { ...emulator.stats, cpuMs: (cpu.user + cpu.system) / 1000 } });
});
process.once('disconnect', close);
process.send?.({ type: 'ready', url: emulator.url, token: emulator.token, echoPort: (echo.address() as AddressInfo).port });
