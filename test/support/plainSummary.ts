import type { Reporter, TestModule } from 'vitest/node';

/** Untagged files that take longer than this are listed too: a suite that grew slow shows itself. */
const UNTAGGED_LISTED_MS = 5_000;

/** A file's `slow/…` tags (vitest.config.ts), from its tests. */
function slowTags(module: TestModule): string[] {
  const tags = new Set<string>();
  for (const test of module.children.allTests()) for (const tag of test.tags) if (tag.startsWith('slow/')) tags.add(tag);
  return [...tags].sort();
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`.padStart(8);

/**
 * Ends the run with the time of each slow file, slowest first (files with a `slow/…` tag, and
 * untagged ones over UNTAGGED_LISTED_MS), then one plain line, `N passed, N failed, N skipped`,
 * for tools that read it.
 */
export default class PlainSummary implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    const slow = testModules
      .map((module) => ({ file: module.relativeModuleId, ms: module.diagnostic().duration, tags: slowTags(module) }))
      .filter(({ ms, tags }) => tags.length > 0 || ms > UNTAGGED_LISTED_MS)
      .sort((a, b) => b.ms - a.ms);
    const lines = slow.map(({ file, ms, tags }) => `${seconds(ms)}  ${file}  ${tags.length > 0 ? tags.join(' ') : 'untagged'}`);
    const heading = slow.length > 0 ? `\nslow files (a slow/… tag, or untagged over ${UNTAGGED_LISTED_MS / 1000} s):\n` : '';
    process.stdout.write(`${heading}${lines.map((line) => `${line}\n`).join('')}\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
