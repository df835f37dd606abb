import { defineConfig } from 'vitest/config';

/** Browser tests: one build, one local workerd server, Debian's Chromium (test/browser/). */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
