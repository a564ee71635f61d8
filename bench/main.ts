/**
 * `npm run bench`: every benchmark against its baseline in one run, over loopback, on the built
 * package (`dist/`), the emulator in its own process. `--smoke` runs them all with tiny sizes;
 * `--only=2,5` runs only the figures listed (`1` is 1a and 1b; 6 needs 1, 2 and 5, 6b runs with `6`):
 * `npm run build && npx tsx bench/main.ts --only=5`. Prints the raw numbers as it goes, then the
 * results table (see docs/benchmarks.md).
 */

import { cpus, loadavg } from 'node:os';
import { FULL, SMOKE } from './config.js';
import { renderTable, type Log } from './report.js';
import { runBenchmarks } from './suite.js';

const smoke = process.argv.includes('--smoke');
const onlyArg = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg === undefined ? undefined : new Set(onlyArg.split(','));
const log: Log = (line) => console.log(line);
log(`boxlite-rx benchmarks${smoke ? ' (smoke sizes)' : ''}${onlyArg === undefined ? '' : ` (figures ${onlyArg})`}: Node ${process.version}, ${process.platform}, ${cpus().length} cores`);
/** The 1, 5 and 15 minute load averages: rates move with what else runs on the machine. */
const load = (): string => loadavg().map((n) => n.toFixed(2)).join(' ');
log(`load average at start: ${load()}`);
const start = performance.now();
const figures = await runBenchmarks(smoke ? SMOKE : FULL, log, only);
log('');
log(renderTable(figures));
log('');
log(`load average at end: ${load()}`);
log(`done in ${((performance.now() - start) / 1000).toFixed(0)} s`);
