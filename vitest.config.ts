import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { targetName } from './test/e2e/target-name.js';

export default defineConfig({
  test: {
    // The SDK's notice that its 2027 releases need Node 22 would repeat in every test file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // One worker per CPU: vitest's default leaves one to itself, which on two CPUs runs the files
    // one after another, while most of them wait on the processes they start.
    maxWorkers: availableParallelism(),
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Each file starts a local cloud of its own; on LocalStack and AWS they share one stack,
          // where a file counts the dispatcher's invocations.
          fileParallelism: targetName() === 'local',
        },
      },
    ],
  },
});
