import { TERMINAL_STATUSES, type Job } from '../runtime/job.js';
import type { JobsTable } from '../runtime/aws/jobs-table.js';

export interface WaitOptions {
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 250 */
  intervalMs?: number;
  /** Called after each poll with the jobs seen so far (missing ones are not created yet). */
  onProgress?: (jobs: Map<string, Job>) => void;
}

/** Polls the jobs table until every job has reached SUCCEEDED or FAILED; throws on timeout. */
export async function waitForJobs(
  jobs: JobsTable,
  jobIds: string[],
  options: WaitOptions = {},
): Promise<Map<string, Job>> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const seen = new Map<string, Job>();
  for (;;) {
    for (const id of jobIds) {
      if (TERMINAL_STATUSES.includes(seen.get(id)?.status as Job['status'])) continue;
      const job = await jobs.get(id);
      if (job) seen.set(id, job);
    }
    options.onProgress?.(seen);
    const open = jobIds.filter((id) => !TERMINAL_STATUSES.includes(seen.get(id)?.status as Job['status']));
    if (open.length === 0) return seen;
    if (Date.now() > deadline) {
      const states = open.map((id) => `${seen.get(id)?.key ?? id}: ${seen.get(id)?.status ?? 'no job yet'}`);
      throw new Error(`jobs still open after ${options.timeoutMs ?? 60_000} ms: ${states.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
