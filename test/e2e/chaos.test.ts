/**
 * The guarantees under injected faults, on the local cloud: every object ends with exactly one
 * outcome whether events are repeated, workers die, or RunTask is throttled or its answer lost. Local target only:
 * the faults are injected by the local runner and its proxy.
 */
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORCED_ROUTE_METADATA } from '../../contract/names.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { WorkerExit } from '../../src/runtime/worker.js';
import { withLocalCloud as withCloud } from './local-harness.js';
import { localTargetOnly } from './target-name.js';

const skip = localTargetOnly('faults are injected by the local runner');

const toEcs = { [FORCED_ROUTE_METADATA]: 'ecs' };

describe.skipIf(skip)('guarantees under injected faults', () => {
  it('turns duplicate delivery of the same event into one job and one result', async () => {
    await withCloud({ duplicate: () => true }, async (h) => {
      const ids = [
        await h.upload('incoming/dup/a.fq', fastqBuffer({ reads: 200, seed: 41 })),
        await h.upload('incoming/dup/b.fq', fastqBuffer({ reads: 200, seed: 42 }), toEcs),
      ];
      const jobs = await h.finish(ids);
      await h.local.runner.settled(); // the second deliveries finish too
      expect(h.local.runner.stats.duplicatesDelivered).toBe(2);
      for (const job of jobs) {
        expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
        const versions = await h.s3.send(
          new ListObjectVersionsCommand({ Bucket: h.local.cloud.bucket, Prefix: job.resultKey }),
        );
        expect(versions.Versions?.filter((v) => v.Key === job.resultKey)).toHaveLength(1);
      }
      expect(h.local.runner.stats.tasksStarted).toBe(1);
    });
  });

  it('retries a worker that crashed mid-job, then succeeds', async () => {
    await withCloud({ crash: (taskNumber) => taskNumber === 1 }, async (h) => {
      const id = await h.upload('incoming/crash/once.fq', fastqBuffer({ reads: 60_000, seed: 43 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 2 });
      expect(h.local.runner.stats.workersCrashed).toBe(1);
      const shared = JSON.parse(
        await readFile(path.join(h.local.cloud.sharedDir, 'results/crash/once.fq.json'), 'utf8'),
      );
      expect(shared.job.attempt).toBe(2);
    });
  });

  it('puts back the job of a worker told to stop mid-job (SIGTERM), which then succeeds once', async () => {
    await withCloud({ interrupt: (taskNumber) => taskNumber === 1 }, async (h) => {
      const exits: (number | null)[] = [];
      h.local.runner.on('task-stopped', (task: { exitCode: number | null }) => exits.push(task.exitCode));
      const id = await h.upload('incoming/spot/once.fq', fastqBuffer({ reads: 60_000, seed: 47 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 2 });
      expect(h.local.runner.stats).toMatchObject({ workersInterrupted: 1, workersCrashed: 0 });
      // The first worker put its job back and exited on its own, before any SIGKILL.
      expect(exits[0]).toBe(WorkerExit.putBack);
      const versions = await h.s3.send(
        new ListObjectVersionsCommand({ Bucket: h.local.cloud.bucket, Prefix: job!.resultKey }),
      );
      expect(versions.Versions?.filter((v) => v.Key === job!.resultKey)).toHaveLength(1);
    });
  });

  it('fails a job whose worker always crashes, with the exit code, after the configured attempts', async () => {
    await withCloud({ crash: () => true }, async (h) => {
      const id = await h.upload('incoming/crash/always.fq', fastqBuffer({ reads: 60_000, seed: 44 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'FAILED', exitCode: 137, attempts: h.local.cloud.maxAttempts });
      expect(job!.error).toMatch(/exited with code 137.*gave up after 3 attempts/);
      expect(h.local.runner.stats.workersCrashed).toBe(h.local.cloud.maxAttempts);
    });
  });

  it('retries a throttled RunTask and succeeds', async () => {
    await withCloud({ throttle: (call) => call <= 2 }, async (h) => {
      const id = await h.upload('incoming/throttle/some.fq', fastqBuffer({ reads: 100, seed: 45 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 1 });
      expect(h.local.ecsProxy.stats.throttled).toBe(2);
    });
  });

  it('starts one worker when the answer of the RunTask that started it is lost', async () => {
    await withCloud({ loseAnswer: (call) => call === 1 }, async (h) => {
      const id = await h.upload('incoming/lost/answer.fq', fastqBuffer({ reads: 100, seed: 47 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 1 });
      expect(h.local.ecsProxy.stats).toMatchObject({ answersLost: 1, tokensRepeated: 1 });
      expect(h.local.runner.stats.tasksStarted).toBe(1);
    });
  });

  it('keeps a job waiting, never failed, while RunTask is throttled, then runs it once', async () => {
    // Every RunTask throttled, either way ECS says it, until the fourth.
    await withCloud({ throttle: (call) => call <= 2, rateExceeded: (call) => call === 3 }, async (h) => {
      const id = await h.upload('incoming/throttle/burst.fq', fastqBuffer({ reads: 100, seed: 46 }), toEcs);
      const [job] = await h.finish([id]);
      expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 1 });
      expect(h.local.ecsProxy.stats).toMatchObject({ throttled: 2, rateExceeded: 1 });
      expect(h.local.runner.stats.tasksStarted).toBe(1);
    });
  });
});
