import { describe, expect, it } from 'vitest';
import type { OutputEvent } from '../../src/events.js';
import { JOIN_LIMIT, readBatch } from '../../src/transport/readBatch.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const frame = (channel: number, text: string): Uint8Array => Buffer.concat([Buffer.from([channel]), Buffer.from(text)]);
const text = (event: OutputEvent): string => Buffer.from(event.data).toString('utf8');
const shown = (events: readonly OutputEvent[]) => events.map((event) => ({ type: event.type, text: text(event), frames: event.frames }));

describe('readBatch: the frames of one socket read as one event', () => {
  it('joins the frames of one stream added in one tick, each length kept, in the microtask after the first', async () => {
    const events: OutputEvent[] = [];
    const batch = readBatch((event) => events.push(event));
    expect(batch.add(frame(1, 'INFO a\n'))).toBe(true);
    expect(batch.add(frame(1, 'INFO état ✓\n'))).toBe(true);
    expect(batch.add(frame(1, 'x'.repeat(JOIN_LIMIT)))).toBe(true);
    expect(events).toEqual([]);
    await Promise.resolve();
    expect(shown(events)).toEqual([{ type: 'stdout', text: `INFO a\nINFO état ✓\n${'x'.repeat(JOIN_LIMIT)}`, frames: [7, 15, JOIN_LIMIT] }]);
  });

  it('hands one frame on as a view of its payload, without `frames`', async () => {
    const events: OutputEvent[] = [];
    const batch = readBatch((event) => events.push(event));
    const only = frame(2, 'warning\n');
    batch.add(only);
    await Promise.resolve();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ type: 'stderr', data: new Uint8Array(Buffer.from('warning\n')) });
    expect(events[0]?.data.buffer).toBe(only.buffer);
    expect(events[0]?.data).not.toBeInstanceOf(Buffer);
  });

  it('keeps the order across streams: a frame of the other stream sends the pending ones first', async () => {
    const events: OutputEvent[] = [];
    const batch = readBatch((event) => events.push(event));
    batch.add(frame(1, 'a'));
    batch.add(frame(1, 'b'));
    batch.add(frame(2, 'E'));
    batch.add(frame(1, 'c'));
    await Promise.resolve();
    expect(shown(events)).toEqual([
      { type: 'stdout', text: 'ab', frames: [1, 1] },
      { type: 'stderr', text: 'E', frames: undefined },
      { type: 'stdout', text: 'c', frames: undefined },
    ]);
  });

  it('sends a large frame alone and the pending ones before it; other frames are the caller\'s, after the pending ones', () => {
    const events: OutputEvent[] = [];
    const batch = readBatch((event) => events.push(event));
    batch.add(frame(1, 'a'));
    expect(batch.add(frame(1, 'L'.repeat(JOIN_LIMIT + 1)))).toBe(false);
    expect(shown(events)).toEqual([{ type: 'stdout', text: 'a', frames: undefined }]);
    batch.add(frame(1, 'b'));
    expect(batch.add(new Uint8Array([0x07, 0x41]))).toBe(false);
    expect(batch.add(new Uint8Array([0x01]))).toBe(false);
    expect(batch.add(new Uint8Array([]))).toBe(false);
    expect(shown(events)).toEqual([
      { type: 'stdout', text: 'a', frames: undefined },
      { type: 'stdout', text: 'b', frames: undefined },
    ]);
  });

  it('flush sends at once (before a text frame or an end); drop forgets; the microtask then sends nothing more', async () => {
    const events: OutputEvent[] = [];
    const batch = readBatch((event) => events.push(event));
    batch.add(frame(1, 'a'));
    batch.add(frame(1, 'b'));
    batch.flush();
    expect(shown(events)).toEqual([{ type: 'stdout', text: 'ab', frames: [1, 1] }]);
    batch.add(frame(1, 'gone'));
    batch.drop();
    await Promise.resolve();
    expect(events).toHaveLength(1);
  });

  it('runs in virtual time: frames at 1 ms are one event at 1 ms, frames at 3 ms another at 3 ms', () => {
    const scheduler = createTestScheduler('exact');
    const seen: string[] = [];
    scheduler.run(() => {
      const batch = readBatch((event) => seen.push(`${scheduler.now()}:${text(event)}:${String(event.frames)}`));
      scheduler.schedule(() => {
        batch.add(frame(1, 'a'));
        batch.add(frame(1, 'b'));
        expect(seen).toEqual([]);
      }, 1);
      scheduler.schedule(() => batch.add(frame(1, 'c')), 3);
    });
    expect(seen).toEqual(['1:ab:1,1', '3:c:undefined']);
  });
});
