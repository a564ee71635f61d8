/**
 * Output that looks like what real commands print, as the chunks a process writes: the inputs on
 * which a replay-alignment rule must not be fooled by chance. Deterministic for a seed.
 *
 * - `logs`: structured log lines that share a long ending (`… service=catalog-api region=… pod=…`)
 * - `repeatedLines`: the same line many times in a row, now and then another
 * - `heartbeat`: an identical heartbeat chunk, over and over
 * - `timestampedHeartbeat`: a heartbeat with a counter, one chunk each
 * - `yes`: `y\n` in 3000-byte chunks
 * - `padding`: runs of spaces and zero bytes, and progress bars redrawn with `\r`
 * - `binary`: random bytes in random chunk sizes
 * - `utf8`: multi-byte text split inside characters
 * - `stackTraces`: log lines with the same 3 KiB stack trace printed again and again
 */
import { randomInt, seededRandom } from '../../demo/prng.js';

export type OutputKind =
  | 'logs'
  | 'repeatedLines'
  | 'heartbeat'
  | 'timestampedHeartbeat'
  | 'yes'
  | 'padding'
  | 'binary'
  | 'utf8'
  | 'stackTraces';

export const OUTPUT_KINDS: readonly OutputKind[] = [
  'logs',
  'repeatedLines',
  'heartbeat',
  'timestampedHeartbeat',
  'yes',
  'padding',
  'binary',
  'utf8',
  'stackTraces',
];

const encoder = new TextEncoder();
type Random = () => number;

function hex(random: Random, digits: number): string {
  let text = '';
  for (let i = 0; i < digits; i += 1) text += randomInt(random, 0, 15).toString(16);
  return text;
}

function logLine(random: Random, index: number): string {
  const ms = 1_780_000_000_000 + index * 37;
  const status = random() < 0.95 ? 200 : 503;
  return `${new Date(ms).toISOString()} INFO request id=${hex(random, 8)} path=/api/v1/items/${randomInt(random, 1, 99)} status=${status} service=catalog-api region=eu-west-1 pod=catalog-api-7d9f8b6c4-${hex(random, 5)}\n`;
}

const STACK_TRACE = Array.from(
  { length: 40 },
  (_, i) => `\tat com.example.catalog.service.ItemRepository$$Proxy${i % 7}.load${i}(ItemRepository.java:${100 + i * 3})\n`,
).join('');

/** One line or a few lines per write, as a line-buffered or block-buffered program writes them. */
function lineChunks(random: Random, lines: Iterable<string>, bytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let pending = '';
  let total = 0;
  for (const line of lines) {
    pending += line;
    if (random() < 0.6) {
      const chunk = encoder.encode(pending);
      chunks.push(chunk);
      total += chunk.length;
      pending = '';
      if (total >= bytes) break;
    }
  }
  if (pending !== '' && total < bytes) chunks.push(encoder.encode(pending));
  return chunks;
}

function* logs(random: Random): Generator<string> {
  for (let i = 0; ; i += 1) yield logLine(random, i);
}

function* repeatedLines(random: Random): Generator<string> {
  for (let i = 0; ; i += 1) yield random() < 0.97 ? 'WARN connection pool exhausted, retrying in 100ms (pool=catalog-db size=32)\n' : logLine(random, i);
}

function* stackTraces(random: Random): Generator<string> {
  for (let i = 0; ; i += 1) {
    yield logLine(random, i);
    if (random() < 0.05) yield `ERROR request failed\njava.lang.IllegalStateException: item cache closed\n${STACK_TRACE}`;
  }
}

function fixedChunks(unit: string, chunkBytes: number, bytes: number): Uint8Array[] {
  const chunk = encoder.encode(unit.repeat(Math.ceil(chunkBytes / unit.length)).slice(0, chunkBytes));
  return Array.from({ length: Math.ceil(bytes / chunk.length) }, () => chunk);
}

function randomChunks(random: Random, bytes: number, maxChunk: number, fill: (chunk: Uint8Array) => void): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let total = 0; total < bytes; ) {
    const chunk = new Uint8Array(randomInt(random, 1, maxChunk));
    fill(chunk);
    chunks.push(chunk);
    total += chunk.length;
  }
  return chunks;
}

function padding(random: Random, bytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let total = 0, step = 0; total < bytes; step += 1) {
    const pick = random();
    const chunk =
      pick < 0.3
        ? new Uint8Array(randomInt(random, 1, 8192))
        : pick < 0.6
          ? encoder.encode(' '.repeat(randomInt(random, 1, 4096)))
          : encoder.encode(`\r[${'#'.repeat(step % 40)}${' '.repeat(40 - (step % 40))}] ${step % 100}%`);
    chunks.push(chunk);
    total += chunk.length;
  }
  return chunks;
}

function utf8(random: Random, bytes: number): Uint8Array[] {
  const words = ['grüße', 'naïve', '日本語の', 'テキスト', 'emoji 🎉🚀', 'Ελληνικά', 'русский', 'ok', '\n'];
  const parts: string[] = [];
  for (let size = 0; size < bytes; ) {
    const word = `${words[randomInt(random, 0, words.length - 1)]} `;
    parts.push(word);
    size += encoder.encode(word).length;
  }
  const all = encoder.encode(parts.join(''));
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < all.length; ) {
    const end = Math.min(all.length, start + randomInt(random, 1, 700));
    chunks.push(all.subarray(start, end));
    start = end;
  }
  return chunks;
}

/**
 * About `bytes` bytes of output of `kind`, as the chunks the process writes (each a frame on the
 * wire). The same `seed` gives the same chunks.
 */
export function realisticOutput(kind: OutputKind, bytes: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  switch (kind) {
    case 'logs':
      return lineChunks(random, logs(random), bytes);
    case 'repeatedLines':
      return lineChunks(random, repeatedLines(random), bytes);
    case 'stackTraces':
      return lineChunks(random, stackTraces(random), bytes);
    case 'heartbeat':
      return fixedChunks('heartbeat ok\n', 13, bytes);
    case 'timestampedHeartbeat':
      return Array.from({ length: Math.ceil(bytes / 24) }, (_, i) => encoder.encode(`heartbeat #${String(i).padStart(10, '0')}\n`));
    case 'yes':
      return fixedChunks('y\n', 3000, bytes);
    case 'padding':
      return padding(random, bytes);
    case 'binary':
      return randomChunks(random, bytes, 9000, (chunk) => {
        for (let i = 0; i < chunk.length; i += 1) chunk[i] = randomInt(random, 0, 255);
      });
    case 'utf8':
      return utf8(random, bytes);
  }
}
