// The cutting proxy of the Bun and Deno smoke lane (.ci/bun-deno.sh), run in Node beside the
// emulator: `node test/runtimes/proxy.mjs http://127.0.0.1:PORT` forwards to that emulator on a free
// loopback port, cuts the first attach of each execution right after its 101 (BoxLite PR #627's
// failure), prints its URL on one line and runs until SIGTERM or SIGINT.
import { startCuttingProxy } from '../../dist/testing.js';

const proxy = await startCuttingProxy({ target: process.argv[2] });
process.stdout.write(`${proxy.url}\n`);
const stop = () => void proxy.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
