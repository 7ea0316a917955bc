/**
 * Misprediction safety through the real handler: a job the policy sends to Lambda that runs
 * longer than the budget stops when the invocation's time runs short and finishes on ECS, instead
 * of timing out. Local target only: it needs a policy that predicts wrong on purpose.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RoutingPolicy } from '../../contract/routing.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { withLocalCloud } from './local-harness.js';
import { localTargetOnly } from './target-name.js';

const skip = localTargetOnly('needs a deliberately wrong routing policy');

/** Predicts every job to take no time, with a budget of 50 ms: anything real overruns it. */
const overconfident: RoutingPolicy = {
  lambdaBudgetSeconds: 0.05,
  safetyFactor: 1,
  startupSeconds: 0,
  throughput: {
    fastq: { bytesPerSecond: 1e15, gzipBytesPerSecond: 1e15, gzipExpansion: 1 },
    csv: { bytesPerSecond: 1e15, gzipBytesPerSecond: 1e15, gzipExpansion: 1 },
  },
  source: 'test: wrong on purpose',
};

describe.skipIf(skip)('hand-off when Lambda time runs short', () => {
  it('stops a mispredicted job cleanly in Lambda and finishes it on ECS', async () => {
    await withLocalCloud(
      {},
      async (h) => {
        const id = await h.upload(
          'incoming/handoff/big.fastq.gz',
          gzipSync(fastqBuffer({ reads: 150_000, seed: 61 })),
        );
        const [job] = await h.finish([id]);
        expect(job).toMatchObject({ status: 'SUCCEEDED', route: 'ecs', attempts: 1 });
        expect(job!.routing?.reason).toMatch(/≤ budget.*handed to ECS when Lambda time ran short/);
        const result = await h.s3.send(
          new GetObjectCommand({ Bucket: h.local.cloud.bucket, Key: job!.resultKey! }),
        );
        const document = JSON.parse(await result.Body!.transformToString());
        expect(document.job.route).toBe('ecs');
        expect(document.report.fastq.reads).toBe(150_000);
        expect(h.local.runner.stats.tasksStarted).toBe(1);
        // The dispatcher returned well before its timeout: no timed-out invocation was retried.
        expect(h.local.runner.stats.invocationRetries).toBe(0);
      },
      { policy: overconfident, lambdaTimeoutSeconds: 10 },
    );
  });
});
