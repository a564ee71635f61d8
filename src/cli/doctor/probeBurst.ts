/**
 * The burst probe: `seq 1 70000` writes 408894 bytes, more than a 256 KiB ring, in many writes.
 * The doctor follows it to its exit (closing at once, as a client should), then re-attaches: that
 * replay shows the server's shape (one frame of the whole ring, or one frame per stored chunk)
 * and, for a ring, its size (a wrapped ring replays exactly its size).
 */

import { firstValueFrom, timer } from 'rxjs';
import { STDOUT_CHANNEL } from '../../protocol/types.js';
import type { Measured, ReplayMeasure } from './measurements.js';
import { CLOSE_OBSERVE_MS, RUN_BOUND_MS, SAFETY_TIMEOUT_SECONDS } from './probeEcho.js';
import { answered } from './restCall.js';
import { CONNECT_TIMEOUT_MS, executionIdOf, type DoctorTarget } from './target.js';
import { isEvent, isExitFrame, type WireFrame, type WireSession } from './wireSession.js';

/** `seq 1 BURST_LINES`. */
export const BURST_LINES = 70_000;
/** How long a re-attach refused with 409 (the slot not yet released) is retried. */
const REATTACH_DEADLINE_MS = 7_000;
/** First delay between re-attaches refused with 409; it doubles. */
const REATTACH_DELAY_MS = 50;

/** What `seq 1 BURST_LINES` writes. */
export function burstOutput(): Buffer {
  return Buffer.from(Array.from({ length: BURST_LINES }, (_, i) => `${i + 1}\n`).join(''), 'latin1');
}

/** Follows an attached socket to its exit frame; a reason when it does not get there. */
async function untilExit(session: WireSession): Promise<string | undefined> {
  const opened = await session.next(isEvent.answer, CONNECT_TIMEOUT_MS * 2);
  if (opened?.kind === 'refused') return `the attach was refused with ${opened.status}`;
  if (opened?.kind !== 'open') return opened?.message ?? 'no answer to the upgrade';
  const exit = await session.next(isEvent.exitOrEnd, RUN_BOUND_MS);
  if (exit === undefined) return `no exit frame within ${RUN_BOUND_MS / 1000} s`;
  return exit.kind === 'frame' ? undefined : 'the socket ended before an exit frame';
}

/** Re-attaches after the exit, retrying a 409 (the slot is released a moment after the Close). */
async function reattach(target: DoctorTarget, executionId: string): Promise<WireSession | string> {
  const deadline = performance.now() + REATTACH_DEADLINE_MS;
  for (let delay = REATTACH_DELAY_MS; ; delay *= 2) {
    const session = target.attach(executionId);
    const opened = await session.next(isEvent.answer, CONNECT_TIMEOUT_MS * 2);
    if (opened?.kind === 'open') return session;
    if (opened?.kind !== 'refused' || opened.status !== 409) {
      return opened?.kind === 'refused' ? `the re-attach was refused with ${opened.status}` : (opened?.message ?? 'no answer to the re-attach');
    }
    if (performance.now() + delay > deadline) return `the re-attach still got 409 after ${REATTACH_DEADLINE_MS / 1000} s`;
    await firstValueFrom(timer(delay));
  }
}

/** Payloads of the stdout frames before the exit frame. */
function replayedStdout(frames: readonly WireFrame[]): Uint8Array[] {
  const exit = frames.findIndex(isExitFrame);
  return frames
    .slice(0, exit === -1 ? frames.length : exit)
    .flatMap((frame) => (frame.binary && frame.data[0] === STDOUT_CHANNEL ? [frame.data.subarray(1)] : []));
}

/**
 * Runs the probe.
 * @param target the box examined.
 */
export async function probeBurst(target: DoctorTarget): Promise<Measured<ReplayMeasure>> {
  const answer = await target.exec({ command: 'seq', args: ['1', String(BURST_LINES)], timeout_seconds: SAFETY_TIMEOUT_SECONDS });
  if (!answered(answer)) return { problem: answer.failed };
  const executionId = executionIdOf(answer.body);
  if (executionId === undefined) return { problem: `POST /exec answered ${answer.status} without an execution_id` };
  const first = target.attach(executionId);
  const failure = await untilExit(first);
  first.close();
  if (failure !== undefined) return { problem: failure };
  await first.next(isEvent.end, CLOSE_OBSERVE_MS);

  const second = await reattach(target, executionId);
  if (typeof second === 'string') return { problem: second };
  const refused = await untilExit(second);
  second.close();
  if (refused !== undefined) return { problem: `re-attach: ${refused}` };
  const payloads = replayedStdout(second.frames);
  const replayed = Buffer.concat(payloads);
  const written = burstOutput();
  return {
    writtenBytes: written.length,
    frameBytes: payloads.map((payload) => payload.length),
    isTail: replayed.length <= written.length && written.subarray(written.length - replayed.length).equals(replayed),
  };
}
