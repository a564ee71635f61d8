/**
 * The loopback round trip between the client process and the emulator process: one byte to the
 * emulator's TCP echo server and back, on one connection.
 */

import { connect } from 'node:net';
import { median } from './report.js';

/** The median of `samples` echo round trips to `127.0.0.1:port`, in milliseconds (after 10 unmeasured ones). */
export async function loopbackRtt(port: number, samples: number): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const once = (): Promise<number> =>
    new Promise((resolve) => {
      const start = performance.now();
      socket.once('data', () => resolve(performance.now() - start));
      socket.write('x');
    });
  const times: number[] = [];
  for (let i = 0; i < samples + 10; i += 1) {
    const ms = await once();
    if (i >= 10) times.push(ms);
  }
  socket.destroy();
  return median(times);
}
