// @module-tag slow/process
/**
 * The emulator in a test's own process, flooding a client in another process that keeps up (the
 * CLI into /dev/null): its pump yields after each burst, so the host's event loop keeps turning
 * (its timers and its other I/O run), as it would with a real server in another process.
 */
import { closeSync, openSync } from 'node:fs';
import { expect, it } from 'vitest';
import { connect, emulatorPerTest, spawnCliToFds } from '../support/cli.js';

const start = emulatorPerTest();

it('a flood to a client that keeps up leaves the host process its turns: no gap over 250 ms between 10 ms ticks', async () => {
  const em = await start({ scripts: { seq: { steps: [{ flood: { chunk: 'line\n', count: 4_000_000 } }, { exit: 0 }] } } });
  const devNull = openSync('/dev/null', 'w');
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  try {
    const cli = spawnCliToFds(['exec', ...connect(em), 'box-1', '--', 'seq'], { stdout: devNull }, 30_000);
    expect(await cli.exited).toBe(0);
  } finally {
    clearInterval(ticker);
    closeSync(devNull);
  }
  expect(em.stats.bytesSent).toBeGreaterThan(20_000_000);
  expect(worst).toBeLessThan(250);
});
