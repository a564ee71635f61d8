// @module-tag slow/process
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SMOKE } from '../bench/config.js';
import { runBenchmarks } from '../bench/suite.js';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('bench smoke run', () => {
  it('runs every benchmark at tiny sizes and produces every figure, each with its numbers', async () => {
    // The benchmarks measure the built package.
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run 'npm run build' first (npm test does)`);
    const lines: string[] = [];
    const figures = await runBenchmarks(SMOKE, (line) => lines.push(line));

    expect(figures.map((figure) => figure.id)).toEqual(['1a', '1b', '2', '3', '4', '5', '5b', '6', '6b', '7', '8', '8b', '9a', '9b']);
    for (const figure of figures) {
      expect(typeof figure.met).toBe('boolean');
      expect(['boolean', 'undefined']).toContain(typeof figure.targetMet);
      for (const text of [figure.name, figure.ours, figure.baseline, figure.ratio, figure.target]) expect(text).not.toBe('');
      for (const value of Object.values(figure.values)) expect(Number.isFinite(value)).toBe(true);
    }
    const byId = new Map(figures.map((figure) => [figure.id, figure.values]));
    for (const id of ['1a', '1b', '2']) {
      expect(byId.get(id)?.ours).toBeGreaterThan(0);
      expect(byId.get(id)?.baseline).toBeGreaterThan(0);
    }
    expect(byId.get('3')?.rttMs).toBeGreaterThan(0);
    expect(byId.get('4')?.ours).toBeGreaterThanOrEqual(0);
    expect(byId.get('5')).toMatchObject({ exact: SMOKE.concurrency.executions, executions: SMOKE.concurrency.executions });
    expect(byId.get('5b')).toMatchObject({ exact: SMOKE.concurrency.executions });
    expect(byId.get('5b')?.p50Ratio).toBeGreaterThan(0);
    expect(byId.get('6')).toHaveProperty('total');
    // Figure 6b: a real process's log lines through both clients, every run checked byte for byte
    // (nothing dropped at smoke size) or, had something been dropped, told by boxlite-rx.
    const rounds = SMOKE.fastProducer.rounds;
    expect(byId.get('6b')).toMatchObject({ exactRuns: rounds, baselineExactRuns: rounds, brokenRuns: 0, baselineBrokenRuns: 0, rounds });
    expect(byId.get('6b')?.expectedBytes).toBeGreaterThan(100_000);
    // Figures 7 and 8 (SMOKE sets a 20 ms first reconnect delay): they complete, with latencies
    // measured on both sides of the cut, every cut resumed, and no line lost, repeated or garbled.
    const exactLines = { lost: 0, repeated: 0, malformed: 0, undelivered: 0, capped: 0 };
    expect(byId.get('7')).toMatchObject(exactLines);
    expect(byId.get('7')?.linesBefore).toBe(SMOKE.liveLatency.linesBefore);
    expect(byId.get('7')?.linesAfter).toBeGreaterThanOrEqual(SMOKE.liveLatency.linesAfter);
    expect(byId.get('7')?.p99Before).toBeGreaterThan(0);
    expect(byId.get('7')?.p99After).toBeGreaterThan(0);
    expect(byId.get('8')).toMatchObject({ ...exactLines, cuts: SMOKE.resume.cuts, cutsApplied: SMOKE.resume.cuts, cutsResumed: SMOKE.resume.cuts });
    expect(byId.get('8')?.p50).toBeGreaterThan(0);
    expect(byId.get('8')?.rttMs).toBeGreaterThan(0);
    // Resume time against the bare ws floor measured in the same run.
    expect(byId.get('8')?.floorP50).toBeGreaterThan(0);
    expect(byId.get('8')?.floorRatio).toBeGreaterThan(0);
    // Through the delaying proxy: a round trip of at least twice its one-way hold.
    expect(byId.get('8b')?.rttMs).toBeGreaterThanOrEqual(2 * SMOKE.resume.linkOneWayMs);
    expect(byId.get('8b')?.p50).toBeGreaterThan(0);
    expect(byId.get('8b')?.offP50).toBeGreaterThan(0);
    expect(byId.get('8b')?.floorP50).toBeGreaterThan(0);
    // Figure 9: both comparisons measured CPU and rate on each side.
    for (const id of ['9a', '9b']) {
      for (const key of ['cpuMs', 'baselineCpuMs', 'mibPerSecond', 'baselineMibPerSecond']) expect(byId.get(id)?.[key]).toBeGreaterThan(0);
    }
    // The raw numbers are printed along the way: per client, per figure.
    for (const what of ['1. throughput', '2. throughput', '3. drain latency', '4. memory', '5. concurrency', '6b. fast producer', '7. live latency', '8. resume time', '9. 1 KiB frames']) {
      expect(lines.some((line) => line.startsWith(what))).toBe(true);
    }
    expect(lines.filter((line) => line.includes('boxlite-rx')).length).toBeGreaterThanOrEqual(5);
  });
});
