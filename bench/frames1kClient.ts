/**
 * The client side of figure 9a, in a fresh process so that each run's CPU is its own process's:
 * one flood through the named client (`boxlite-rx` exec, or raw `ws` paying the same start gate),
 * counting bytes; reports the `StreamResult`. Args: `<url> <token> <client> <chunkBytes> <count>`.
 */

import { boxliteRxClient, rawWsClient } from './clients.js';
import { floodRequest } from './scripts.js';

const [url = '', token = '', name = 'ws', chunkBytes = '0', count = '0'] = process.argv.slice(2);
const target = { url, token };
const client = name === 'boxlite-rx' ? boxliteRxClient(target) : rawWsClient(target, true);
const result = await client(floodRequest(Number(chunkBytes), Number(count)));
process.send?.({ type: 'result', result });
process.disconnect();
