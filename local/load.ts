/**
 * `npm run load`: several hundred objects uploaded at once to the local cloud with faults injected
 * (PIPELINE_CHAOS, default duplicate=0.3,crash=0.2,throttle=0.2), then a check that every object
 * ended with exactly one terminal job and, when it succeeded, exactly one result.
 *
 *   npm run load -- [--objects 300] [--concurrency 32] [--chaos duplicate=0.3,crash=0.2,throttle=0.2]
 *                   [--route ecs] [--max-running-tasks 50]
 *
 * `--route ecs` sends every object to a worker task (the forced-route metadata): a burst of long
 * jobs against the running-task cap, through the launch queue. The figures are printed and
 * written to `.local/load-report.json`.
 */
import { ListObjectVersionsCommand, PutObjectCommand, type ObjectVersion } from '@aws-sdk/client-s3';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { INCOMING_PREFIX, RESULTS_PREFIX } from '../contract/names.js';
import { createClients } from '../src/runtime/aws/clients.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import { jobIdFor, type Job } from '../src/runtime/job.js';
import { FORCED_ROUTE_METADATA } from '../contract/names.js';
import { csvBuffer, fastqBuffer } from './synthetic-inputs.js';
import { chaosSettings, describeChaos } from './chaos.js';
import { startLocalCloud } from './cloud.js';
import type { InvocationReport } from './runner.js';
import { localAwsEnv } from './resources.js';
import { waitForJobs } from '../src/cli/watch-jobs.js';

// The SDK's notice that its 2027 releases need Node 22 is not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '32' },
    chaos: { type: 'string', default: process.env.PIPELINE_CHAOS ?? 'duplicate=0.3,crash=0.2,throttle=0.2' },
    seed: { type: 'string', default: process.env.PIPELINE_CHAOS_SEED ?? '1' },
    route: { type: 'string' },
    'max-running-tasks': { type: 'string' },
  },
});

interface Upload {
  key: string;
  jobId: string;
  bytes: number;
  uploadedAt: number;
}

