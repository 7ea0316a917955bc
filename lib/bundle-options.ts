import type { BuildOptions } from 'esbuild';

/**
 * The esbuild settings every bundle of ours is built with: the functions `cdk deploy` ships, the
 * worker image, the local cloud, and the CLI and benchmark runners (scripts/bundled.mjs reads
 * this file, so it imports nothing but types).
 */

/** Lets the CommonJS parts of bundled dependencies call `require` inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);";

/** Node 20 syntax: runs here and on every current Lambda and container runtime. */
const BUNDLE_TARGET = 'node20';

/**
 * The esbuild options shared by every bundle (the NodejsFunction construct maps them to its own
 * props). The AWS SDK is bundled too, not taken from the Lambda runtime: only the clients and
 * commands we use, from its ES modules, minified, load in less time and memory than the runtime's
 * packages (BENCHMARKS.md, "the AWS SDK in the bundle"), and the version is the one tested.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: BUNDLE_TARGET,
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: false,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;
