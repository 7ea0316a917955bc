import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../../src/runtime/job.js';
import { writeSharedResult } from '../../../src/runtime/shared-drive.js';

function documentOf(versionId: string, sourceLastModified: string): ResultDocument {
  return {
    job: {
      jobId: `job-${versionId}`,
      bucket: 'bucket',
      key: 'incoming/same.fq',
      versionId,
      route: 'ecs',
      attempt: 1,
      startedAt: sourceLastModified,
      finishedAt: sourceLastModified,
      durationMs: 0,
      sourceLastModified,
    },
    // Large enough that the two writes overlap on disk.
    report: { padding: 'x'.repeat(4 * 1024 * 1024) },
  };
}

describe('writeSharedResult', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shared-drive-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lets two writers of one key (same pid, as in two containers) both finish with a whole file', async () => {
    const file = path.join(dir, 'results', 'same.fq.json');
    const older = documentOf('v1', '2026-01-01T00:00:00.000Z');
    const newer = documentOf('v2', '2026-01-01T00:00:01.000Z');
    await Promise.all(Array.from({ length: 4 }, (_, i) => writeSharedResult(file, i % 2 ? newer : older)));
    const written = JSON.parse(await readFile(file, 'utf8')) as ResultDocument;
    expect(['v1', 'v2']).toContain(written.job.versionId);
    expect(await readdir(path.dirname(file))).toEqual(['same.fq.json']);
  });

  it('keeps the report of a newer input version', async () => {
    const file = path.join(dir, 'kept.json');
    await writeSharedResult(file, documentOf('v2', '2026-01-01T00:00:01.000Z'));
    await writeSharedResult(file, documentOf('v1', '2026-01-01T00:00:00.000Z'));
    expect((JSON.parse(await readFile(file, 'utf8')) as ResultDocument).job.versionId).toBe('v2');
  });

  it('writes the document as one line of JSON, as the results table reads a record', async () => {
    const file = path.join(dir, 'one-line.json');
    const document = documentOf('v1', '2026-01-01T00:00:00.000Z');
    await writeSharedResult(file, document);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toEqual([JSON.stringify(document), '']);
  });
});
