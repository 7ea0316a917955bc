/**
 * A corpus of bad inputs: each must end as one FAILED job whose message says what is wrong, with
 * the input left exactly as uploaded and no result written.
 */
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCOMING_PREFIX } from '../../contract/names.js';
import { waitForJobs } from '../../src/cli/watch-jobs.js';
import { jobIdFor } from '../../src/runtime/job.js';
import { fastqBuffer } from '../../local/synthetic-inputs.js';
import { startTarget, targetName, type E2ETarget } from './targets.js';

let target: E2ETarget;
beforeAll(async () => {
  target = await startTarget(targetName());
}, 600_000);
afterAll(() => target?.stop());

const good = fastqBuffer({ reads: 20, seed: 51 });
const gz = gzipSync(good);

/** name → [content, expected error code, what the message must say] */
const corpus: Record<string, [Buffer, string, RegExp]> = {
  'empty.csv': [Buffer.alloc(0), 'EMPTY_INPUT', /empty/i],
  'truncated.fastq': [good.subarray(0, good.length - 30), 'FASTQ_TRUNCATED', /line \d+/],
  'wrong-header.fastq': [Buffer.from('>seq1\nACGT\n+\nIIII\n'), 'FASTQ_BAD_HEADER', /line 1/],
  'length-mismatch.fastq': [
    Buffer.from('@r1\nACGT\n+\nIIII\n@r2\nACGTA\n+\nIIII\n'),
    'FASTQ_LENGTH_MISMATCH',
    /line 8/,
  ],
  'corrupt.fastq.gz': [Buffer.concat([gz.subarray(0, 40), Buffer.alloc(200, 0x55)]), 'GZIP_CORRUPT', /gzip/i],
  'truncated.fastq.gz': [gz.subarray(0, gz.length - 200), 'GZIP_CORRUPT', /gzip/i],
  'fake.fastq.gz': [
    Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not really gzip at all')]),
    'GZIP_CORRUPT',
    /gzip/i,
  ],
  'binary.fastq': [
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256)),
    'FASTQ_BAD_HEADER',
    /line 1/,
  ],
  'long-line.fastq': [
    Buffer.concat([Buffer.from('@r1\n'), Buffer.alloc(100 * 1024 * 1024, 'A'), Buffer.from('\n+\n')]),
    'LINE_TOO_LONG',
    /line 2/,
  ],
  'unterminated.csv': [Buffer.from('id,name\n1,"open quote\n2,b\n'), 'CSV_UNTERMINATED_QUOTE', /quote/i],
  'ragged.csv': [Buffer.from('id,name,score\n1,a,3\n2,b\n3,c,5\n'), 'CSV_RAGGED_ROW', /line 3/],
  'notes.txt': [Buffer.from('just some notes\n'), 'UNSUPPORTED_FORMAT', /notes\.txt/],
};

describe(`bad inputs (target: ${targetName()})`, () => {
  it('fails each bad input once, says why, and leaves the input intact', async () => {
    const run = `bad-${Date.now()}`;
    const uploads = [];
    for (const [name, [body]] of Object.entries(corpus)) {
      const key = `${INCOMING_PREFIX}${run}/${name}`;
      const put = await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body }));
      uploads.push({ name, key, etag: put.ETag, versionId: put.VersionId ?? null });
    }
    const done = await waitForJobs(
      target.jobs,
      uploads.map((u) => jobIdFor(target.bucket, u.key, u.versionId)),
      { timeoutMs: target.jobTimeoutMs },
    );
    for (const u of uploads) {
      const [body, code, message] = corpus[u.name]!;
      const job = done.get(jobIdFor(target.bucket, u.key, u.versionId))!;
      expect({ name: u.name, status: job.status, errorCode: job.errorCode }).toEqual({
        name: u.name,
        status: 'FAILED',
        errorCode: code,
      });
      expect(job.error, u.name).toMatch(message);
      expect(job.attempts, u.name).toBe(1);
      expect(job.resultKey, u.name).toBeUndefined();
      const head = await target.s3.send(
        new HeadObjectCommand({ Bucket: target.bucket, Key: u.key, VersionId: u.versionId ?? undefined }),
      );
      expect({ name: u.name, size: head.ContentLength, etag: head.ETag }).toEqual({
        name: u.name,
        size: body.length,
        etag: u.etag,
      });
    }
  });
});
