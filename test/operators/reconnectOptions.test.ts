/**
 * `reconnectWithBackoff`'s and `reattach`'s options, checked at the call with `checkOptions`: an
 * unknown key is a `TypeError` naming it, a bad delay a `RangeError`,
 * each in the one message style `owner: name must be …, got …`.
 */
import { EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { reattach } from '../../src/observables/reattach.js';
import { reconnectWithBackoff, type ReconnectConfig, type ReconnectContext } from '../../src/operators/reconnectWithBackoff.js';

describe('reconnectWithBackoff: its options', () => {
  it.each<[string, ReconnectConfig, ReconnectContext, string]>([
    ['a misspelled policy key', { budgt: 5 } as ReconnectConfig, {}, 'reconnectWithBackoff: unknown option budgt'],
    ['an unknown context key', {}, { accepted: () => true } as ReconnectContext, 'reconnectWithBackoff: unknown option context.accepted'],
    ['a misspelled refused key', {}, { refused: { maxDelai: 5 } } as ReconnectContext, 'reconnectWithBackoff: unknown option refused.maxDelai'],
  ])('%s is a TypeError naming it', (_name, config, context, message) => {
    expect(() => reconnectWithBackoff(config, context)).toThrow(new TypeError(message));
  });

  it.each<[string, ReconnectConfig, ReconnectContext, string]>([
    ['a negative initialDelay', { initialDelay: -1 }, {}, 'reconnectWithBackoff: initialDelay must be a number of milliseconds >= 0 up to 2147483647, got -1'],
    ['a maxDelay past what a timer waits', { maxDelay: 2 ** 31 }, {}, 'reconnectWithBackoff: maxDelay must be a number of milliseconds >= 0 up to 2147483647, got 2147483648'],
    ['a maxDelay below initialDelay', { initialDelay: 10, maxDelay: 5 }, {}, 'reconnectWithBackoff: maxDelay must be >= initialDelay (10), got 5'],
    ['a budget that is not a number', { budget: '5' as unknown as number }, {}, 'reconnectWithBackoff: budget must be a number of milliseconds >= 0, got 5'],
    ['a negative healthyAfter', { healthyAfter: -1 }, {}, 'reconnectWithBackoff: healthyAfter must be a number of milliseconds >= 0, got -1'],
    ['a NaN refused delay', {}, { refused: { initialDelay: Number.NaN } }, 'reconnectWithBackoff: refused.initialDelay must be a number of milliseconds >= 0 up to 2147483647, got NaN'],
  ])('%s is a RangeError', (_name, config, context, message) => {
    expect(() => reconnectWithBackoff(config, context)).toThrow(new RangeError(message));
  });

  it('accepts every documented key, 0 delays and an endless budget', () => {
    expect(() =>
      reconnectWithBackoff(
        { initialDelay: 0, maxDelay: 0, budget: Infinity, healthyAfter: 0 },
        { refused: { initialDelay: 0, maxDelay: 0 }, opened: EMPTY },
      ),
    ).not.toThrow();
  });
});

describe('reattach: its options', () => {
  it('a misspelled key is a TypeError naming it', () => {
    expect(() => reattach(EMPTY, { deadlin: 5 } as never)).toThrow(new TypeError('reattach: unknown option deadlin'));
  });

  it.each([
    [{ initialDelay: -1 }, 'reattach: initialDelay must be a number of milliseconds >= 0 up to 2147483647, got -1'],
    [{ maxDelay: Infinity }, 'reattach: maxDelay must be a number of milliseconds >= 0 up to 2147483647, got Infinity'],
    [{ deadline: -5 }, 'reattach: deadline must be a number of milliseconds >= 0, got -5'],
  ])('%o is a RangeError', (backoff, message) => {
    expect(() => reattach(EMPTY, backoff)).toThrow(new RangeError(message));
  });
});
