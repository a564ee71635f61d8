import { describe, expect, it } from 'vitest';
import { Relay } from '../../src/transport/relay.js';

/** Subscribes and records what arrives. */
function watch<T>(relay: Relay<T>) {
  const seen: string[] = [];
  const subscription = relay.events.subscribe({
    next: (value) => seen.push(`next ${String(value)}`),
    error: (error: unknown) => seen.push(`error ${(error as Error).message}`),
    complete: () => seen.push('complete'),
  });
  return { seen, subscription };
}

describe('Relay', () => {
  it('next reaches the current subscribers only', () => {
    const relay = new Relay<number>();
    const first = watch(relay);
    relay.next(1);
    const second = watch(relay);
    relay.next(2);
    second.subscription.unsubscribe();
    relay.next(3);
    expect(first.seen).toEqual(['next 1', 'next 2', 'next 3']);
    expect(second.seen).toEqual(['next 2']);
  });

  it('error reaches the current subscribers and every later one; later calls do nothing', () => {
    const relay = new Relay<number>();
    const early = watch(relay);
    relay.error(new Error('bad stdin'));
    relay.error(new Error('second'));
    relay.next(1);
    const late = watch(relay);
    expect(early.seen).toEqual(['error bad stdin']);
    expect(late.seen).toEqual(['error bad stdin']);
  });

  it('a subscriber that unsubscribes inside next does not stop the others', () => {
    const relay = new Relay<number>();
    const seen: number[] = [];
    const subscription = relay.events.subscribe(() => subscription.unsubscribe());
    relay.events.subscribe((value) => seen.push(value));
    relay.next(7);
    relay.next(8);
    expect(seen).toEqual([7, 8]);
  });
});
