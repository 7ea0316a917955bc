import { build, buildSync, type BuildOptions } from 'esbuild';
import { basename, dirname, resolve } from 'node:path';
import { Entry, THREADS, WORKER_BUNDLE } from '../contract/names.js';

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

/** `dispatcher.mjs` → `dispatcher`: esbuild's name for an entry point's output. */
function bundleName(file: string): string {
  if (!file.endsWith('.mjs')) throw new Error(`bundles are .mjs files, not ${file}`);
  return basename(file, '.mjs');
}

/**
 * What a bundle that runs jobs needs beside it: the bundles of the threads it starts (`THREADS`),
 * which it finds in the folder of the bundle it runs in.
 */
function threadEntries(repoRoot: string): { in: string; out: string }[] {
  return Object.values(THREADS).map(({ entry, bundle }) => ({
    in: resolve(repoRoot, entry),
    out: bundleName(bundle),
  }));
}

/** The shared settings for `entryPoints` written as `.mjs` files into `outDir`, in one esbuild run. */
function bundleOptions(
  repoRoot: string,
  outDir: string,
  entryPoints: { in: string; out: string }[],
): BuildOptions {
  return {
    ...BUNDLE_OPTIONS,
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: repoRoot,
  };
}

/** `entry` bundled into `outfile`, with the threads beside it when the bundle runs jobs. */
function entryOptions(repoRoot: string, entry: string, outfile: string, runsJobs: boolean): BuildOptions {
  const main = { in: resolve(repoRoot, entry), out: bundleName(outfile) };
  return bundleOptions(repoRoot, dirname(outfile), runsJobs ? [main, ...threadEntries(repoRoot)] : [main]);
}

/**
 * Bundles the worker into the files the image copies (`WORKER_BUNDLE` and the threads' bundles
 * beside it). Everything is bundled, the AWS SDK included, because the image is a bare Node.js.
 * Returns the bundle's path.
 */
export function bundleWorker(repoRoot: string, outfile = resolve(repoRoot, WORKER_BUNDLE)): string {
  buildSync(entryOptions(repoRoot, Entry.worker, outfile, true));
  return outfile;
}

/**
 * Bundles a function entry as `cdk deploy` does (AWS SDK external), for the local cloud; with the
 * threads beside it for a function that runs jobs (`PipelineFunctionProps.runsJobs`).
 */
export async function bundleFunction(
  repoRoot: string,
  entry: string,
  outfile: string,
  options: { runsJobs?: boolean } = {},
): Promise<string> {
  await build({
    ...entryOptions(repoRoot, entry, outfile, options.runsJobs ?? false),
    external: LAMBDA_EXTERNALS,
  });
  return outfile;
}

/**
 * Writes the threads' bundles into `outDir`, beside a function bundle built by the CDK's
 * `NodejsFunction` (its `afterBundling` hook runs `lib/bundle-threads.ts`), with the functions'
 * settings. Returns their paths.
 */
export function bundleThreads(repoRoot: string, outDir: string): string[] {
  buildSync({ ...bundleOptions(repoRoot, outDir, threadEntries(repoRoot)), external: LAMBDA_EXTERNALS });
  return Object.values(THREADS).map(({ bundle }) => resolve(outDir, bundle));
}
