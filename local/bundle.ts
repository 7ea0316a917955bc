import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleFunction, bundleWorker } from '../lib/bundling.js';
import { Entry } from '../contract/names.js';
import { REPO_ROOT } from './emulator.js';

export interface LocalBundles {
  dispatcher: string;
  taskState: string;
  sweeper: string;
  launcher: string;
  reconciler: string;
  worker: string;
  lambdaHost: string;
}

/**
 * Bundles the runtime entry points into `outDir` with the deployed settings (lib/bundling.ts), so
 * the local cloud runs what ships. Takes 2.5–4 s on two vCPUs, as busy as the machine is.
 */
export async function bundleLocal(outDir: string): Promise<LocalBundles> {
  await mkdir(outDir, { recursive: true });
  const out = (name: string) => path.join(outDir, `${name}.mjs`);
  const [dispatcher, taskState, sweeper, launcher, reconciler, lambdaHost] = await Promise.all([
    bundleFunction(REPO_ROOT, Entry.dispatcher, out('dispatcher'), { runsJobs: true }),
    bundleFunction(REPO_ROOT, Entry.taskState, out('task-state')),
    bundleFunction(REPO_ROOT, Entry.sweeper, out('sweeper')),
    bundleFunction(REPO_ROOT, Entry.launcher, out('launcher')),
    bundleFunction(REPO_ROOT, Entry.reconciler, out('reconciler')),
    bundleFunction(REPO_ROOT, 'local/lambda-host.ts', out('lambda-host')),
  ]);
  return {
    dispatcher,
    taskState,
    sweeper,
    launcher,
    reconciler,
    lambdaHost,
    worker: bundleWorker(REPO_ROOT, out('worker')),
  };
}
