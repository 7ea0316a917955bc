import { build, buildSync, type BuildOptions } from 'esbuild';
import { resolve } from 'node:path';
import { Entry, WORKER_BUNDLE } from '../contract/names.js';

/**
 * How every runtime bundle is built, in one place: the functions `cdk deploy` ships, the worker
 * image and the local cloud all use these settings, so what runs locally is what is deployed.
 */

/** Lets the CommonJS parts of bundled dependencies call `require` inside an ES module. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);";

/** Node 20 syntax: runs here and on every current Lambda and container runtime. */
export const BUNDLE_TARGET = 'node20';

/** Left out of function bundles: the Lambda runtime provides the AWS SDK v3. */
export const LAMBDA_EXTERNALS = ['@aws-sdk/*'];

/** The esbuild options shared by every bundle (the NodejsFunction construct maps them to its own props). */
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

/**
 * Bundles the worker into the single file the image copies (`WORKER_BUNDLE`). Everything is
 * bundled, the AWS SDK included, because the image is a bare Node.js. Returns the bundle's path.
 */
export function bundleWorker(repoRoot: string, outfile = resolve(repoRoot, WORKER_BUNDLE)): string {
  buildSync({
    ...BUNDLE_OPTIONS,
    entryPoints: [resolve(repoRoot, Entry.worker)],
    outfile,
    absWorkingDir: repoRoot,
  });
  return outfile;
}

/** Bundles a function entry as `cdk deploy` does (AWS SDK external), for the local cloud. */
export async function bundleFunction(repoRoot: string, entry: string, outfile: string): Promise<string> {
  await build({
    ...BUNDLE_OPTIONS,
    external: LAMBDA_EXTERNALS,
    entryPoints: [resolve(repoRoot, entry)],
    outfile,
    absWorkingDir: repoRoot,
  });
  return outfile;
}
