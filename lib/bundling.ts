import { build, buildSync, type BuildOptions } from 'esbuild';
import { basename, dirname, resolve } from 'node:path';
import { Entry, PARSE_THREAD_BUNDLE, WORKER_BUNDLE } from '../contract/names.js';

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
 * What a bundle that runs the job core needs beside it: the parse thread's own bundle
 * (`PARSE_THREAD_BUNDLE`), which the core starts from the folder of the bundle it runs in.
 */
function parseThreadEntry(repoRoot: string): { in: string; out: string } {
  return { in: resolve(repoRoot, Entry.parseThread), out: bundleName(PARSE_THREAD_BUNDLE) };
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

/** `entry` bundled into `outfile`, with the parse thread beside it when the bundle runs jobs. */
function entryOptions(repoRoot: string, entry: string, outfile: string, parseThread: boolean): BuildOptions {
  const main = { in: resolve(repoRoot, entry), out: bundleName(outfile) };
  return bundleOptions(repoRoot, dirname(outfile), parseThread ? [main, parseThreadEntry(repoRoot)] : [main]);
}

/**
 * Bundles the worker into the files the image copies (`WORKER_BUNDLE` and the parse thread
 * beside it). Everything is bundled, the AWS SDK included, because the image is a bare Node.js.
 * Returns the bundle's path.
 */
export function bundleWorker(repoRoot: string, outfile = resolve(repoRoot, WORKER_BUNDLE)): string {
  buildSync(entryOptions(repoRoot, Entry.worker, outfile, true));
  return outfile;
}

/**
 * Bundles a function entry as `cdk deploy` does (AWS SDK external), for the local cloud; with the
 * parse thread beside it for a function that runs jobs (`PipelineFunctionProps.runsJobs`).
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
 * Writes the parse thread's bundle into `outDir`, beside a function bundle built by the CDK's
 * `NodejsFunction` (its `afterBundling` hook runs `lib/bundle-parse-thread.ts`), with the
 * functions' settings.
 */
export function bundleParseThread(repoRoot: string, outDir: string): string {
  buildSync({ ...bundleOptions(repoRoot, outDir, [parseThreadEntry(repoRoot)]), external: LAMBDA_EXTERNALS });
  return resolve(outDir, PARSE_THREAD_BUNDLE);
}
