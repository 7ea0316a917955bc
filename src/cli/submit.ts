import { StorageClass } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FORCED_ROUTE_METADATA, INCOMING_PREFIX } from '../../contract/names.js';
import { ROUTES, type Route } from '../../contract/routing.js';
import { describeFile } from '../core/describe.js';
import { jobIdFor, type Job } from '../runtime/job.js';
import {
  choiceOption,
  ExitCode,
  runCommand,
  TARGET_OPTIONS,
  TARGET_USAGE,
  UsageError,
  CommandError,
} from './command.js';
import { countByStatus, JOB_COLUMNS, seconds } from './jobs.js';
import { createProgress, megabytes, type Progress } from './progress.js';
import { renderResults, renderTable } from './result-table.js';
import { fetchResultDocuments } from './results.js';
import { connectTarget, type PipelineTarget } from './target.js';
import { waitForJobs } from './watch-jobs.js';

const USAGE = `usage: pipeline submit FILE|DIR... [--prefix P] [--route lambda|ecs] [--watch]
                       [--storage-class C] [--stack NAME] [--region R]

Uploads files under incoming/, where each starts a job. A FILE goes to incoming/[P/]NAME; the
FASTQ and CSV files in a DIR (.fastq .fq .csv, optionally .gz; other files are skipped) go to
incoming/P/ with their paths inside DIR, P being the folder's name unless --prefix is given.
Large files are uploaded in parts. --route sends every job down one route whatever its size
(the ${FORCED_ROUTE_METADATA} metadata). --storage-class uploads in that S3 storage class (STANDARD
unless given): with GLACIER or DEEP_ARCHIVE the jobs fail as INPUT_ARCHIVED until \`pipeline
restore\`. With --watch, waits for every job and prints the results;
the exit code is then 1 when any job failed.

${TARGET_USAGE}`;

/** Files uploaded at once; each is also sent in parallel parts when large. */
const FILE_CONCURRENCY = 4;
/** lib-storage's parts: 8 MiB, 4 in flight per file. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
/** How often `--watch` reads the jobs. */
const POLL_MS = 1000;

export interface PlannedUpload {
  file: string;
  key: string;
  size: number;
}

/**
 * What `submit` uploads for these paths: each file as named, and the FASTQ and CSV files inside
 * each folder (recursively, in name order), keyed under `incoming/`.
 */
export async function planUploads(
  paths: readonly string[],
  prefix?: string,
): Promise<{ uploads: PlannedUpload[]; skipped: string[] }> {
  const uploads: PlannedUpload[] = [];
  const skipped: string[] = [];
  const under = (...parts: string[]) =>
    INCOMING_PREFIX +
    parts
      .flatMap((p) => p.split(/[\\/]+/))
      .filter(Boolean)
      .join('/');
  for (const given of paths) {
    const info = await stat(given).catch((error: NodeJS.ErrnoException) => {
      throw new CommandError(
        `cannot read ${given}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.message}`,
      );
    });
    if (info.isFile()) {
      uploads.push({ file: given, key: under(prefix ?? '', path.basename(given)), size: info.size });
      continue;
    }
    const root = path.resolve(given);
    for (const relative of (await readdir(root, { recursive: true })).sort()) {
      const file = path.join(root, relative);
      const entry = await stat(file);
      if (!entry.isFile()) continue;
      if (!describeFile(file)) {
        skipped.push(path.join(given, relative));
        continue;
      }
      uploads.push({ file, key: under(prefix ?? path.basename(root), relative), size: entry.size });
    }
  }
  const seen = new Set<string>();
  for (const { key } of uploads) {
    if (seen.has(key))
      throw new CommandError(`two files would be uploaded to ${key}: give each its own --prefix`);
    seen.add(key);
  }
  return { uploads, skipped };
}

export interface Submitted extends PlannedUpload {
  jobId: string;
}

