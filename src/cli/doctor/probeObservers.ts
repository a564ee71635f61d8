/**
 * The probes of what newer servers added for watching (docs/protocol.md §7): how the server reads
 * the attach query `stdin` (measured beside the silent probe's writer, which holds the slot), the
 * box's main session on the box examined, and the listing of its executions.
 */

import type { BoxAttachMeasure, ListingMeasure, Measured, ReadOnlyMeasure } from './measurements.js';
import { answered } from './restCall.js';
import { CONNECT_TIMEOUT_MS, type DoctorTarget } from './target.js';
import { isEvent, type WireSession } from './wireSession.js';

/** The status of an upgrade (101 when it opened, then closed at once), with the session's announced id. */
async function upgradeStatus(session: WireSession): Promise<Measured<number>> {
  const answer = await session.next(isEvent.answer, CONNECT_TIMEOUT_MS * 2);
  session.close();
  if (answer?.kind === 'open') return 101;
  if (answer?.kind === 'refused') return answer.status;
  return { problem: answer?.message ?? 'no answer to the upgrade' };
}

/**
 * While a writer holds `executionId`'s slot: the answers to an attach with `stdin=false` (101 where
 * observers take no slot) and with `stdin=bogus` (400 where the value is checked, `boxlite serve`).
 */
export async function probeReadOnly(target: DoctorTarget, executionId: string): Promise<Measured<ReadOnlyMeasure>> {
  const observer = await upgradeStatus(target.attach(executionId, '?stdin=false'));
  if (typeof observer !== 'number') return observer;
  const bogus = await upgradeStatus(target.attach(executionId, '?stdin=bogus'));
  return typeof bogus === 'number' ? { observer, bogus } : bogus;
}

/** A read-only attach to the box's main session: its status and the id its 101 announces. */
export async function probeBoxAttach(target: DoctorTarget): Promise<Measured<BoxAttachMeasure>> {
  const session = target.attachBox('?stdin=false');
  const status = await upgradeStatus(session);
  return typeof status === 'number' ? { status, executionId: session.announcedExecutionId } : status;
}

/** `GET /boxes/{boxId}/executions`: its status, and the number of well-formed entries of a 200 array. */
export async function probeListing(target: DoctorTarget): Promise<Measured<ListingMeasure>> {
  const answer = await target.list();
  if (!answered(answer)) return { problem: answer.failed };
  if (answer.status !== 200) return { status: answer.status, entries: undefined };
  try {
    const body = JSON.parse(answer.body) as unknown;
    const wellFormed = Array.isArray(body) && body.every(isListed);
    return { status: 200, entries: wellFormed ? body.length : undefined };
  } catch {
    return { status: 200, entries: undefined };
  }
}

/** An entry with a string `execution_id` and `status`, and a boolean `attached`. */
function isListed(entry: unknown): boolean {
  const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  return typeof fields.execution_id === 'string' && typeof fields.status === 'string' && typeof fields.attached === 'boolean';
}
