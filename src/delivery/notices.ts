/**
 * The notices of delivery: every way a replay can leave bytes missing or repeated has its own
 * sentence here, so the subscriber is told, never left in silence. docs/delivery.md lists when
 * each appears.
 */
import { notice, type NoticeEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';

/** A stream with nothing delivered received a full buffer: its oldest output may be gone. */
export function headMayBeMissing(stream: OutputStream, ringBytes: number): NoticeEvent {
  return notice(
    'output-lost',
    `${stream}: the server's replay filled its ${ringBytes}-byte buffer before anything of this stream was delivered; output written before it may be missing`,
    { stream },
  );
}

/** The replay holds none of the delivered bytes: what was written in between is gone. */
export function wrappedPast(stream: OutputStream, delivered: number): NoticeEvent {
  return notice(
    'output-lost',
    `${stream}: the server's buffer no longer holds the last delivered bytes; output written after byte ${delivered} and before the replay is missing`,
    { stream },
  );
}

/**
 * The replay could not be aligned with certainty, so it is delivered whole: up to `bytes` bytes
 * already delivered may come again, and output written while away may be missing.
 */
export function overlapUnknown(stream: OutputStream, bytes: number): NoticeEvent {
  return notice(
    'replay-overlap-unknown',
    `${stream}: the replay could not be aligned with certainty and is delivered whole: up to ${bytes} bytes may repeat, and output written while disconnected may be missing`,
    { stream, bytes },
  );
}

/**
 * Replayed chunks that matched delivered ones stopped matching, so the matched ones were not a
 * replay after all: they are delivered, and may repeat up to `bytes` delivered bytes.
 */
export function runBroke(stream: OutputStream, bytes: number): NoticeEvent {
  return notice(
    'replay-overlap-unknown',
    `${stream}: the replayed chunks stopped matching the delivered ones; the held chunks are delivered: up to ${bytes} bytes may repeat, and output written while disconnected may be missing`,
    { stream, bytes },
  );
}

/** The host's own marker in the stream: the guest's output buffer overran and dropped `bytes` bytes of `stream`. */
export function hostDropped(stream: OutputStream, bytes: number): NoticeEvent {
  return notice('output-lost', `${stream}: the host dropped ${bytes} bytes (the guest's output buffer overran)`, { stream, bytes });
}
