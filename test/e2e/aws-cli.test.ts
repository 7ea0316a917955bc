/**
 * `npm run local` driven by a real client: the AWS CLI uploads to the running local cloud and
 * reads the result back, as the README shows. On the local target it drives the default (moto)
 * cloud; on the localstack target, `npm run local -- --emulator localstack`, where the CLI also
 * finds the deployed stack and its functions.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../../local/emulator.js';
import type { FastqStats } from '../../src/core/index.js';
import type { LocalOutputs } from '../../local/emulators.js';
import { sharedResultPath } from '../../src/runtime/keys.js';
import { writeFastq } from '../../local/synthetic-inputs.js';
import { CTRL_C, PtyProcess } from '../support/pty.js';
import { seqkitStats, seqkitVersion } from '../support/seqkit.js';
import { expectSeqkitAgreement } from '../unit/core/helpers.js';
import { targetName } from './targets.js';

const exec = promisify(execFile);
const awsCli = ['/usr/bin/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
const emulator = { local: 'moto', localstack: 'localstack', aws: undefined }[targetName()];
const skipReason = !emulator
  ? 'the AWS CLI walkthrough runs against `npm run local`, not a deployed stack'
  : !awsCli
    ? 'the AWS CLI v2 is not installed (apt-get install awscli)'
    : undefined;
const seqkit = seqkitVersion() !== undefined;

let server: PtyProcess | undefined;
let stateDir: string;
let outputs: LocalOutputs;

async function aws(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: outputs.region,
    AWS_PAGER: '',
  };
  const { stdout } = await exec(awsCli!, ['--endpoint-url', outputs.endpoint, ...args], { env });
  return stdout;
}

describe.skipIf(skipReason)('the AWS CLI against `npm run local`', () => {
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-local-'));
    const port = await freePort();
    // At a terminal, so that Ctrl-C reaches every process of its group (the last test); tsx as
    // `npm run local` execs it, without npm, which now and then (once in about a dozen runs here)
    // exits 130 at once on Ctrl-C while its child goes on stopping cleanly.
    server = new PtyProcess(
      path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      ['local/serve.ts', '--emulator', emulator!],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, LOCAL_PORT: String(port), LOCAL_STATE_DIR: stateDir, NODE_NO_WARNINGS: '1' },
        cols: 200,
      },
    );
    await server.waitFor(/Ctrl-C to stop/, 180_000);
    outputs = JSON.parse(await readFile(path.join(stateDir, 'outputs.json'), 'utf8')) as LocalOutputs;
  });

  afterAll(async () => {
    await server?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('writes the outputs a client needs', () => {
    expect(outputs).toMatchObject({
      emulator,
      region: 'us-east-1',
      bucket: expect.any(String),
      table: expect.any(String),
    });
    expect(outputs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(outputs.lambdaMaxBytes).toBeGreaterThan(0);
  });

  it('turns uploads with awkward keys into results that agree with seqkit', async () => {
    const file = path.join(stateDir, 'reads.fastq.gz');
    await writeFastq(file, { reads: 3000, minLen: 40, maxLen: 250, seed: 31, gzip: true });
    const names = ['run 1/reads+a.fastq.gz', 'échantillon №2/100% reads.fastq.gz'];
    for (const name of names) await aws('s3', 'cp', file, `s3://${outputs.bucket}/incoming/cli/${name}`);
    for (const name of names) {
      const key = `results/cli/${name}.json`;
      const until = Date.now() + 60_000;
      let document: { report: { fastq: FastqStats } } | undefined;
      while (!document && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        document = await aws('s3', 'cp', `s3://${outputs.bucket}/${key}`, '-').then(
          (body) => JSON.parse(body) as { report: { fastq: FastqStats } },
          () => undefined,
        );
      }
      expect(document, `${key} within 60 s`).toBeDefined();
      expect(document!.report.fastq.reads).toBe(3000);
      if (seqkit) expectSeqkitAgreement(document!.report.fastq, seqkitStats(file));
      expect(existsSync(sharedResultPath(outputs.sharedDir, `incoming/cli/${name}`))).toBe(true);
      if (emulator === 'moto') {
        // The runner's line names the object, the job and the outcome.
        const line = `dispatcher s3://${outputs.bucket}/incoming/cli/${name} job [0-9a-f]{8} → lambda: SUCCEEDED`;
        expect(server!.output).toMatch(new RegExp(line.replace(/[+%]/g, '\\$&')));
      }
    }
    expect(server!.output).not.toMatch(/sweeper/); // nothing to re-drive: nothing said
  });

  it.skipIf(emulator !== 'localstack')('shows the deployed stack and its functions', async () => {
    const stacks = JSON.parse(
      await aws('cloudformation', 'describe-stacks', '--stack-name', outputs.stackName!),
    ) as { Stacks: { StackStatus: string; Outputs: { OutputKey: string; OutputValue: string }[] }[] };
    expect(stacks.Stacks[0]!.StackStatus).toBe('CREATE_COMPLETE');
    const stackOutputs = Object.fromEntries(
      stacks.Stacks[0]!.Outputs.map((o) => [o.OutputKey, o.OutputValue]),
    );
    expect(stackOutputs).toMatchObject({ DataBucketName: outputs.bucket, JobsTableName: outputs.table });
    const functions = JSON.parse(await aws('lambda', 'list-functions')) as {
      Functions: { FunctionName: string; Runtime: string }[];
    };
    const dispatcher = functions.Functions.find(
      (f) => f.FunctionName === stackOutputs.DispatcherFunctionName,
    );
    expect(dispatcher?.Runtime).toBe('nodejs24.x');
  });

  it('stops in order on Ctrl-C at its terminal, quietly, with exit code 0', async () => {
    server!.write(CTRL_C);
    expect(await server!.exitCode(60_000), server!.output).toBe(0);
    const output = server!.output;
    expect(output).toMatch(/stopping…/);
    expect(output).not.toMatch(/ECONNREFUSED|Error|^\s+at /m);
  });
});
