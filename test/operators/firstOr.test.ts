import { describe, it } from 'vitest';
import { firstOr } from '../../src/operators/firstOr.js';
import { createTestScheduler } from '../support/marbleHarness.js';

describe('firstOr', () => {
  it('emits the first value and completes at once, unsubscribing from the source', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--|');
      expectObservable(source.pipe(firstOr('f'))).toBe('--(a|)');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('emits the fallback when the source completes empty', () => {
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      expectObservable(cold('-----|').pipe(firstOr('f'))).toBe('-----(f|)');
    });
  });

  it('passes an error through, and a synchronous first value', () => {
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      expectObservable(cold('--#', {}, new Error('boom')).pipe(firstOr('f'))).toBe('--#', {}, new Error('boom'));
      expectObservable(cold('(ab|)').pipe(firstOr('f'))).toBe('(a|)');
    });
  });

  it('never emits for a source that never does, and lets go of it on unsubscription', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-------');
      expectObservable(source.pipe(firstOr('f')), '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
