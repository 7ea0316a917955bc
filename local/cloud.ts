import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { bundleLocal, type LocalBundles } from './bundle.js';
import type { Chaos } from './chaos.js';
import { startEcsProxy, type EcsLimits, type EcsProxy } from './ecs-proxy.js';
import { REPO_ROOT, startEmulator, type Emulator } from './emulator.js';
import { provisionLocalCloud, warmLocalCloud, type LocalCloud, type LocalCloudOptions } from './resources.js';
import { LocalRunner, type LocalRunnerOptions } from './runner.js';

export interface StartLocalCloudOptions extends Omit<LocalCloudOptions, 'endpoint' | 'sharedDir'> {
  /** Emulator port. @default 4566; 0 picks a free one */
  port?: number;
  /** Folder for the shared "EFS" folder and the logs. @default `.local` in the repository */
  stateDir?: string;
  runner?: Partial<LocalRunnerOptions>;
  /** Faults to inject; the RunTask faults are answered by the local ECS (ecs-proxy.ts). */
  chaos?: Chaos;
  /** The RunTask limits the local ECS enforces. @default ECS_LIMIT_DEFAULTS in ecs-proxy.ts */
  ecsLimits?: EcsLimits;
}

export interface RunningLocalCloud {
  cloud: LocalCloud;
  emulator: Emulator;
  runner: LocalRunner;
  bundles: LocalBundles;
  stateDir: string;
  /** The ECS the functions and workers call: the emulator's, with AWS's limits and idempotency. */
  ecsProxy: EcsProxy;
  stop(): Promise<void>;
}

/**
 * The whole Docker-less cloud: the emulator for the API plane, the stack's resources in it, the
 * runtime bundled as it ships, and the runner that plays Lambda and Fargate with local processes.
 */
export async function startLocalCloud(options: StartLocalCloudOptions = {}): Promise<RunningLocalCloud> {
  const stateDir = path.resolve(options.stateDir ?? path.join(REPO_ROOT, '.local'));
  const sharedDir = path.join(stateDir, 'efs');
  const logDir = path.join(stateDir, 'logs');
  await mkdir(sharedDir, { recursive: true });
  // The logs are those of the last run only.
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  // Bundles live inside the repository so their external AWS SDK imports resolve from node_modules.
  // Each cloud's folder is named after its process, so one left by an unclean stop is found.
  const bundlesDir = path.join(REPO_ROOT, '.local', 'bundles');
  await removeOrphanedBundles(bundlesDir);
  const bundleDir = path.join(bundlesDir, `${process.pid}-${randomUUID()}`);
  // The emulator loads its backends while the bundles build.
  const [started, bundled] = await Promise.allSettled([
    startEmulator({ port: options.port ?? 4566, logFile: path.join(logDir, 'emulator.log') }).then(
      async (emulator) => {
        await warmLocalCloud(emulator.endpoint, options.region);
        return emulator;
      },
    ),
    bundleLocal(bundleDir),
  ]);
  if (started.status !== 'fulfilled' || bundled.status !== 'fulfilled') {
    if (started.status === 'fulfilled') await started.value.stop();
    await rm(bundleDir, { recursive: true, force: true });
    throw [started, bundled].find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  const emulator = started.value;
  const bundles = bundled.value;
  try {
    const cloud = await provisionLocalCloud({ ...options, endpoint: emulator.endpoint, sharedDir });
    const ecsProxy = await startEcsProxy(emulator.endpoint, {
      region: cloud.region,
      limits: options.ecsLimits,
      chaos: options.chaos,
    });
    const runner = new LocalRunner(cloud, bundles, {
      logDir,
      chaos: options.chaos,
      ecsEndpoint: ecsProxy.endpoint,
      ...options.runner,
    });
    await runner.start();
    return {
      cloud,
      emulator,
      runner,
      bundles,
      stateDir,
      ecsProxy,
      async stop() {
        await runner.stop();
        await ecsProxy.stop();
        await emulator.stop();
        await rm(bundleDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await emulator.stop();
    await rm(bundleDir, { recursive: true, force: true });
    throw error;
  }
}

/** Removes the bundle folders of local clouds whose process is gone (an unclean stop). */
export async function removeOrphanedBundles(bundlesDir: string): Promise<void> {
  const folders = await readdir(bundlesDir).catch(() => [] as string[]);
  for (const folder of folders) {
    const pid = Number(/^(\d+)-/.exec(folder)?.[1]);
    if (!pid || !isAlive(pid)) await rm(path.join(bundlesDir, folder), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
