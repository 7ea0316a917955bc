import { HeadObjectCommand, NotFound, RestoreObjectCommand, type Tier } from '@aws-sdk/client-s3';
import { INCOMING_PREFIX } from '../../contract/names.js';
import {
  archiveState,
  describeStorage,
  INPUT_ARCHIVED,
  restoredUntil,
  type StorageFacts,
} from '../runtime/archive.js';
import { dispatcherSubmitter } from '../runtime/aws/dispatcher-invoke.js';
import { jobIdFor, type Job } from '../runtime/job.js';
import { RESTORE_COMPLETED_EVENT } from '../runtime/events.js';
import { objectCreatedEvent } from '../runtime/reconcile.js';
import {
  choiceOption,
  CommandError,
  ExitCode,
  runCommand,
  TARGET_OPTIONS,
  TARGET_USAGE,
  UsageError,
} from './command.js';
import { connectTarget, type PipelineTarget } from './target.js';

const TIERS: readonly Tier[] = ['Standard', 'Bulk', 'Expedited'];
/** Days a restored copy stays readable unless `--days` says otherwise: room for a queued job. */
export const DEFAULT_RESTORE_DAYS = 7;

const USAGE = `usage: pipeline restore KEY [--days N] [--tier Standard|Bulk|Expedited] [--version-id V]
                        [--stack NAME] [--region R]

Starts the restore of an archived upload (storage class GLACIER or DEEP_ARCHIVE, or an
Intelligent-Tiering archive tier), whose job failed as ${INPUT_ARCHIVED}. KEY is the object's key,
with or without ${INCOMING_PREFIX}; --version-id names a version other than the latest. The job runs
again by itself when S3 reports the restore completed (s3:ObjectRestore:Completed); a job that
SUCCEEDED, or FAILED for another reason, is never run again this way.

A restore takes hours: with the Standard tier (the default) up to 5 from GLACIER and 12 from
DEEP_ARCHIVE, with Bulk up to 12 and 48 (cheaper), with Expedited minutes (GLACIER and the Archive
Access tier only, dearer). The restored copy stays readable for --days (default ${DEFAULT_RESTORE_DAYS}), billed
as STANDARD meanwhile; an Intelligent-Tiering object takes no --days: it moves back to its
frequent access tier. Running the command again says how the restore stands, and hands a job
still waiting on a completed restore (its event lost) to the dispatcher again.

${TARGET_USAGE}`;

export interface RestoreOptions {
  days: number;
  tier: Tier;
}

/**
 * What RestoreObject is asked for an object in that storage: an Intelligent-Tiering object takes
 * no days, and Expedited cannot restore from Deep Archive.
 */
export function restoreRequest(facts: StorageFacts, options: RestoreOptions) {
  const deep = facts.storageClass === 'DEEP_ARCHIVE' || facts.archiveStatus === 'DEEP_ARCHIVE_ACCESS';
  if (deep && options.tier === 'Expedited') {
    throw new UsageError(
      `--tier Expedited cannot restore from ${describeStorage(facts)}: use Standard or Bulk`,
    );
  }
  const tiering = facts.storageClass === 'INTELLIGENT_TIERING';
  return {
    ...(tiering ? {} : { Days: options.days }),
    GlacierJobParameters: { Tier: options.tier },
  };
}

/** The key as given, under `incoming/` when it was given without. */
export function inputKey(given: string): string {
  return given.startsWith(INCOMING_PREFIX) ? given : `${INCOMING_PREFIX}${given.replace(/^\/+/, '')}`;
}

/** One line on the object's job, if it has one. */
export function describeJob(job: Job | undefined): string {
  if (!job) return 'it has no job';
  const reason = job.status === 'FAILED' ? ` (${job.errorCode ?? 'no error code'})` : '';
  const note =
    job.status === 'SUCCEEDED'
      ? ': a restore does not run it again'
      : job.status === 'FAILED' && job.errorCode !== INPUT_ARCHIVED
        ? ': a restore does not run it again (upload the object again to rerun it)'
        : '';
  return `its job ${job.jobId.slice(0, 8)} is ${job.status}${reason}${note}`;
}

