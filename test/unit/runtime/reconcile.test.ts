import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { objectRefFromRecord } from '../../../src/runtime/events.js';
import { jobIdFor } from '../../../src/runtime/job.js';
import {
  cursorDocument,
  encodeEventKey,
  markerFromCursor,
  objectCreatedEvent,
  reconcile,
  reconcileFromCursor,
  verdictFor,
  type ReconcileCursor,
  type ListedPage,
  type ListedVersion,
  type ListMarker,
} from '../../../src/runtime/reconcile.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const LIMITS = { graceSeconds: 600, lookbackSeconds: 2 * 86400 };
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const version = (key: string, ageMinutes: number, versionId: string | null = `v-${key}`): ListedVersion => ({
  key,
  versionId,
  lastModified: minutesAgo(ageMinutes),
  size: 10,
});

describe('verdictFor', () => {
  it('leaves a version alone while its event may still be on the way', () => {
    expect(verdictFor(version('incoming/a.fq', 5), NOW, LIMITS)).toBe('too-recent');
  });
  it('checks a version past the grace period', () => {
    expect(verdictFor(version('incoming/a.fq', 11), NOW, LIMITS)).toBe('candidate');
  });
  it('leaves a version alone once its job item may have expired', () => {
    expect(verdictFor(version('incoming/a.fq', 3 * 24 * 60), NOW, LIMITS)).toBe('too-old');
  });
  it('ignores folder markers, as the dispatcher does', () => {
    expect(verdictFor(version('incoming/run-1/', 60), NOW, LIMITS)).toBe('not-an-input');
  });
});

describe('objectCreatedEvent', () => {
  it.each([
    'incoming/plain.fq',
    'incoming/with space.fq',
    'incoming/a+b%c.fq',
    'incoming/échantillon №1.fq.gz',
  ])('names %s so that the dispatcher decodes the same key and version', (key) => {
    const event = objectCreatedEvent('data', 'eu-west-1', version(key, 60, 'v7'));
    expect(objectRefFromRecord(event.Records[0]!)).toEqual({
      bucket: 'data',
      key,
      versionId: 'v7',
      event: 'created',
    });
  });
  it('writes a space as + and keeps slashes, as S3 does', () => {
    expect(encodeEventKey('incoming/run 1/a+b.fq')).toBe('incoming/run+1/a%2Bb.fq');
  });
  it('leaves out the version id of an unversioned object', () => {
    const event = objectCreatedEvent('data', 'eu-west-1', version('incoming/a.fq', 60, null));
    expect(objectRefFromRecord(event.Records[0]!).versionId).toBeNull();
  });
});

/** A bucket listed `pageSize` versions at a time, and a jobs table, in memory. */
function fakes(versions: ListedVersion[], pageSize: number, jobs: Set<string>) {
  const submitted: S3Event[] = [];
  const deps = {
    bucket: 'data',
    region: 'eu-west-1',
    now: () => NOW,
    async listVersions(_prefix: string, from?: ListMarker): Promise<ListedPage> {
      const start = from
        ? versions.findIndex(
            (v) => v.key === from.keyMarker && (v.versionId ?? 'null') === from.versionIdMarker,
          ) + 1
        : 0;
      const page = versions.slice(start, start + pageSize);
      const last = page.at(-1);
      const more = start + pageSize < versions.length && last;
      return {
        versions: page,
        next: more ? { keyMarker: last.key, versionIdMarker: last.versionId ?? 'null' } : undefined,
      };
    },
    lookups: [] as string[][],
    async jobsFound(jobIds: string[]) {
      this.lookups.push(jobIds);
      return new Set(jobIds.filter((id) => jobs.has(id)));
    },
    async submit(event: S3Event) {
      submitted.push(event);
      const ref = objectRefFromRecord(event.Records[0]!);
      jobs.add(jobIdFor(ref.bucket, ref.key, ref.versionId ?? null));
    },
  };
  return { deps, submitted };
}

