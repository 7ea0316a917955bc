import { build, type BuildOptions } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Entry } from '../lib/contract.js';
import { REPO_ROOT } from './emulator.js';

export interface LocalBundles {
  dispatcher: string;
  taskState: string;
  sweeper: string;
  worker: string;
  lambdaHost: string;
}

/** The same bundling as the deployed functions: one ESM file, AWS SDK external (the runtime has it). */
const LAMBDA_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'error',
};

/**
 * Bundles the runtime entry points into `outDir` with esbuild, the way they are deployed, so the
 * local cloud runs the very files that ship. Takes about a second.
 */
export async function bundleLocal(outDir: string): Promise<LocalBundles> {
  await mkdir(outDir, { recursive: true });
  const out = (name: string) => path.join(outDir, `${name}.mjs`);
  const entry = (file: string) => path.join(REPO_ROOT, file);
  await Promise.all([
    build({ ...LAMBDA_OPTIONS, entryPoints: [entry(Entry.dispatcher)], outfile: out('dispatcher') }),
    build({ ...LAMBDA_OPTIONS, entryPoints: [entry(Entry.taskState)], outfile: out('task-state') }),
    build({ ...LAMBDA_OPTIONS, entryPoints: [entry(Entry.sweeper)], outfile: out('sweeper') }),
    build({ ...LAMBDA_OPTIONS, entryPoints: [entry('local/lambda-host.ts')], outfile: out('lambda-host') }),
    // The worker image has no AWS SDK, so its bundle carries it.
    build({ ...LAMBDA_OPTIONS, external: [], entryPoints: [entry(Entry.worker)], outfile: out('worker') }),
  ]);
  return {
    dispatcher: out('dispatcher'),
    taskState: out('task-state'),
    sweeper: out('sweeper'),
    worker: out('worker'),
    lambdaHost: out('lambda-host'),
  };
}
