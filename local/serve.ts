/**
 * `npm run local`: keeps the local cloud running until Ctrl-C. Any S3 client pointed at the
 * endpoint can upload to `incoming/`; results appear under `results/` and in `.local/efs/results/`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { INCOMING_PREFIX } from '../lib/contract.js';
import { lambdaMaxBytes } from '../src/runtime/routing.js';
import { startLocalCloud } from './cloud.js';

// The SDK's notice that its 2027 releases need Node 22 is not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What `.local/outputs.json` holds, for scripts and tests that drive the running cloud. */
export interface LocalOutputs {
  endpoint: string;
  region: string;
  bucket: string;
  table: string;
  /** Size above which a gzipped FASTQ takes the ECS route locally. */
  lambdaMaxBytes: number;
  sharedDir: string;
}

const port = Number(process.env.LOCAL_PORT ?? 4566);
const local = await startLocalCloud({ port, stateDir: process.env.LOCAL_STATE_DIR });
const { cloud } = local;
const outputs: LocalOutputs = {
  endpoint: cloud.endpoint,
  region: cloud.region,
  bucket: cloud.bucket,
  table: cloud.table,
  lambdaMaxBytes: lambdaMaxBytes({ format: 'fastq', gzip: true }, cloud.policy),
  sharedDir: cloud.sharedDir,
};
const outputsFile = path.join(local.stateDir, 'outputs.json');
await writeFile(outputsFile, JSON.stringify(outputs, null, 2) + '\n');

const time = () => new Date().toISOString().slice(11, 19);
local.runner.on(
  'invocation',
  (r: { functionName: string; ok: boolean; durationMs: number; error?: string }) =>
    console.log(`${time()} ${r.functionName} ${r.ok ? 'ok' : `error: ${r.error}`} (${r.durationMs} ms)`),
);
local.runner.on('task-started', (t: { jobId?: string }) =>
  console.log(`${time()} worker task started for job ${t.jobId}`),
);
local.runner.on('task-stopped', (t: { exitCode: number | null; durationMs: number }) =>
  console.log(`${time()} worker task stopped, exit code ${t.exitCode} (${t.durationMs} ms)`),
);

console.log(
  `local cloud running: endpoint ${cloud.endpoint}, region ${cloud.region}, bucket ${cloud.bucket}`,
);
console.log(
  `outputs written to ${path.relative(process.cwd(), outputsFile)}; logs in ${path.relative(process.cwd(), path.join(local.stateDir, 'logs'))}`,
);
console.log('try:');
console.log(
  `  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=${cloud.region}`,
);
console.log(
  `  aws --endpoint-url ${cloud.endpoint} s3 cp reads.fastq.gz s3://${cloud.bucket}/${INCOMING_PREFIX}reads.fastq.gz`,
);
console.log(
  `  aws --endpoint-url ${cloud.endpoint} s3 cp s3://${cloud.bucket}/results/reads.fastq.gz.json -`,
);
console.log('Ctrl-C to stop');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  await local.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
