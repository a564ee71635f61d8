/**
 * The emulator side of every benchmark, in its own process so that it has its own core and the
 * client process measures only itself. Runs the bench scripts (and real processes, for figure 6b) and a TCP echo server (for the
 * loopback round trip), reports `ready`, answers `stats` requests (the emulator's counters and
 * its process's CPU time), `clock` requests (its `clockNow()`, for the clock offset between the
 * processes) and `ticker` requests (the timeline of a ticker execution, figures 7 and 8), and
 * closes on `close` or when the parent goes away.
 */

import { createServer, type AddressInfo } from 'node:net';
import { startRunnerEmulator } from '../dist/testing.js';
import { benchScripts } from './scripts.js';
import { clockNow, TickerPlanner } from './ticker.js';

const ticker = new TickerPlanner();
const emulator = await startRunnerEmulator({
  scripts: benchScripts,
  generateExecutionId: ticker.generateExecutionId,
  faults: ticker.faults,
  // Figure 6b runs a real process (`seq`), read unpaced, and a full client queue drops a chunk, as
  // the runner's does: a producer faster than any client. No other figure runs a process.
  allowProcesses: true,
  processReadsPerMs: 'unpaced',
  processQueueFull: 'drop',
});
ticker.attach(emulator);
const echo = createServer((socket) => socket.pipe(socket));
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));

const close = (): void => {
  echo.close();
  void emulator.close().then(() => {
    if (process.connected) process.disconnect();
  });
};
process.on('message', (message: { type?: string; executionId?: string }) => {
  if (message.type === 'close') close();
  if (message.type === 'clock') process.send?.({ type: 'clock', at: clockNow() });
  if (message.type === 'ticker') {
    const state = ticker.state(message.executionId ?? '');
    process.send?.({ type: 'ticker', executionId: message.executionId, state: state ?? null });
  }
  if (message.type === 'forget-ticker') ticker.forget(message.executionId ?? '');
  if (message.type !== 'stats') return;
  const cpu = process.cpuUsage();
  process.send?.({ type: 'stats', stats: { ...emulator.stats, cpuMs: (cpu.user + cpu.system) / 1000 } });
});
process.once('disconnect', close);
process.send?.({ type: 'ready', url: emulator.url, token: emulator.token, echoPort: (echo.address() as AddressInfo).port });
