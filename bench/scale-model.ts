/**
 * `npm run scale-model` — how bursts of long jobs drain through the launch queue under ECS's and
 * the account's limits, and what they cost; writes docs/scale-model.md. With a load report
 * (`npm run load -- --route ecs` writes .local/load-report.json), also prints the model's drain
 * time for that run's limits next to the measured one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { predictBurst, renderScaleDoc } from './lib/scale.js';
import { SCALE_JOB, SCALE_SCENARIOS } from './lib/scale-scenarios.js';
import { REPO_ROOT } from './lib/inputs.js';
import { DEFAULTS } from '../lib/config.js';

const file = path.join(REPO_ROOT, 'docs', 'scale-model.md');
writeFileSync(file, renderScaleDoc(SCALE_JOB, SCALE_SCENARIOS));
process.stderr.write('wrote docs/scale-model.md\n');

const reportFile = path.join(REPO_ROOT, '.local', 'load-report.json');
if (existsSync(reportFile)) {
  const run = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    objects: number;
    maxRunningTasks: number;
    wallSeconds: number;
    meanTaskSeconds?: number;
    launcherSecondsPerRequest?: number;
  };
  if (run.meanTaskSeconds !== undefined && run.launcherSecondsPerRequest !== undefined) {
    // The local run's limits: its cap, its launcher (concurrency and measured time per request),
    // its tasks' measured duration, and no quota beyond the cap.
    const p = predictBurst(
      run.objects,
      { seconds: run.meanTaskSeconds, vcpu: 1, memoryGb: 2 },
      {
        launcherConcurrency: DEFAULTS.launcherConcurrency,
        runTaskSeconds: run.launcherSecondsPerRequest,
        maxRunningTasks: run.maxRunningTasks,
        vcpuQuota: Number.POSITIVE_INFINITY,
      },
    );
    process.stderr.write(
      `load run (.local/load-report.json): ${run.objects} jobs of ${run.meanTaskSeconds.toFixed(2)} s, ` +
        `${run.launcherSecondsPerRequest.toFixed(3)} s per launch request, cap ${run.maxRunningTasks}: ` +
        `model ${p.drainSeconds.toFixed(0)} s (${p.binding} binds at ${p.tasksPerSecond.toFixed(1)}/s), ` +
        `measured ${run.wallSeconds.toFixed(0)} s\n`,
    );
  }
}
