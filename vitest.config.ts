import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'fixtures/golden/handler/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