/** Uploads every file (a few at a time, large ones in parts) and returns each one's job id. */
export async function uploadAll(
  target: PipelineTarget,
  uploads: readonly PlannedUpload[],
  progress: Progress,
  route?: Route,
  storageClass?: StorageClass,
): Promise<Submitted[]> {
  const metadata = route ? { [FORCED_ROUTE_METADATA]: route } : undefined;
  const submitted: Submitted[] = [];
  let next = 0;
  const uploadNext = async (): Promise<void> => {
    while (next < uploads.length) {
      const planned = uploads[next++]!;
      const started = Date.now();
      progress.start(planned.key, planned.size);
      const upload = new Upload({
        client: target.s3,
        params: {
          Bucket: target.bucket,
          Key: planned.key,
          Body: createReadStream(planned.file),
          Metadata: metadata,
          StorageClass: storageClass,
        },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
      });
      upload.on('httpUploadProgress', (p) => progress.update(planned.key, p.loaded ?? 0));
      const out = await upload.done();
      progress.update(planned.key, planned.size);
      progress.end(
        planned.key,
        `uploaded ${planned.key} (${megabytes(planned.size)}, ${seconds(Date.now() - started)})`,
      );
      submitted.push({ ...planned, jobId: jobIdFor(target.bucket, planned.key, out.VersionId ?? null) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, uploads.length) }, uploadNext));
  return submitted;
}

/** Waits for every submitted file's job, then prints the results and the failures. */
async function watch(
  target: PipelineTarget,
  submitted: readonly Submitted[],
  progress: Progress,
): Promise<Job[]> {
  const ids = submitted.map((s) => s.jobId);
  const done = await waitForJobs(target.jobs, ids, {
    timeoutMs: Number.POSITIVE_INFINITY,
    intervalMs: POLL_MS,
    onProgress: (seen) => {
      const jobs = ids.map((id) => seen.get(id) ?? { status: 'QUEUED' as const });
      const finished = jobs.filter((j) => j.status === 'SUCCEEDED' || j.status === 'FAILED').length;
      progress.count('jobs', finished, ids.length, countByStatus(jobs));
    },
  });
  return ids.map((id) => done.get(id)!);
}

/** `pipeline submit`: returns the exit code. */
export function runSubmit(args: string[]): Promise<number> {
  const options = {
    ...TARGET_OPTIONS,
    prefix: { type: 'string' },
    route: { type: 'string' },
    watch: { type: 'boolean' },
    'storage-class': { type: 'string' },
  } as const;
  return runCommand(args, USAGE, options, async ({ values, positionals }) => {
    if (positionals.length === 0) throw new UsageError('missing FILE or DIR');
    const route = choiceOption(values.route, 'route', ROUTES);
    const storageClass = choiceOption(values['storage-class'], 'storage-class', Object.values(StorageClass));
    const { uploads, skipped } = await planUploads(positionals, values.prefix);
    if (skipped.length) {
      const shown = skipped.slice(0, 5).join(', ');
      process.stderr.write(
        `skipped ${skipped.length} file(s) that are not FASTQ or CSV: ${shown}${skipped.length > 5 ? ', …' : ''}\n`,
      );
    }
    if (uploads.length === 0) throw new CommandError('nothing to upload: no FASTQ or CSV file given');
    const target = await connectTarget(values);
    const progress = createProgress();
    const started = Date.now();
    try {
      progress.log(`submitting ${uploads.length} file(s) to ${target.description}`);
      const submitted = await uploadAll(target, uploads, progress, route, storageClass);
      if (!values.watch) {
        progress.stop();
        process.stdout.write(
          `submitted ${submitted.length} file(s); follow them with \`pipeline jobs --watch\`\n`,
        );
        return ExitCode.OK;
      }
      const jobs = await watch(target, submitted, progress);
      progress.stop();
      const succeeded = jobs.filter((j) => j.status === 'SUCCEEDED' && j.resultKey);
      const results = await fetchResultDocuments(
        target,
        succeeded.map((j) => j.resultKey!),
      );
      const failed = jobs.filter((j) => j.status === 'FAILED');
      if (results.length) process.stdout.write(`\n${renderResults(results)}\n`);
      if (failed.length) process.stdout.write(`\nfailed:\n${renderTable(JOB_COLUMNS, failed)}\n`);
      process.stdout.write(
        `\n${jobs.length} job(s): ${countByStatus(jobs)} in ${seconds(Date.now() - started)}\n`,
      );
      return failed.length ? ExitCode.FAILED : ExitCode.OK;
    } finally {
      progress.stop();
      target.destroy();
    }
  });
}
