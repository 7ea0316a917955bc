/**
 * The e2e project's global setup: on `E2E_TARGET=localstack`, one LocalStack with the stack
 * deployed, shared by every file as a deployed stack on AWS is (`startTarget` connects to it).
 * Starting and deploying takes about a minute; once per run instead of once per file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureEmulatorInstalled } from '../../local/emulators.js';
import { startLocalStackCloud } from '../../local/localstack/cloud.js';
import type { LocalStackMode } from '../../local/localstack/server.js';
import { targetName } from './target-name.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  if (targetName() !== 'localstack') {
    project.provide('localstack', null);
    return;
  }
  const mode = (process.env.LOCALSTACK_MODE ?? 'host') as LocalStackMode;
  if (mode !== 'host' && mode !== 'container')
    throw new Error(`LOCALSTACK_MODE must be host or container, not ${mode}`);
  // `E2E_TARGET=localstack npm run test:e2e` on a fresh clone installs LocalStack here.
  ensureEmulatorInstalled('localstack');
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-e2e-localstack-'));
  const ls = await startLocalStackCloud({ port: 0, stateDir, mode }).catch(async (error: unknown) => {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  });
  project.provide('localstack', {
    endpoint: ls.endpoint,
    region: ls.region,
    stackName: ls.stackName,
    outputs: ls.outputs,
    sharedDir: ls.sharedDir ?? null,
    functionLogDir: ls.functionLogDir,
  });
  return async () => {
    await ls.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
}
