import type { JobReport } from '../../src/core/index.js';
import { jobIdFor, type ResultDocument } from '../../src/runtime/job.js';

/** A result document around `report`, as a job on `key` would have written it. */
export function resultDocument(
  report: JobReport,
  key: string,
  job: Partial<ResultDocument['job']> = {},
): ResultDocument<JobReport> {
  return {
    job: {
      jobId: jobIdFor('data-bucket', key, null),
      bucket: 'data-bucket',
      key,
      versionId: null,
      route: 'lambda',
      attempt: 1,
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:01.250Z',
      durationMs: 1250,
      sourceLastModified: '2024-12-31T23:59:00.000Z',
      ...job,
    },
    report,
  };
}