describe('reconcile', () => {
  const versions = [
    version('incoming/a.fq', 60),
    version('incoming/b.fq', 60),
    version('incoming/c.fq', 1),
    version('incoming/d.fq', 60),
    version('incoming/e.fq', 60),
  ];

  it('hands on every version past the grace period that has no job, across pages', async () => {
    const jobs = new Set([jobIdFor('data', 'incoming/b.fq', 'v-incoming/b.fq')]);
    const { deps, submitted } = fakes(versions, 2, jobs);
    const report = await reconcile(deps, { ...LIMITS, maxSubmitted: 100 });
    expect(report.submitted.map((v) => v.key)).toEqual(['incoming/a.fq', 'incoming/d.fq', 'incoming/e.fq']);
    expect(report).toMatchObject({ listed: 5, withJob: 1 });
    expect(report.next).toBeUndefined();
    expect(report.verdicts['too-recent']).toBe(1);
    expect(submitted).toHaveLength(3);
  });

  it('does nothing the second time', async () => {
    const { deps } = fakes(versions, 2, new Set());
    await reconcile(deps, { ...LIMITS, maxSubmitted: 100 });
    const again = await reconcile(deps, { ...LIMITS, maxSubmitted: 100 });
    expect(again.submitted).toEqual([]);
    expect(again.withJob).toBe(4);
  });

  it('stops at the limit and the next run goes on from there', async () => {
    const { deps } = fakes(versions, 2, new Set());
    const first = await reconcile(deps, { ...LIMITS, maxSubmitted: 2 });
    expect(first.submitted.map((v) => v.key)).toEqual(['incoming/a.fq', 'incoming/b.fq']);
    expect(first.next).toBeDefined();
    const second = await reconcile(deps, { ...LIMITS, maxSubmitted: 2, from: first.next });
    expect(second.submitted.map((v) => v.key)).toEqual(['incoming/d.fq', 'incoming/e.fq']);
    expect(second.listed).toBe(3);
  });

  it('stops listing when time runs out and says where to go on', async () => {
    const { deps } = fakes(versions, 2, new Set());
    const report = await reconcile(deps, { ...LIMITS, maxSubmitted: 100, outOfTime: () => true });
    expect(report.listed).toBe(2);
    expect(report.next).toEqual({ keyMarker: 'incoming/b.fq', versionIdMarker: 'v-incoming/b.fq' });
  });

  it('looks up the candidates of a page in one call, never the recent or foreign ones', async () => {
    const { deps } = fakes(versions, 5, new Set());
    await reconcile(deps, { ...LIMITS, maxSubmitted: 100 });
    expect(deps.lookups).toHaveLength(1);
    expect(deps.lookups[0]).toHaveLength(4);
    expect(deps.lookups[0]).not.toContain(jobIdFor('data', 'incoming/c.fq', 'v-incoming/c.fq'));
  });
});

/** A cursor kept in memory, with every write recorded. */
function memoryCursor(start?: ListMarker): ReconcileCursor & { writes: (ListMarker | undefined)[] } {
  let current = start;
  const writes: (ListMarker | undefined)[] = [];
  return {
    writes,
    read: async () => current,
    async write(next) {
      writes.push(next);
      current = next;
    },
  };
}

describe('reconcileFromCursor', () => {
  // Every version is past the grace period, so each one a run lists is either found or handed on.
  const many = Array.from({ length: 7 }, (_, i) => version(`incoming/${i}.fq`, 60));

  it('reaches the end of a listing longer than one run, a run at a time', async () => {
    const { deps, submitted } = fakes(many, 2, new Set());
    const cursor = memoryCursor();
    // Each run has time for one page.
    const run = () =>
      reconcileFromCursor(deps, cursor, { ...LIMITS, maxSubmitted: 100, outOfTime: () => true });
    const reports = [await run(), await run(), await run(), await run()];
    expect(reports.map((r) => r.listed)).toEqual([2, 2, 2, 1]);
    expect(submitted.map((e) => objectRefFromRecord(e.Records[0]!).key)).toEqual(many.map((v) => v.key));
    expect(reports[3]!.next).toBeUndefined();
    expect(await cursor.read()).toBeUndefined();
    // The next run starts at the top again and finds every job.
    const again = await run();
    expect(again.startedAt).toBeUndefined();
    expect(again).toMatchObject({ listed: 2, withJob: 2, submitted: [] });
  });

  it('goes on after the version where the limit of events stopped the last run', async () => {
    const { deps } = fakes(many, 5, new Set());
    const cursor = memoryCursor();
    const first = await reconcileFromCursor(deps, cursor, { ...LIMITS, maxSubmitted: 3 });
    const second = await reconcileFromCursor(deps, cursor, { ...LIMITS, maxSubmitted: 3 });
    expect(second.startedAt).toEqual({ keyMarker: 'incoming/2.fq', versionIdMarker: 'v-incoming/2.fq' });
    expect([...first.submitted, ...second.submitted].map((v) => v.key)).toEqual(
      many.slice(0, 6).map((v) => v.key),
    );
  });

  it('writes nothing when a run finishes a listing it started at the top', async () => {
    const { deps } = fakes(many, 10, new Set());
    const cursor = memoryCursor();
    await reconcileFromCursor(deps, cursor, { ...LIMITS, maxSubmitted: 100 });
    expect(cursor.writes).toEqual([]);
  });
});

describe('the cursor document', () => {
  it.each([
    { keyMarker: 'incoming/a b.fq', versionIdMarker: 'v1' },
    { keyMarker: 'incoming/a.fq', versionIdMarker: 'null' },
    { keyMarker: 'incoming/a.fq' },
    undefined,
  ])('reads back the marker it was written with: %j', (marker) => {
    expect(markerFromCursor(JSON.stringify(cursorDocument(marker, NOW)))).toEqual(marker);
  });

  it.each([
    '{}',
    '[]',
    'null',
    '{"next": 3}',
    '{"next": {"versionIdMarker": "v1"}}',
    '{"next": {"keyMarker": "k", "versionIdMarker": 7}}',
  ])('refuses %s', (text) => {
    expect(() => markerFromCursor(text)).toThrow(/not a reconcile cursor/);
  });

  it('refuses text that is not JSON', () => {
    expect(() => markerFromCursor('incoming/a.fq')).toThrow(SyntaxError);
  });
});
