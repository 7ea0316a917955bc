import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictBurst, renderScaleDoc, type ScaleLimits } from '../../../bench/lib/scale.js';
import { SCALE_JOB, SCALE_SCENARIOS } from '../../../bench/lib/scale-scenarios.js';

const halfHour = { seconds: 1800, vcpu: 1, memoryGb: 2 };
const limits: ScaleLimits = {
  launcherConcurrency: 2,
  runTaskSeconds: 0.5,
  maxRunningTasks: 20,
  vcpuQuota: 100,
};

describe('the scale model', () => {
  it('drains a burst larger than the cap in waves of the cap', () => {
    const p = predictBurst(1000, halfHour, limits);
    expect(p.binding).toBe('running-task cap');
    expect(p.concurrentTasks).toBe(20);
    // 50 waves of 20 half-hour jobs, the last one included.
    expect(p.drainSeconds).toBeCloseTo(1000 / (20 / 1800) + 1800, 6);
  });

  it('names the vCPU quota when it is lower than the cap', () => {
    const p = predictBurst(1000, { ...halfHour, vcpu: 4 }, { ...limits, maxRunningTasks: 100 });
    expect(p.binding).toBe('vCPU quota');
    expect(p.concurrentTasks).toBe(25);
  });

  it('starts a burst that fits under the cap as fast as tasks can be launched', () => {
    const wide = { ...limits, maxRunningTasks: 5000, vcpuQuota: 5000 };
    const p = predictBurst(1000, halfHour, wide);
    expect(p.binding).toBe('launcher');
    expect(p.drainSeconds).toBeCloseTo(1000 / 4 + 1800, 6);
    const fast = predictBurst(1000, halfHour, { ...wide, launcherConcurrency: 20 });
    expect(fast.binding).toBe('ECS launch rate');
    expect(fast.tasksPerSecond).toBe(20);
  });

  it('costs the same whatever the limits: each job runs once for its duration', () => {
    const a = predictBurst(10_000, halfHour, limits);
    const b = predictBurst(10_000, halfHour, { ...limits, maxRunningTasks: 10_000, vcpuQuota: 10_000 });
    expect(a.dollars).toBeCloseTo(b.dollars, 9);
    expect(a.dollars).toBeCloseTo(10_000 * 0.5 * (0.03238 + 2 * 0.00356), 6);
    expect(a.spotDollars).toBeCloseTo(a.dollars * 0.3, 9);
  });

  it('is what docs/scale-model.md says (npm run scale-model regenerates it)', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/scale-model.md'), 'utf8');
    expect(doc).toBe(renderScaleDoc(SCALE_JOB, SCALE_SCENARIOS));
  });
});
