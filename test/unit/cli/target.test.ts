import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTarget, TargetError } from '../../../src/cli/target.js';
import { startTarget } from '../../e2e/targets.js';

/** The environment the SDK reads credentials and region from, emptied for one test. */
const AWS_VARS = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
];

describe('which pipeline a console command reaches', () => {
  let dir: string;
  const saved = Object.fromEntries(AWS_VARS.map((name) => [name, process.env[name]]));
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'console-target-'));
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** No credentials and no region anywhere the SDK looks (no files, no instance metadata). */
  function bareEnvironment() {
    for (const name of AWS_VARS) delete process.env[name];
    process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  }

  it('says how to start the local cloud when it has never run', async () => {
    const attempt = connectTarget({ stateDir: path.join(dir, 'never') });
    await expect(attempt).rejects.toBeInstanceOf(TargetError);
    await expect(attempt).rejects.toThrow(/no local cloud found .*npm run local.*--stack/);
  });

  it('says the local cloud is not running when its outputs file is left from an earlier run', async () => {
    // A port that was free a moment ago: nothing answers there.
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const stateDir = path.join(dir, 'stale');
    await mkdir(stateDir);
    const outputs = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'b', table: 't' };
    await writeFile(path.join(stateDir, 'outputs.json'), JSON.stringify(outputs));
    await expect(connectTarget({ stateDir })).rejects.toThrow(
      new RegExp(
        `local cloud in .*\\(http://127.0.0.1:${port}\\) does not answer .*ECONNREFUSED.*npm run local`,
      ),
    );
  });

  it('says to set a region when a stack is named and no region is found', async () => {
    bareEnvironment();
    await expect(connectTarget({ stack: 'S3Pipeline-sandbox' })).rejects.toThrow(
      /no AWS region: set AWS_REGION/,
    );
  });

  it('says where credentials come from when there are none', async () => {
    bareEnvironment();
    const attempt = connectTarget({ stack: 'S3Pipeline-sandbox', region: 'eu-west-1' });
    await expect(attempt).rejects.toBeInstanceOf(TargetError);
    await expect(attempt).rejects.toThrow(/no AWS credentials found: set AWS_PROFILE/);
  });

  it('checks what E2E_TARGET=aws needs before the suite starts, and says what to set', async () => {
    bareEnvironment();
    await expect(startTarget('aws')).rejects.toThrow(
      /^E2E_TARGET=aws: no AWS region: set AWS_REGION.*STACK_NAME/,
    );
  });
});
