// The client's smoke suite for Bun and Deno (.ci/bun-deno.sh runs it under each, with the emulator
// and the cutting proxy in Node beside it): the built package (dist/) as the runtime loads it, an
// exec, stdin, and a cut (by the proxy) drained or followed, each checked byte for byte and by exit
// code, each bounded. Reads BOXLITE_REST_URL, BOXLITE_API_KEY and SMOKE_PROXY_URL; with
// SMOKE_WEBSOCKET=global the client gets the runtime's own WebSocket through the `WebSocket` option,
// else its default. Prints one line per check, then `N passed, N failed`; exits 1 on a failure.
import { firstValueFrom, from, timeout } from 'rxjs';
import { createRunnerClient, toExecResult } from '../../dist/index.js';

/** Each check's bound: a check that hangs fails instead of holding the lane. */
const CHECK_MS = 15_000;

const runtime = globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : globalThis.Bun ? `Bun ${globalThis.Bun.version}` : `Node ${process.version}`;
const env = (name) => {
  const value = globalThis.Deno ? globalThis.Deno.env.get(name) : process.env[name];
  if (!value) throw new TypeError(`smoke: ${name} must be set`);
  return value;
};
const token = env('BOXLITE_API_KEY');
const useGlobal = (globalThis.Deno ? globalThis.Deno.env.get('SMOKE_WEBSOCKET') : process.env['SMOKE_WEBSOCKET']) === 'global';

/** A client of `baseUrl`, with the runtime's own WebSocket when SMOKE_WEBSOCKET=global. */
function client(baseUrl) {
  return createRunnerClient({ baseUrl, token, ...(useGlobal ? { WebSocket: globalThis.WebSocket } : {}) });
}

const encoder = new TextEncoder();
const bytes = (...parts) => {
  const chunks = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  const all = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  chunks.reduce((at, chunk) => (all.set(chunk, at), at + chunk.length), 0);
  return all;
};
const hex = (data) => Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');

/** Realistic output: log lines with a long shared ending, repeats, UTF-8. */
const LOG = Array.from({ length: 200 }, (_, i) => `2026-12-06T19:00:${String(i % 60).padStart(2, '0')}Z worker[${i % 3}] héllo ✓ request handled in 3 ms; status=ok path=/v1/boxes/box-1/exec\n`).join('');
/** Every byte value, for stdin and the exact-bytes comparison. */
const BINARY = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Runs one exec to its result, bounded. */
const run = (baseUrl, request, input) =>
  firstValueFrom(client(baseUrl).exec('box-1', request, input).pipe(toExecResult(), timeout(CHECK_MS)));

/** Throws unless the result has exactly these bytes, this exit code from the exit frame, and only the allowed notices. */
function expectResult(result, { stdout, stderr, exitCode, notices = [] }) {
  const problems = [];
  if (hex(result.stdoutBytes) !== hex(stdout)) problems.push(`stdout ${result.stdoutBytes.length} bytes, expected ${stdout.length}: ${JSON.stringify(result.stdout.slice(0, 80))}`);
  if (hex(result.stderrBytes) !== hex(stderr)) problems.push(`stderr ${JSON.stringify(result.stderr)}, expected ${stderr.length} bytes`);
  if (result.exitCode !== exitCode || result.exitSource !== 'frame') problems.push(`exit ${result.exitCode} from ${result.exitSource}, expected ${exitCode} from the frame`);
  const unexpected = result.notices.filter((notice) => !notices.includes(notice.kind));
  if (unexpected.length > 0) problems.push(`notices ${JSON.stringify(unexpected)}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

const checks = {
  'exec: stdout and stderr exactly, exit 3': async () => {
    const result = await run(env('BOXLITE_REST_URL'), { command: 'sh', args: ['-c', 'printf "%s" "$0"; printf "warn: ✓\\n" >&2; exit 3', LOG] });
    expectResult(result, { stdout: bytes(LOG), stderr: bytes('warn: ✓\n'), exitCode: 3 });
  },
  'stdin: text and every byte value echoed exactly, EOF sent, exit 0': async () => {
    const stdin = from(['line 1\n', BINARY, 'héllo ✓\n', LOG]);
    const result = await run(env('BOXLITE_REST_URL'), { command: 'cat' }, { stdin });
    expectResult(result, { stdout: bytes('line 1\n', BINARY, 'héllo ✓\n', LOG), stderr: bytes(), exitCode: 0 });
  },
  'cut after the 101 of a finished command: drained exactly, exit 4': async () => {
    const result = await run(env('SMOKE_PROXY_URL'), { command: 'sh', args: ['-c', 'printf "%s" "$0"; printf "err\\n" >&2; exit 4', LOG] });
    // Fast as it is, the command may still run when the probe asks: then the client follows it
    // instead of draining, and says so with a reconnect; either way every byte once, in order.
    expectResult(result, { stdout: bytes(LOG), stderr: bytes('err\n'), exitCode: 4, notices: ['reconnecting', 'reconnected'] });
  },
  'cut after the 101 of a running command: followed exactly, exit 0': async () => {
    const result = await run(env('SMOKE_PROXY_URL'), { command: 'sh', args: ['-c', 'printf "%s" "$0"; sleep 1; printf "%s" "$0"', LOG] });
    expectResult(result, { stdout: bytes(LOG, LOG), stderr: bytes(), exitCode: 0, notices: ['reconnecting', 'reconnected'] });
    if (!result.notices.some((notice) => notice.kind === 'reconnecting' && notice.reason === 'cut')) throw new Error(`no reconnect after the cut: ${JSON.stringify(result.notices)}`);
  },
};

const webSocketUsed = useGlobal ? `the runtime's own WebSocket (WebSocket option)` : 'the client default';
console.log(`smoke: ${runtime}, ${webSocketUsed}`);
let passed = 0;
let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    passed += 1;
    console.log(`ok ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) (globalThis.Deno ? globalThis.Deno : process).exit(1);
