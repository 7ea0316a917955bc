/**
 * Starts one of the job's threads (`THREADS` in contract/names.ts). A bundle has each thread's
 * own bundle beside it (lib/bundling.ts builds them together). From source (tests, `tsx`), the
 * entry is TypeScript, loaded through tsx (a devDependency: source runs are development runs) by
 * source-thread.mjs.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { THREADS } from '../../contract/names.js';

export function startThread(
  thread: keyof typeof THREADS,
  options: Pick<WorkerOptions, 'workerData' | 'transferList' | 'resourceLimits'>,
): Worker {
  const { entry, bundle } = THREADS[thread];
  const fromSource = import.meta.url.endsWith('.ts');
  const url = fromSource
    ? new URL('./source-thread.mjs', import.meta.url)
    : new URL(`./${bundle}`, import.meta.url);
  return new Worker(url, {
    ...options,
    argv: fromSource ? [new URL(`../../${entry}`, import.meta.url).href] : [],
    // Not the parent's flags: a loader the parent runs under (tsx, say) would load there too.
    execArgv: [],
  });
}
