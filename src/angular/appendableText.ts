import { computed, signal, type Signal } from '@angular/core';

/** Text that grows by appends, read through a signal. */
export interface AppendableText {
  /** Everything appended so far, in order. */
  readonly text: Signal<string>;
  /** Adds `chunk` at the end: amortised constant time, whatever the length so far. */
  append(chunk: string): void;
}

/**
 * A text signal for output that arrives in many small chunks.
 *
 * Invariant: `text()` is `settled + pending.join('')`. An append only pushes onto `pending` and
 * bumps a counter; the first read after appends joins what is pending onto `settled`, once. So a
 * burst of chunks between two change detections costs one join of the burst, never a new copy of
 * the whole text per chunk.
 *
 * @example
 * const out = appendableText();
 * out.append('hel');
 * out.append('lo');
 * out.text(); // 'hello'
 */
export function appendableText(): AppendableText {
  let settled = '';
  const pending: string[] = [];
  const appends = signal(0);
  const text = computed(() => {
    appends();
    if (pending.length > 0) {
      settled += pending.join('');
      pending.length = 0;
    }
    return settled;
  });
  return {
    text,
    append(chunk) {
      pending.push(chunk);
      appends.update((count) => count + 1);
    },
  };
}
