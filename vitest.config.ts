import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'fixtures/golden/handler/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    // The SDK's Node-22 notice is noise in test output, as it is for CLI users (src/cli/main.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
