/**
 * `npm start`: BoxLite PR #627's measurement on this machine. Runs 4 rounds of 50 fast commands
 * through a cutting proxy with the pre-fix client and with boxlite-rx `exec`, prints a line per
 * round and then the table. Everything it starts is closed before it returns.
 */

import { runDemo } from './runDemo.js';
import { formatRound, formatTable } from './table.js';

const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

write('BoxLite PR #627, replayed: a runner emulator behind a TCP proxy on 127.0.0.1 that cuts');
write('the first attach of about half of the executions right after its 101 response.');
write('Each command is `echo hello R.N` (exit 0), run once per client, the two clients alternating.');
write('');
const started = performance.now();
const report = await runDemo({ onRound: (round) => write(formatRound(round)) });
write('');
write(formatTable(report));
write('');
write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
