import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The time a test that takes seconds by nature may take, on a loaded machine too. Measured with
 * the two cores shared by several full runs: the slowest, the bench smoke run, passed 30 s (its
 * old timeout) once, and took 10 s in a full run on its own; cli.slowReader 17-21 s.
 */
const SLOW_TIMEOUT_MS = 60_000;

export default defineConfig({
  // Angular's decorators are the legacy (experimentalDecorators) kind; only examples/angular uses any.
  oxc: { decorator: { legacy: true } },
  // The package's own name (src/angular and examples/ import it) means its sources, as in tsconfig's paths.
  resolve: {
    alias: [
      { find: /^boxlite-rx$/, replacement: fileURLToPath(new URL('src/index.ts', import.meta.url)) },
      { find: /^boxlite-rx\/(angular|testing)$/, replacement: fileURLToPath(new URL('src/', import.meta.url)) + '$1/index.ts' },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/plainSummary.ts'],
    // A test or hook that takes seconds fails here, unless it says why: a `slow/…` tag (a file's
    // `// @module-tag slow/…` line, or a test's `tags` option) gives it SLOW_TIMEOUT_MS, and
    // plainSummary lists its file and time at the end of each run. `--tags-filter='!slow/*'`
    // runs the rest. A slow hook states its own timeout: tags do not reach hooks.
    testTimeout: 5_000,
    hookTimeout: 5_000,
    tags: [
      { name: 'slow/process', description: 'spawns processes: the built CLI, tsc, ngc, npm, tsx, a tmux pane', timeout: SLOW_TIMEOUT_MS },
      { name: 'slow/sockets', description: 'hundreds of executions over real sockets', timeout: SLOW_TIMEOUT_MS },
      { name: 'slow/cpu', description: 'thousands of property or simulation runs', timeout: SLOW_TIMEOUT_MS },
      { name: 'slow/browser', description: 'headless Chromium', timeout: SLOW_TIMEOUT_MS },
    ],
  },
});
