// Figure 9b's baseline: the 20-line `ws` script a user would write, each stdout payload to stdout.
// Plain JavaScript run by `node`, as the CLI is. Env: BOXLITE_REST_URL, BOXLITE_API_KEY; args:
// `<box> <request JSON> <stdin line>` (the start gate's line, sent once the socket is open).
// With BENCH_READS=1 it prints on stderr how many frames each socket read and each tick carried.
import WebSocket from 'ws';

const [box, body, line] = process.argv.slice(2);
const base = process.env.BOXLITE_REST_URL;
const headers = { authorization: `Bearer ${process.env.BOXLITE_API_KEY}` };
const response = await fetch(`${base}/v1/boxes/${box}/exec`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
const { execution_id: id } = await response.json();
const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/boxes/${box}/executions/${id}/attach`, { headers });
const reads = { socket: 0, ticks: 0, frames: 0, tickDue: false };
ws.on('open', () => {
  ws.send(Buffer.from(line));
  // Diagnostics only: `_socket` is ws's internal net.Socket, read here to count the reads.
  if (process.env.BENCH_READS === '1') ws._socket.on('data', () => (reads.socket += 1));
});
ws.on('message', (data, isBinary) => {
  if (isBinary) {
    reads.frames += 1;
    if (!reads.tickDue) {
      reads.tickDue = true;
      reads.ticks += 1;
      queueMicrotask(() => (reads.tickDue = false));
    }
    if (data[0] === 1) process.stdout.write(data.subarray(1));
    else if (data[0] === 2) process.stderr.write(data.subarray(1));
    return;
  }
  const message = JSON.parse(data.toString());
  if (message.type !== 'exit') return;
  if (process.env.BENCH_READS === '1') {
    const per = (n) => (reads.frames / n).toFixed(2);
    process.stderr.write(`frames ${reads.frames}, socket reads ${reads.socket} (${per(reads.socket)} frames each), ticks ${reads.ticks} (${per(reads.ticks)} frames each)\n`);
  }
  process.exitCode = message.exit_code;
  ws.close();
});
