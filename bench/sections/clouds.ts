/**
 * The two Docker-less clouds side by side: how long each takes to be ready (LocalStack: start,
 * `cdklocal bootstrap`, `cdklocal deploy`), and how long an upload takes to become a finished
 * job, on a cold function and then on a warm one. The clouds take turns, `runs` times each.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { INCOMING_PREFIX } from '../../contract/names.js';
import { ensureEmulatorInstalled, startEmulated, type EmulatorName } from '../../local/emulators.js';
import { localAwsEnv } from '../../local/resources.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { createClients } from '../../src/runtime/aws/clients.js';
import { JobsTable } from '../../src/runtime/aws/jobs-table.js';
import { jobIdFor } from '../../src/runtime/job.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { median } from '../lib/stats.js';
import { formatTable } from '../lib/table.js';
import type { BenchContext } from './context.js';

interface CloudRun {
  readyMs: number;
  /** LocalStack only: its own start, the bootstrap and the deploy, within readyMs. */
  steps?: { startMs: number; bootstrapMs: number; deployMs: number };
  coldJobMs: number;
  warmJobMs: number;
}

async function measure(emulator: EmulatorName): Promise<CloudRun> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), `s3-pipeline-bench-${emulator}-`));
  const started = Date.now();
  const cloud = await startEmulated(emulator, { port: 0, stateDir });
  const readyMs = Date.now() - started;
  try {
    const { outputs } = cloud;
    Object.assign(process.env, localAwsEnv(outputs.endpoint, outputs.region));
    const clients = createClients();
    const jobs = new JobsTable(clients.ddb, outputs.table);
    const body = fastqBuffer({ reads: 2000, seed: 41 });
    const job = async (name: string): Promise<number> => {
      const key = `${INCOMING_PREFIX}bench/${name}.fastq`;
      const t0 = Date.now();
      const put = await clients.s3.send(
        new PutObjectCommand({ Bucket: outputs.bucket, Key: key, Body: body }),
      );
      await waitForJobs(jobs, [jobIdFor(outputs.bucket, key, put.VersionId ?? null)], {
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      return Date.now() - t0;
    };
    const coldJobMs = await job('cold');
    const warmJobMs = await job('warm');
    return { readyMs, steps: cloud.timings, coldJobMs, warmJobMs };
  } finally {
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function cloudsSection(ctx: BenchContext): Promise<void> {
  ctx.log('\n== Docker-less clouds: moto + runner, LocalStack with the stack deployed');
  ensureEmulatorInstalled('localstack');
  const runs: Record<EmulatorName, CloudRun[]> = { moto: [], localstack: [] };
  for (let i = 0; i < ctx.options.runs; i++) {
    for (const emulator of ['moto', 'localstack'] as const) {
      const run = await measure(emulator);
      runs[emulator].push(run);
      ctx.log(
        `  ${emulator}: ready ${s(run.readyMs)}, first job ${ms(run.coldJobMs)}, second ${ms(run.warmJobMs)}`,
      );
    }
  }
  const med = (list: CloudRun[], pick: (r: CloudRun) => number) => median(list.map(pick));
  const row = (emulator: EmulatorName, how: string) => {
    const list = runs[emulator];
    return [
      emulator,
      how,
      s(med(list, (r) => r.readyMs)),
      ms(med(list, (r) => r.coldJobMs)),
      ms(med(list, (r) => r.warmJobMs)),
    ];
  };
  const ls = runs.localstack;
  ctx.extras.push(
    [
      `### Docker-less clouds (median of ${ctx.options.runs}, taking turns)`,
      '',
      formatTable(
        [
          { header: 'cloud' },
          { header: 'how the stack gets there' },
          { header: 'ready', align: 'right' },
          { header: 'upload → job done, cold', align: 'right' },
          { header: 'warm', align: 'right' },
        ],
        [
          row('moto', 'resources created by local/resources.ts'),
          row('localstack', 'cdklocal bootstrap + deploy of the template'),
        ],
      ),
      '',
      `LocalStack's ready time is its start (${s(med(ls, (r) => r.steps!.startMs))}), ` +
        `\`cdklocal bootstrap\` (${s(med(ls, (r) => r.steps!.bootstrapMs))}) and \`cdklocal deploy\` ` +
        `(${s(med(ls, (r) => r.steps!.deployMs))}, synthesis included), plus bundling. A job is a 2,000-read FASTQ ` +
        'routed to Lambda; "cold" includes the first start of the dispatcher\'s execution environment.',
    ].join('\n'),
  );
}

function s(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}
