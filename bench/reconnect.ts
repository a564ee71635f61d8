/**
 * Figures 7 and 8 alone (live latency across a reconnect, resume time), on their own emulator
 * process: `npx tsx bench/reconnect.ts [--smoke] [--figure=7|8]` (needs a build: npm run build).
 * `npm run bench` runs them with the others.
 */

import { FULL, SMOKE } from './config.js';
import { startEmulatorHost } from './emulatorHost.js';
import { liveLatency } from './liveLatency.js';
import { renderTable, type Figure, type Log } from './report.js';
import { resumeTime } from './resumeTime.js';

const smoke = process.argv.includes('--smoke');
const only = process.argv.find((arg) => arg.startsWith('--figure='))?.slice('--figure='.length);
const log: Log = (line) => console.log(line);
log(`boxlite-rx reconnect figures${smoke ? ' (smoke sizes)' : ''}: Node ${process.version}, ${process.platform}`);
const start = performance.now();
const host = await startEmulatorHost();
const figures: Figure[] = [];
try {
  const ctx = { config: smoke ? SMOKE : FULL, host, log };
  if (only === undefined || only === '7') figures.push(...(await liveLatency(ctx)).figures);
  if (only === undefined || only === '8') figures.push(...(await resumeTime(ctx)).figures);
} finally {
  await host.close();
}
log('');
log(renderTable(figures));
log('');
log(`done in ${((performance.now() - start) / 1000).toFixed(0)} s`);
