/**
 * The client side of figure 4, in a fresh process so that its RSS is its own: streams one flood
 * through the named client, discarding the bytes, and reports the RSS before the stream and, for
 * each stretch up to a mark, the RSS at the mark and the peak within the stretch (sampled every 16
 * chunks). Args: `<url> <token> <client> <chunkBytes> <count> <marks,…>` (marks in chunks, ascending).
 */

import { allClients, type ClientName } from './clients.js';
import { floodRequest } from './scripts.js';

/** One stretch of the stream, up to a mark. */
export interface Stretch {
  /** The mark, in chunks from the start. */
  readonly until: number;
  /** RSS when the mark was reached. */
  readonly rss: number;
  /** Highest RSS seen within the stretch. */
  readonly peak: number;
}

const [url = '', token = '', name = 'ws', chunkBytes = '0', count = '0', marks = ''] = process.argv.slice(2);
const client = allClients({ url, token })[name as ClientName];
const until = marks.split(',').map(Number);
await client(floodRequest(Number(chunkBytes), 16));
const baseline = process.memoryUsage.rss();
const stretches: Stretch[] = [];
let peak = baseline;
let chunks = 0;
const result = await client(floodRequest(Number(chunkBytes), Number(count)), () => {
  chunks += 1;
  const mark = until[stretches.length];
  if (chunks % 16 !== 0 && chunks !== mark) return;
  const rss = process.memoryUsage.rss();
  peak = Math.max(peak, rss);
  if (chunks !== mark) return;
  stretches.push({ until: mark, rss, peak });
  peak = 0;
});
process.send?.({ type: 'result', baseline, stretches, bytes: result.bytes });
process.disconnect();
