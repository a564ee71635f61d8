/**
 * A scenario as a timeline to draw: its marbles parsed exactly as `test/marbles.test.ts` parses
 * them (the RxJS `TestScheduler`, run mode: one character is one millisecond), placed in absolute
 * time on four lanes.
 */
import { TestScheduler } from 'rxjs/testing';
import type { MarbleScenario } from '../../marbles/index.js';

/** The lanes, top to bottom. */
export const LANES = ['attach', 'probe', 're-attach', 'result'] as const;
export type LaneName = (typeof LANES)[number];

/** One notification on a lane. */
export interface Mark {
  /** Absolute virtual millisecond. */
  readonly frame: number;
  readonly kind: 'next' | 'error' | 'complete';
  /** The marble letter of a value, or the scenario's error name. */
  readonly label: string;
  /** False when it came after the lane was unsubscribed: it happened, but nobody saw it. */
  readonly seen: boolean;
}

/** When a lane was subscribed; `to` is undefined while it stays subscribed to the end. */
export interface Span {
  readonly from: number;
  readonly to: number | undefined;
}

export interface Lane {
  readonly name: LaneName;
  readonly marks: readonly Mark[];
  readonly spans: readonly Span[];
}

interface ParsedMessage {
  readonly frame: number;
  readonly notification: { readonly kind: 'N' | 'E' | 'C'; readonly value?: unknown; readonly error?: unknown };
}

/** Runs `parse` with the scheduler in run mode, where one frame is one millisecond. */
function inRunMode<T>(parse: () => T): T {
  return new TestScheduler(() => undefined).run(parse);
}

function toMarks(messages: readonly ParsedMessage[], offset: number, until: number): Mark[] {
  return messages.map(({ frame, notification }) => {
    const at = offset + frame;
    const seen = at <= until;
    if (notification.kind === 'N') return { frame: at, kind: 'next', label: String(notification.value), seen };
    if (notification.kind === 'E') return { frame: at, kind: 'error', label: String(notification.error), seen };
    return { frame: at, kind: 'complete', label: '|', seen };
  });
}

/** A cold lane (a socket or a probe) subscribed at the time its subscription marble says. */
function coldLane(marble: string, subscription: string, error: string | undefined): { marks: Mark[]; span: Span } {
  const log = TestScheduler.parseMarblesAsSubscriptions(subscription, true);
  const to = log.unsubscribedFrame === Infinity ? undefined : log.unsubscribedFrame;
  const messages = TestScheduler.parseMarbles(marble, undefined, error, false, true) as ParsedMessage[];
  return { marks: toMarks(messages, log.subscribedFrame, to ?? Infinity), span: { from: log.subscribedFrame, to } };
}

/** Builds the four lanes of a scenario. */
export function timeline(scenario: MarbleScenario): readonly Lane[] {
  return inRunMode(() => {
    const lanes: Record<LaneName, { marks: Mark[]; spans: Span[] }> = {
      attach: { marks: [], spans: [] },
      probe: { marks: [], spans: [] },
      're-attach': { marks: [], spans: [] },
      result: { marks: [], spans: [] },
    };
    for (const socket of scenario.sockets) {
      const { marks, span } = coldLane(socket.marble, socket.subscription, socket.error);
      const lane = lanes[socket.role === 'attach' ? 'attach' : 're-attach'];
      lane.marks.push(...marks);
      lane.spans.push(span);
    }
    for (const probe of scenario.probes) {
      const { marks, span } = coldLane(probe.marble, probe.subscription, undefined);
      lanes.probe.marks.push(...marks);
      lanes.probe.spans.push(span);
    }
    const unsubscribed = scenario.unsubscribe === undefined ? Infinity : TestScheduler.parseMarblesAsSubscriptions(scenario.unsubscribe, true).unsubscribedFrame;
    const expected = TestScheduler.parseMarbles(scenario.expected, undefined, scenario.expectedError, false, true) as ParsedMessage[];
    const marks = toMarks(expected, 0, unsubscribed);
    // The subscriber's subscription ends when it unsubscribes, or with the error or completion.
    const end = unsubscribed !== Infinity ? unsubscribed : marks.find((mark) => mark.kind !== 'next')?.frame;
    lanes.result.marks.push(...marks);
    lanes.result.spans.push({ from: 0, to: end });
    return LANES.map((name) => ({ name, ...lanes[name] }));
  });
}
