import type { NoticeEvent, NoticeKind } from '../events.js';

/** Notices that mean output may be missing or repeated: printed always, and fatal under `--strict`. */
const WARNING_KINDS: ReadonlySet<NoticeKind> = new Set<NoticeKind>(['output-lost', 'replay-overlap-unknown', 'drain-incomplete']);

/**
 * News printed always, never fatal: a wait the user would otherwise take for a hang, with no
 * output at stake (`server-draining`: `exec` waits out a runner draining for a deploy).
 */
const SHOWN_KINDS: ReadonlySet<NoticeKind> = new Set<NoticeKind>(['server-draining']);

/** Whether a notice is a warning (output may be missing or repeated) rather than news. */
export function isWarning(event: NoticeEvent): boolean {
  return WARNING_KINDS.has(event.kind);
}

/**
 * The diagnostic line for a notice, or `undefined` when it is not shown: a warning always reads
 * `warning: <message>`; the other notices read `notice (<kind>): <message>`, with `--verbose` only,
 * except a wait the user would take for a hang (`server-draining`), shown always.
 * @param event the notice.
 * @param verbose whether `--verbose` was given.
 * @returns the line (without the `boxlite-rx: ` prefix), or `undefined`.
 */
export function noticeLine(event: NoticeEvent, verbose: boolean): string | undefined {
  if (isWarning(event)) return `warning: ${event.message}`;
  return verbose || SHOWN_KINDS.has(event.kind) ? `notice (${event.kind}): ${event.message}` : undefined;
}
