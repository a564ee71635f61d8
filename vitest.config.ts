import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
