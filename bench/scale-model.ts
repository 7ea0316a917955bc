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

const file = path.join(REPO_ROOT, 'docs', 'scale-model.md');
writeFileSync(file, renderScaleDoc(SCALE_JOB, SCALE_SCENARIOS));
process.stderr.write('wrote docs/scale-model.md\n');

const reportFile = path.join(REPO_ROOT, '.local', 'load-report.json');
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    objects: number;
    maxRunningTasks: number;
    wallSeconds: number;
    launchesPerSecond: number;
    meanTaskSeconds?: number;
  };
  if (report.meanTaskSeconds !== undefined) {
    // The local run's limits: its cap, its measured task duration, and no quota beyond the cap.
    const p = predictBurst(
      report.objects,
      { seconds: report.meanTaskSeconds, vcpu: 1, memoryGb: 2 },
      {
        launcherConcurrency: 2,
        runTaskSeconds: (1 / report.launchesPerSecond) * 2,
        maxRunningTasks: report.maxRunningTasks,
        vcpuQuota: Infinity,
      },
    );
    process.stderr.write(
      `load run: ${report.objects} jobs of ${report.meanTaskSeconds.toFixed(2)} s under a cap of ${report.maxRunningTasks}: ` +
        `model ${p.drainSeconds.toFixed(0)} s (${p.binding} binds), measured ${report.wallSeconds.toFixed(0)} s\n`,
    );
  }
}