/** `pipeline restore`: returns the exit code. */
export function runRestore(args: string[]): Promise<number> {
  const options = {
    ...TARGET_OPTIONS,
    days: { type: 'string' },
    tier: { type: 'string' },
    'version-id': { type: 'string' },
  } as const;
  return runCommand(args, USAGE, options, async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one KEY');
    const days = Number(values.days ?? DEFAULT_RESTORE_DAYS);
    if (!Number.isInteger(days) || days < 1 || days > 36500) {
      throw new UsageError(`--days must be a whole number of days from 1 to 36500, not "${values.days}"`);
    }
    const tier = choiceOption(values.tier, 'tier', TIERS, 'Standard');
    const target = await connectTarget(values);
    try {
      const lines = await restore(target, inputKey(positionals[0]!), values['version-id'], { days, tier });
      process.stdout.write(`${lines.join('\n')}\n`);
      return ExitCode.OK;
    } finally {
      target.destroy();
    }
  });
}

async function restore(
  target: PipelineTarget,
  key: string,
  versionId: string | undefined,
  options: RestoreOptions,
): Promise<string[]> {
  const where = `s3://${target.bucket}/${key}${versionId ? ` (version ${versionId})` : ''}`;
  const head = await target.s3
    .send(new HeadObjectCommand({ Bucket: target.bucket, Key: key, VersionId: versionId }))
    .catch((error: unknown) => {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') {
        throw new CommandError(`${where} does not exist in ${target.description}`);
      }
      throw error;
    });
  const facts: StorageFacts = {
    storageClass: head.StorageClass,
    archiveStatus: head.ArchiveStatus,
    restore: head.Restore,
  };
  const version = head.VersionId && head.VersionId !== 'null' ? head.VersionId : null;
  const job = await target.jobs.get(jobIdFor(target.bucket, key, version));
  const state = archiveState(facts);

  if (state === 'archived') {
    const request = restoreRequest(facts, options);
    try {
      await target.s3.send(
        new RestoreObjectCommand({
          Bucket: target.bucket,
          Key: key,
          VersionId: versionId,
          RestoreRequest: request,
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'RestoreAlreadyInProgress') throw error;
      return [`a restore of ${where} is already under way`, describeJob(job)];
    }
    const kept = request.Days ? `; the copy stays readable for ${request.Days} day(s)` : '';
    return [
      `restore of ${where} from ${describeStorage(facts)} started (${options.tier} tier)${kept}`,
      `${describeJob(job)}${job?.errorCode === INPUT_ARCHIVED ? '; it runs again when the restore completes' : ''}`,
    ];
  }
  if (state === 'restoring') {
    return [
      `a restore of ${where} is already under way`,
      `${describeJob(job)}${job?.errorCode === INPUT_ARCHIVED ? '; it runs again when the restore completes' : ''}`,
    ];
  }
  const first =
    state === 'restored'
      ? `${where} is already restored${restoredUntil(facts.restore) ? ` (readable until ${restoredUntil(facts.restore)})` : ''}`
      : `${where} is in ${describeStorage(facts)} and is read as it is: nothing to restore`;
  if (job?.status !== 'FAILED' || job.errorCode !== INPUT_ARCHIVED) return [first, describeJob(job)];
  // Readable, yet its job still waits: the restore's completed event was lost, or the object was
  // restored before the job looked. The dispatcher gets the event S3 would have sent.
  if (!target.dispatcher) {
    throw new CommandError(`${first}, but ${target.description} does not name its dispatcher to run its job`);
  }
  const event = objectCreatedEvent(
    target.bucket,
    target.region,
    { key, versionId: version, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date() },
    RESTORE_COMPLETED_EVENT,
  );
  await dispatcherSubmitter(target.dispatcher.lambda, target.dispatcher.functionName)(event);
  return [first, `${describeJob(job)}: handed to the dispatcher again`];
}
