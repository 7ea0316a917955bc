import { TERMINAL_STATUSES, type Job, type JobStatus } from '../runtime/job.js';
import { ExitCode, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './command.js';
import { renderTable, type Column } from './result-table.js';
import { connectTarget } from './target.js';
import { uploadPath } from './result-documents.js';

const STATUSES: readonly JobStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

const USAGE = `usage: pipeline jobs [--status ${STATUSES.join('|')}] [--watch] [--stack NAME] [--region R]

One line per job, oldest first: file, status, route, attempts, duration, error.
--watch refreshes every few seconds until no job is open (QUEUED or RUNNING).

${TARGET_USAGE}`;

/** How often `--watch` reads the table again. */
const REFRESH_MS = 2000;

/** Long errors are cut in the table; `pipeline jobs` is for finding them, the job item holds all. */
const ERROR_WIDTH = 80;

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

function shorten(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

export const JOB_COLUMNS: readonly Column<Job>[] = [
  { header: 'file', cell: (j) => uploadPath(j.key) },
  { header: 'status', cell: (j) => j.status },
  { header: 'route', cell: (j) => j.route ?? '-' },
  { header: 'attempts', numeric: true, cell: (j) => String(j.attempts) },
  { header: 'duration', numeric: true, cell: (j) => seconds(j.durationMs) },
  { header: 'error', cell: (j) => shorten(j.error ?? '', ERROR_WIDTH) },
];

/** Jobs in the order they were created, those with `status` only when it is given. */
export function selectJobs(jobs: readonly Job[], status?: JobStatus): Job[] {
  return jobs
    .filter((j) => status === undefined || j.status === status)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
}

/** One line that counts jobs by status, e.g. `3 SUCCEEDED, 1 FAILED, 2 RUNNING`. */
export function countByStatus(jobs: readonly { status: JobStatus }[]): string {
  const counts = STATUSES.map((s) => [s, jobs.filter((j) => j.status === s).length] as const);
  return (
    counts
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') || 'no jobs'
  );
}

export function isOpen(job: Job): boolean {
  return !TERMINAL_STATUSES.includes(job.status);
}

/** `pipeline jobs`: returns the exit code. */
export function runJobs(args: string[]): Promise<number> {
  const options = { ...TARGET_OPTIONS, status: { type: 'string' }, watch: { type: 'boolean' } } as const;
  return runCommand(args, USAGE, options, async ({ values, positionals }) => {
    const status = values.status?.toUpperCase() as JobStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not "${values.status}"`);
    }
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const target = await connectTarget(values);
    try {
      const terminal = Boolean(process.stdout.isTTY);
      for (;;) {
        const all: Job[] = [];
        for await (const job of target.jobs.list()) all.push(job);
        const shown = selectJobs(all, status);
        // On a terminal, each refresh replaces the last; elsewhere, each is appended.
        if (values.watch && terminal) process.stdout.write('\x1b[H\x1b[2J');
        if (shown.length) process.stdout.write(`${renderTable(JOB_COLUMNS, shown)}\n`);
        process.stdout.write(`${countByStatus(all)} (${target.description})\n`);
        if (!values.watch || !all.some(isOpen)) return ExitCode.OK;
        await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      }
    } finally {
      target.destroy();
    }
  });
}
