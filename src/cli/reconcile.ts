import { RECONCILE_DEFAULTS } from '../../contract/names.js';
import { dispatcherSubmitter } from '../runtime/aws/dispatcher-invoke.js';
import { listVersionsPage } from '../runtime/aws/object-versions.js';
import { reconcile, type ReconcileReport } from '../runtime/reconcile.js';
import { CommandError, ExitCode, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './command.js';
import { uploadPath } from './result-documents.js';
import { connectTarget } from './target.js';

const USAGE = `usage: pipeline reconcile [--grace-minutes N] [--lookback-hours N] [--max N] [--dry-run] [--stack NAME] [--region R]

Finds uploads under incoming/ that have no job (their S3 event was lost, or failed every retry)
and hands each to the dispatcher as an S3 event, as the stack's scheduled reconciler does.
Uploads younger than --grace-minutes (default ${RECONCILE_DEFAULTS.graceMinutes}) are left to their own event; uploads
older than --lookback-hours (default ${RECONCILE_DEFAULTS.lookbackHours}) are not looked at (their job may have expired).
At most --max (default ${RECONCILE_DEFAULTS.maxPerRun}) are handed on; run it again for the rest. --dry-run only lists them.

${TARGET_USAGE}`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  'grace-minutes': { type: 'string' },
  'lookback-hours': { type: 'string' },
  max: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

function count(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}; got '${value}'`);
  return n;
}

export function runReconcile(args: string[]): Promise<number> {
  return runCommand(args, USAGE, OPTIONS, async ({ values }) => {
    const graceMinutes = count(values['grace-minutes'], 'grace-minutes', RECONCILE_DEFAULTS.graceMinutes, 0);
    const lookbackHours = count(
      values['lookback-hours'],
      'lookback-hours',
      RECONCILE_DEFAULTS.lookbackHours,
      1,
    );
    const max = count(values.max, 'max', RECONCILE_DEFAULTS.maxPerRun, 1);
    const target = await connectTarget({ stack: values.stack, region: values.region });
    try {
      const dispatcher = target.dispatcher;
      if (!dispatcher && !values['dry-run']) {
        throw new CommandError(
          `${target.description} does not name its dispatcher function: cannot hand uploads to it`,
        );
      }
      const submit =
        values['dry-run'] || !dispatcher
          ? async () => undefined
          : dispatcherSubmitter(dispatcher.lambda, dispatcher.functionName);
      const report = await reconcile(
        {
          bucket: target.bucket,
          region: target.region,
          listVersions: (prefix, from) => listVersionsPage(target.s3, target.bucket, prefix, from),
          jobsFound: (jobIds) => target.jobs.found(jobIds),
          submit,
        },
        { graceSeconds: graceMinutes * 60, lookbackSeconds: lookbackHours * 3600, maxSubmitted: max },
      );
      process.stdout.write(describeReconcile(report, target.description, Boolean(values['dry-run'])));
      return ExitCode.OK;
    } finally {
      target.destroy();
    }
  });
}

/** What a reconcile found and did, for the console. */
export function describeReconcile(report: ReconcileReport, where: string, dryRun: boolean): string {
  const verb = dryRun
    ? 'without a job (not handed on: --dry-run)'
    : 'without a job, handed to the dispatcher';
  const lines = report.submitted.map(
    (v) =>
      `  ${uploadPath(v.key)}  version ${v.versionId ?? 'null'}  uploaded ${v.lastModified.toISOString()}`,
  );
  const { verdicts } = report;
  return [
    `${where}: ${report.listed} upload versions listed under incoming/`,
    `  ${report.withJob} with a job, ${verdicts['too-recent']} too recent, ${verdicts['too-old']} older than the lookback, ${verdicts['not-an-input']} not inputs`,
    `${report.submitted.length} ${verb}${report.submitted.length ? ':' : ''}`,
    ...lines,
    ...(report.next
      ? [`stopped at the limit after ${report.next.keyMarker}: run it again for the rest`]
      : []),
    '',
  ].join('\n');
}
