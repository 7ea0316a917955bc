/**
 * `npm run local` driven by a real client: the AWS CLI uploads to the running local cloud and
 * reads the result back, as the README shows. Local target only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '../../local/emulator.js';
import type { LocalOutputs } from '../../local/serve.js';
import { writeFastq } from '../support/generate.js';
import { targetName } from './targets.js';

const exec = promisify(execFile);
const awsCli = ['/usr/bin/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
const skipReason =
  targetName() !== 'local'
    ? 'the AWS CLI walkthrough runs against the local cloud only'
    : !awsCli
      ? 'the AWS CLI v2 is not installed (apt-get install awscli)'
      : undefined;

let server: ChildProcess | undefined;
let stateDir: string;
let outputs: LocalOutputs;
let serverLog = '';

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
    server = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['local/serve.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOCAL_PORT: String(port), LOCAL_STATE_DIR: stateDir, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
    const until = Date.now() + 60_000;
    while (!existsSync(path.join(stateDir, 'outputs.json'))) {
      if (server.exitCode !== null) throw new Error(`npm run local exited early:\n${serverLog}`);
      if (Date.now() > until) throw new Error(`npm run local did not write outputs.json:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    outputs = JSON.parse(await readFile(path.join(stateDir, 'outputs.json'), 'utf8')) as LocalOutputs;
  });

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('writes the outputs a client needs', () => {
    expect(outputs).toMatchObject({
      region: 'us-east-1',
      bucket: expect.any(String),
      table: expect.any(String),
    });
    expect(outputs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(outputs.lambdaMaxBytes).toBeGreaterThan(0);
  });

  it('turns an upload with `aws s3 cp` into a result under results/', async () => {
    const file = path.join(stateDir, 'reads.fastq.gz');
    await writeFastq(file, { reads: 3000, seed: 31, gzip: true });
    await aws('s3', 'cp', file, `s3://${outputs.bucket}/incoming/cli/reads.fastq.gz`);
    const key = 'results/cli/reads.fastq.gz.json';
    const until = Date.now() + 60_000;
    let listed = '';
    while (!listed.includes('reads.fastq.gz.json') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      listed = await aws('s3', 'ls', `s3://${outputs.bucket}/results/cli/`).catch(() => '');
    }
    const document = JSON.parse(await aws('s3', 'cp', `s3://${outputs.bucket}/${key}`, '-')) as {
      report: { fastq: { reads: number } };
    };
    expect(document.report.fastq.reads).toBe(3000);
    expect(existsSync(path.join(outputs.sharedDir, 'results', 'cli', 'reads.fastq.gz.json'))).toBe(true);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server!.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
