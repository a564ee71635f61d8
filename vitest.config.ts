import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Angular's decorators are the legacy (experimentalDecorators) kind; only examples/angular uses any.
  oxc: { decorator: { legacy: true } },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/plainSummary.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
