import { defineConfig } from 'vitest/config';

// One root config runs every package's tests. `@spinefea/source` makes the
// workspace packages resolve to their TypeScript sources (see each package's
// `exports` map), so tests never run against a stale build.
export default defineConfig({
  resolve: { conditions: ['@spinefea/source'] },
  ssr: { resolve: { conditions: ['@spinefea/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
