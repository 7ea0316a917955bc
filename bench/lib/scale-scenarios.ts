import { DEFAULTS } from '../../lib/config.js';
import type { ScaleJob, ScaleScenario } from './scale.js';

/** The long job of the model: half an hour on the default worker task. */
export const SCALE_JOB: ScaleJob = {
  seconds: 30 * 60,
  vcpu: DEFAULTS.workerCpu / 1024,
  memoryGb: DEFAULTS.workerMemoryMb / 1024,
};

/** RunTask's latency as the launcher sees it, answer included (an assumption, not a measurement). */
const RUNTASK_SECONDS = 0.5;

export const SCALE_SCENARIOS: readonly ScaleScenario[] = [
  {
    name: 'The stack as deployed, in an account with a 100-vCPU quota',
    limits: {
      launcherConcurrency: DEFAULTS.launcherConcurrency,
      runTaskSeconds: RUNTASK_SECONDS,
      maxRunningTasks: DEFAULTS.maxRunningTasks,
      vcpuQuota: 100,
    },
  },
  {
    name: 'Cap raised to a quota of 1,000 vCPUs',
    limits: {
      launcherConcurrency: 4,
      runTaskSeconds: RUNTASK_SECONDS,
      maxRunningTasks: 1000,
      vcpuQuota: 1000,
    },
  },
  {
    name: 'A quota of 20,000 vCPUs',
    limits: {
      launcherConcurrency: 10,
      runTaskSeconds: RUNTASK_SECONDS,
      maxRunningTasks: 20000,
      vcpuQuota: 20000,
    },
  },
];
