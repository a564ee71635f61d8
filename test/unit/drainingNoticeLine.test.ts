/**
 * The CLI and a `server-draining` notice: shown without `--verbose` (a wait the user would take for
 * a hang), never a warning (no output is at stake, so `--strict` does not fail on it).
 */
import { describe, expect, it } from 'vitest';
import { isWarning, noticeLine } from '../../src/cli/warnings.js';
import { notice } from '../../src/events.js';

describe('noticeLine: server-draining', () => {
  const draining = notice('server-draining', 'runner is draining: POST /exec again in 500 ms', { attempt: 1, delay: 500 });

  it.each([[false], [true]])('verbose %s: printed as a notice line', (verbose) => {
    expect(noticeLine(draining, verbose)).toBe('notice (server-draining): runner is draining: POST /exec again in 500 ms');
  });

  it('is not a warning', () => {
    expect(isWarning(draining)).toBe(false);
  });

  it('the other news stays verbose-only', () => {
    expect(noticeLine(notice('reconnected', 'reconnected after 1 attempt(s)'), false)).toBeUndefined();
  });
});
