/**
 * `npm run demo [-- --emulator moto|localstack]`: the pipeline end to end on this machine, with no
 * Docker and no AWS account. Starts a local cloud, uploads sample inputs, waits for every job and
 * prints what happened.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { INCOMING_PREFIX } from '../contract/names.js';
import { createClients } from '../src/runtime/aws/clients.js';
import { JobsTable } from '../src/runtime/aws/jobs-table.js';
import { jobIdFor, type Job } from '../src/runtime/job.js';
import { FORCED_ROUTE_METADATA } from '../contract/names.js';
import { writeCsv, writeFastq } from './synthetic-inputs.js';
import { describeChaos } from './chaos.js';
import { chaosFor, ensureEmulatorInstalled, parseEmulator, startEmulated } from './emulators.js';
import { localAwsEnv } from './resources.js';
import { countByStatus, JOB_COLUMNS } from '../src/cli/jobs.js';
import { megabytes } from '../src/cli/progress.js';
import { renderResults, renderTable, type Column } from '../src/cli/result-table.js';
import { fetchResultDocuments } from '../src/cli/results.js';
import { waitForJobs } from '../src/cli/watch-jobs.js';

// The SDK's notice that its 2027 releases need Node 22 is not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Sample {
  key: string;
  file: string;
  metadata?: Record<string, string>;
  expect: { route: Job['route']; status: Job['status'] };
}

/** Above this, a sample over the Lambda limit would take too long to make: the route is forced. */
const LARGEST_SAMPLE = 50e6;

async function makeSamples(dir: string, gzipLambdaMax: number): Promise<Sample[]> {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  await writeFastq(file('small.fastq'), { reads: 4000, minLen: 50, maxLen: 250, seed: 7 });
  // Synthetic reads compress about 2:1; aim at twice the Lambda limit where that is small.
  const bySize = gzipLambdaMax * 2 <= LARGEST_SAMPLE;
  await writeFastq(file('large.fastq.gz'), {
    bytes: bySize ? Math.ceil(gzipLambdaMax * 2 * 2.2) : 30e6,
    seed: 11,
    gzip: true,
  });
  await writeCsv(file('samples.csv'), { rows: 20000, seed: 3 });
  const broken = await writeFastq(file('broken.fastq'), { reads: 3, seed: 5 });
  await appendFile(broken.path, 'not-a-header\nACGT\n+\nII\n');
  return [
    {
      key: `${INCOMING_PREFIX}demo/run 1/small reads+1.fastq`,
      file: file('small.fastq'),
      expect: { route: 'lambda', status: 'SUCCEEDED' },
    },
    {
      key: `${INCOMING_PREFIX}demo/large.fastq.gz`,
      file: file('large.fastq.gz'),
      metadata: bySize ? undefined : { [FORCED_ROUTE_METADATA]: 'ecs' },
      expect: { route: 'ecs', status: 'SUCCEEDED' },
    },
    {
      key: `${INCOMING_PREFIX}demo/échantillons.csv`,
      file: file('samples.csv'),
      expect: { route: 'lambda', status: 'SUCCEEDED' },
    },
    {
      key: `${INCOMING_PREFIX}demo/broken.fastq`,
      file: file('broken.fastq'),
      expect: { route: 'lambda', status: 'FAILED' },
    },
  ];
}

async function main(): Promise<number> {
  const started = Date.now();
  const { values: args } = parseArgs({ options: { emulator: { type: 'string' } } });
  const emulator = parseEmulator(args.emulator ?? process.env.LOCAL_EMULATOR);
  const chaos = chaosFor(emulator, process.env);
  ensureEmulatorInstalled(emulator);
  const port = Number(process.env.DEMO_PORT ?? 0);
  console.log(
    emulator === 'moto'
      ? 'starting the local cloud (moto emulator + local Lambda/Fargate runner)…'
      : 'starting LocalStack and deploying the stack into it (about a minute)…',
  );
  if (chaos) console.log(describeChaos(chaos));
  const local = await startEmulated(emulator, { port, chaos: chaos?.chaos });
  let ok = false;
  try {
    const cloud = local.outputs;
    Object.assign(process.env, localAwsEnv(cloud.endpoint, cloud.region));
    const gzipMax = cloud.lambdaMaxBytes;
    for (const line of local.describe()) console.log(`  ${line}`);
    console.log(`  bucket ${cloud.bucket}, shared folder ${path.relative(process.cwd(), cloud.sharedDir)}`);
    console.log(
      gzipMax * 2 <= LARGEST_SAMPLE
        ? `  gzipped FASTQ over ${megabytes(gzipMax)} goes to ECS`
        : `  gzipped FASTQ over ${megabytes(gzipMax)} goes to ECS: the large sample asks for ECS (${FORCED_ROUTE_METADATA})`,
    );

    const samples = await makeSamples(path.join(local.stateDir, 'demo-inputs'), gzipMax);
    const s3 = new S3Client({ forcePathStyle: true });
    const ids = new Map<string, Sample>();
    for (const sample of samples) {
      const size = (await stat(sample.file)).size;
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: cloud.bucket,
          Key: sample.key,
          Body: createReadStream(sample.file),
          ContentLength: size,
          Metadata: sample.metadata,
        }),
      );
      ids.set(jobIdFor(cloud.bucket, sample.key, put.VersionId ?? null), sample);
      console.log(`  uploaded ${sample.key} (${megabytes(size)})`);
    }

    local.tasks.on('task-started', () => console.log('  ECS: a worker task started'));
    const jobs = new JobsTable(createClients().ddb, cloud.table);
    let last = '';
    const done = await waitForJobs(jobs, [...ids.keys()], {
      timeoutMs: 90_000,
      onProgress: (seen) => {
        const line = countByStatus(
          [...ids.keys()].map((id) => seen.get(id) ?? { status: 'QUEUED' as const }),
        );
        if (line !== last) console.log(`  jobs: ${line}`);
        last = line;
      },
    });

    const rows = [...ids].map(([id, sample]) => {
      const job = done.get(id)!;
      const expected = job.route === sample.expect.route && job.status === sample.expect.status;
      return { sample, job, expected };
    });
    console.log('');
    console.log(renderTable(DEMO_COLUMNS, rows));
    const succeeded = rows.filter((r) => r.job.status === 'SUCCEEDED').map((r) => r.job.resultKey!);
    console.log(`\n${renderResults(await fetchResultDocuments({ s3, bucket: cloud.bucket }, succeeded))}`);
    ok = rows.every((r) => r.expected);
    console.log(
      `\nresults are in s3://${cloud.bucket}/results/ and in ${path.relative(process.cwd(), cloud.sharedDir)}/results/`,
    );
    console.log(`${ok ? 'demo passed' : 'demo FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await local.stop();
  }
  return ok ? 0 : 1;
}

/** Each sample's job, and whether it went as the demo expects. */
const DEMO_COLUMNS: readonly Column<{ job: Job; expected: boolean }>[] = [
  ...JOB_COLUMNS.filter((c) => c.header !== 'error').map((c) => ({
    ...c,
    cell: (r: { job: Job }) => c.cell(r.job),
  })),
  { header: 'size', numeric: true, cell: (r) => megabytes(r.job.size) },
  { header: 'as expected', cell: (r) => (r.expected ? 'yes' : 'NO') },
  { header: 'error', cell: (r) => r.job.error ?? '' },
];

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