function sample(i: number): { name: string; body: Buffer; metadata?: Record<string, string> } {
  if (args.route === 'ecs') {
    return {
      name: `ecs/${i}.fastq.gz`,
      body: gzipSync(fastqBuffer({ reads: 500, seed: i })),
      metadata: { [FORCED_ROUTE_METADATA]: 'ecs' },
    };
  }
  // A mix like a real day's uploads: mostly small reads and tables, some sent to ECS.
  switch (i % 10) {
    case 0:
      return {
        name: `ecs/${i}.fastq.gz`,
        body: gzipSync(fastqBuffer({ reads: 3000, seed: i })),
        metadata: { [FORCED_ROUTE_METADATA]: 'ecs' },
      };
    case 1:
    case 2:
      return { name: `tables/${i}.csv`, body: csvBuffer({ rows: 2000, seed: i }) };
    default:
      return { name: `reads/${i}.fastq`, body: fastqBuffer({ reads: 1500, seed: i }) };
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<number> {
  const objects = Number(args.objects);
  const concurrency = Number(args.concurrency);
  if (args.route !== undefined && args.route !== 'ecs')
    throw new Error(`--route must be ecs, not ${args.route}`);
  const maxRunningTasks =
    args['max-running-tasks'] === undefined ? undefined : Number(args['max-running-tasks']);
  const chaos = chaosSettings(args.chaos, args.seed);
  console.log(`load: ${objects} objects, ${concurrency} uploads at a time`);
  console.log(chaos ? describeChaos(chaos) : 'chaos: off');
  const local = await startLocalCloud({
    port: 0,
    chaos: chaos?.chaos,
    maxRunningTasks,
    runner: { sweepIntervalMs: 2000 },
  });
  console.log(`running-task cap ${local.cloud.maxRunningTasks}`);
  // When each worker task started: the launch rate achieved.
  const taskStarts: number[] = [];
  local.runner.on('task-started', () => taskStarts.push(Date.now()));
  // How long each worker task ran: the job duration of the scale model.
  const taskSeconds: number[] = [];
  local.runner.on('task-stopped', (t: { durationMs: number }) => taskSeconds.push(t.durationMs / 1000));
  // The launcher's time per request (its invocations' time over the requests they were given):
  // the RunTask latency of the scale model, as the launcher sees it.
  const launcherTime = { ms: 0, requests: 0 };
  local.runner.on('invocation', (r: InvocationReport) => {
    if (r.functionName !== 'launcher') return;
    launcherTime.ms += r.durationMs;
    launcherTime.requests += (r.event as { Records: unknown[] }).Records.length;
  });
  try {
    const { cloud } = local;
    Object.assign(process.env, localAwsEnv(cloud.endpoint, cloud.region));
    const clients = createClients();
    const jobs = new JobsTable(clients.ddb, cloud.table);

    const started = Date.now();
    const uploads: Upload[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < objects; i = next++) {
          const { name, body, metadata } = sample(i);
          const key = `${INCOMING_PREFIX}load/${name}`;
          const uploadedAt = Date.now();
          const put = await clients.s3.send(
            new PutObjectCommand({ Bucket: cloud.bucket, Key: key, Body: body, Metadata: metadata }),
          );
          uploads.push({
            key,
            bytes: body.length,
            uploadedAt,
            jobId: jobIdFor(cloud.bucket, key, put.VersionId ?? null),
          });
        }
      }),
    );
    console.log(
      `uploaded ${uploads.length} objects in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting…`,
    );
    let shown = 0;
    const done = await waitForJobs(
      jobs,
      uploads.map((u) => u.jobId),
      {
        timeoutMs: 90 * 60_000,
        intervalMs: 1000,
        onProgress: (seen) => {
          const finished = [...seen.values()].filter(
            (j) => j.status === 'SUCCEEDED' || j.status === 'FAILED',
          ).length;
          if (finished - shown >= objects / 10 || finished === objects) {
            console.log(`  ${finished}/${objects} finished`);
            shown = finished;
          }
        },
      },
    );
    const wallSeconds = (Date.now() - started) / 1000;
    // Let repeated deliveries and late task events run out before counting.
    await new Promise((r) => setTimeout(r, 3000));

    const allJobs: Job[] = [];
    for await (const page of paginateScan({ client: clients.ddb }, { TableName: cloud.table })) {
      allJobs.push(...((page.Items ?? []) as Job[]));
    }
    const results: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await clients.s3.send(
        new ListObjectVersionsCommand({
          Bucket: cloud.bucket,
          Prefix: `${RESULTS_PREFIX}load/`,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      results.push(...(page.Versions ?? []));
      [keyMarker, versionIdMarker] = page.IsTruncated
        ? [page.NextKeyMarker, page.NextVersionIdMarker]
        : [undefined, undefined];
    } while (keyMarker);

    const finals = uploads.map((u) => done.get(u.jobId)!);
    const succeeded = finals.filter((j) => j.status === 'SUCCEEDED');
    const failed = finals.filter((j) => j.status === 'FAILED');
    const extraJobs = allJobs.length - uploads.length;
    const versionsPerResult = new Map<string, number>();
    for (const v of results) versionsPerResult.set(v.Key!, (versionsPerResult.get(v.Key!) ?? 0) + 1);
    const duplicatedResults = [...versionsPerResult.values()].filter((n) => n > 1).length;
    const missingResults = succeeded.filter((j) => !versionsPerResult.has(j.resultKey!)).length;
    const resultsOfFailures = failed.filter((j) =>
      versionsPerResult.has(`${RESULTS_PREFIX}${j.key.slice(INCOMING_PREFIX.length)}.json`),
    ).length;
    const latencies = succeeded
      .map((j) => Date.parse(j.finishedAt!) - uploads.find((u) => u.jobId === j.jobId)!.uploadedAt)
      .sort((a, b) => a - b);
    const megabytes = uploads.reduce((sum, u) => sum + u.bytes, 0) / 1e6;
    // From the job's creation by the dispatcher to its worker's start: the wait for a task.
    const queueWaits = finals
      .filter((j) => j?.route === 'ecs' && j.startedAt)
      .map((j) => Date.parse(j.startedAt!) - Date.parse(j.createdAt));
    const launchSpan = taskStarts.length > 1 ? (taskStarts.at(-1)! - taskStarts[0]!) / 1000 : NaN;
    const launchesPerSecond = taskStarts.length / launchSpan;
    const stats = local.runner.stats;
    const lost = uploads.length - finals.filter(Boolean).length;

    const rows: [string, string][] = [
      ['objects', String(uploads.length)],
      ['succeeded / failed', `${succeeded.length} / ${failed.length}`],
      [
        'by route (lambda / ecs)',
        `${finals.filter((j) => j.route === 'lambda').length} / ${finals.filter((j) => j.route === 'ecs').length}`,
      ],
      ['wall time', `${wallSeconds.toFixed(1)} s`],
      [
        'throughput',
        `${(uploads.length / wallSeconds).toFixed(1)} objects/s, ${(megabytes / wallSeconds).toFixed(2)} MB/s`,
      ],
      [
        'latency upload → SUCCEEDED p50 / p95',
        `${percentile(latencies, 50)} ms / ${percentile(latencies, 95)} ms`,
      ],
      ['duplicate deliveries suppressed', String(stats.duplicatesDelivered)],
      ['events lost (injected), reconciled', String(stats.eventsLost)],
      ['workers crashed (injected)', String(stats.workersCrashed)],
      [
        'RunTask throttled (rate limit and injected)',
        String(local.ecsProxy.stats.throttled + local.ecsProxy.stats.rateExceeded),
      ],
      ['worker tasks started', String(taskStarts.length)],
      ['launches per second', launchesPerSecond.toFixed(1)],
      ['longest wait for a task', `${(Math.max(0, ...queueWaits) / 1000).toFixed(1)} s`],
      ['re-drives (attempts beyond the first)', String(finals.reduce((n, j) => n + j.attempts - 1, 0))],
      ['lost outcomes', String(lost)],
      ['extra jobs', String(extraJobs)],
      ['results written twice', String(duplicatedResults)],
      ['succeeded without a result', String(missingResults)],
      ['failed with a result', String(resultsOfFailures)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('');
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    for (const j of failed.slice(0, 5)) console.log(`  failed: ${j.key}: ${j.error}`);
    const clean =
      lost === 0 &&
      extraJobs === 0 &&
      duplicatedResults === 0 &&
      missingResults === 0 &&
      resultsOfFailures === 0;
    const report = {
      objects: uploads.length,
      route: args.route ?? 'mixed',
      maxRunningTasks: local.cloud.maxRunningTasks,
      chaos: args.chaos,
      succeeded: succeeded.length,
      failed: failed.length,
      lost,
      duplicates: extraJobs + duplicatedResults,
      wallSeconds,
      p50Seconds: percentile(latencies, 50) / 1000,
      p95Seconds: percentile(latencies, 95) / 1000,
      tasksStarted: taskStarts.length,
      launchesPerSecond,
      longestQueueWaitSeconds: Math.max(0, ...queueWaits) / 1000,
      meanTaskSeconds: taskSeconds.reduce((a, b) => a + b, 0) / taskSeconds.length,
      launcherSecondsPerRequest: launcherTime.ms / 1000 / launcherTime.requests,
      throttlesAbsorbed: local.ecsProxy.stats.throttled + local.ecsProxy.stats.rateExceeded,
      workersCrashed: stats.workersCrashed,
      duplicateDeliveries: stats.duplicatesDelivered,
      eventsLost: stats.eventsLost,
    };
    const reportFile = path.join(local.stateDir, 'load-report.json');
    await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nfigures written to ${path.relative(process.cwd(), reportFile)}`);
    const ok = clean && failed.length === 0;
    console.log(
      clean
        ? `every object ended with exactly one outcome${failed.length ? `, but ${failed.length} FAILED` : ''}`
        : 'LOST OR DUPLICATED OUTCOMES',
    );
    return ok ? 0 : 1;
  } finally {
    await local.stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`load failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  },
);
