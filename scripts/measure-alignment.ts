/**
 * Prints the false-alarm table of docs/delivery.md: simulated reconnects on realistic output at the
 * real buffer size, both replay shapes. Usage: npm run measure:alignment [-- STREAMS CUTS]
 */
import { DEFAULT_RING_BYTES } from '../src/delivery/replayCursor.js';
import { alignmentTable, formatTable } from '../test/support/alignmentTable.js';

const [streams = 10, cuts = 50] = process.argv.slice(2).map(Number);
const started = performance.now();
console.log(formatTable(alignmentTable(streams, cuts, DEFAULT_RING_BYTES, 7)));
console.log(`\n${streams} streams × ${cuts} cuts per row, ${((performance.now() - started) / 1000).toFixed(1)} s`);
