/** The emulator's `lost` script step is checked as options are: unknown keys, the stream, the byte count. */
import { describe, expect, it } from 'vitest';
import { startRunnerEmulator } from '../../src/testing/index.js';

describe('startRunnerEmulator: the lost step is checked up front', () => {
  it.each([
    [{ stream: 'stdout', bytes: 5, extra: 1 }, TypeError, 'unknown option scripts.job.steps[0].lost.extra'],
    [{ stream: 'stdin', bytes: 5 }, TypeError, 'scripts.job.steps[0].lost.stream must be'],
    [{ stream: 'stdout' }, TypeError, 'must name stream and bytes'],
    [{ stream: 'stderr', bytes: -1 }, RangeError, 'scripts.job.steps[0].lost.bytes must be an integer >= 0, got -1'],
    [{ stream: 'stderr', bytes: 1.5 }, RangeError, 'scripts.job.steps[0].lost.bytes must be an integer >= 0'],
  ])('%j', async (lost, type, message) => {
    const start = () => startRunnerEmulator({ scripts: { job: { steps: [{ lost } as never] } } });
    await expect(start()).rejects.toThrow(type);
    await expect(start()).rejects.toThrow(message);
  });
});
