import { build, buildSync, type BuildOptions } from 'esbuild';
import { basename, dirname, resolve } from 'node:path';
import { Entry, THREADS, WORKER_BUNDLE } from '../contract/names.js';
import { BUNDLE_OPTIONS } from './bundle-options.js';

/**
 * How every runtime bundle is built, in one place: the functions `cdk deploy` ships, the worker
 * image and the local cloud all use the settings of ./bundle-options.ts, so what runs locally is
 * what is deployed.
 */

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
 * beside it), everything included, as every function bundle is.
 * Returns the bundle's path.
 */
export function bundleWorker(repoRoot: string, outfile = resolve(repoRoot, WORKER_BUNDLE)): string {
  buildSync(entryOptions(repoRoot, Entry.worker, outfile, true));
  return outfile;
}

/**
 * Bundles a function entry as `cdk deploy` does (the AWS SDK included), for the local cloud; with the
 * threads beside it for a function that runs jobs (`PipelineFunctionProps.runsJobs`).
 */
export async function bundleFunction(
  repoRoot: string,
  entry: string,
  outfile: string,
  options: { runsJobs?: boolean } = {},
): Promise<string> {
  await build(entryOptions(repoRoot, entry, outfile, options.runsJobs ?? false));
  return outfile;
}

/**
 * Writes the threads' bundles into `outDir`, beside a function bundle built by the CDK's
 * `NodejsFunction` (its `afterBundling` hook runs `lib/bundle-threads.ts`), with the functions'
 * settings. Returns their paths.
 */
export function bundleThreads(repoRoot: string, outDir: string): string[] {
  buildSync(bundleOptions(repoRoot, outDir, threadEntries(repoRoot)));
  return Object.values(THREADS).map(({ bundle }) => resolve(outDir, bundle));
}
