import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../local/emulator.js';
import {
  localAwsEnv,
  provisionLocalCloud,
  type LocalCloud,
  type LocalCloudOptions,
} from '../../local/resources.js';

export interface TestCloud {
  emulator: Emulator;
  cloud: LocalCloud;
  stop(): Promise<void>;
}

/**
 * A private emulator on a free port with the local cloud's resources in it, and this process's
 * AWS environment pointed at it (the runtime's clients read `AWS_ENDPOINT_URL`).
 */
export async function startTestCloud(options: Partial<LocalCloudOptions> = {}): Promise<TestCloud> {
  const emulator = await startEmulator({ port: 0 });
  const sharedDir = options.sharedDir ?? (await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-efs-')));
  const cloud = await provisionLocalCloud({ ...options, endpoint: emulator.endpoint, sharedDir });
  Object.assign(process.env, localAwsEnv(cloud.endpoint, cloud.region));
  return {
    emulator,
    cloud,
    async stop() {
      await emulator.stop();
      if (!options.sharedDir) await rm(sharedDir, { recursive: true, force: true });
    },
  };
}
