/**
 * The README's example queries, run by `pipeline query` over real results: the FASTQ fixtures
 * submitted in two run folders, processed by the pipeline, then queried, and every answer checked
 * against the result documents. Locally DuckDB stands in for Athena; a deployed stack is refused
 * with the workgroup to use until the console runs queries through Athena.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastqResult } from '../../src/cli/result-documents.js';
import { isFastqResult } from '../../src/cli/result-documents.js';
import type { Result } from '../../src/cli/result-table.js';
import { startTarget, targetName, type E2ETarget } from './targets.js';
import { runPipeline, type ConsoleOutcome } from '../support/pipeline-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FASTQ_FIXTURES = path.join(ROOT, 'test/fixtures/fastq');

/** The ```sql blocks of the README's section on queries, in order. */
async function readmeQueries(): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Querying the results in place');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

let target: E2ETarget;
let dir: string;

function pipeline(...args: string[]): Promise<ConsoleOutcome> {
  return runPipeline([...args, ...target.console.args], target.console.env);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-query-'));
  target = await startTarget(targetName());
}, 600_000);

afterAll(async () => {
  await target?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`pipeline query (${targetName()})`, () => {
  const run = `query-${Date.now()}`;
  let documents: FastqResult[];

  beforeAll(async () => {
    // The FASTQ fixtures split between two run folders, one of them with a lane folder, and a CSV
    // at the top that the queries leave out.
    const fixtures = (await readdir(FASTQ_FIXTURES)).filter((f) => /\.(fq|fastq)(\.gz)?$/.test(f)).sort();
    const folders = [`${run}-a`, `${run}-b/lane1`];
    for (const [i, name] of fixtures.entries()) {
      const folder = path.join(dir, 'runs', folders[i % 2]!);
      await mkdir(folder, { recursive: true });
      await copyFile(path.join(FASTQ_FIXTURES, name), path.join(folder, name));
    }
    const submitted = await pipeline(
      'submit',
      path.join(dir, 'runs', `${run}-a`),
      path.join(dir, 'runs', `${run}-b`),
      path.join(ROOT, 'test/fixtures/csv/types.csv'),
      '--watch',
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const results = await pipeline('results', '--format', 'json');
    documents = (JSON.parse(results.stdout) as Result[])
      .filter(isFastqResult)
      .filter((d) => d.job.key.startsWith(`incoming/${run}-`));
    expect(documents).toHaveLength(fixtures.length);
  }, 600_000);

  it('stores each result as one line of JSON, as Athena reads a record', async () => {
    for (const document of documents) {
      const key = `results/${document.job.key.slice('incoming/'.length)}.json`;
      const out = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
      const text = await out.Body!.transformToString();
      expect(text.split('\n'), key).toEqual([JSON.stringify(document), '']);
    }
  });

  it.runIf(targetName() === 'local')('answers the README’s two queries as the documents do', async () => {
    const [lowestQ30, basesPerRun] = await readmeQueries();
    expect(lowestQ30, 'the README has its two queries').toBeDefined();
    expect(basesPerRun).toBeDefined();

    const q30 = await pipeline('query', lowestQ30!, '--format', 'json');
    expect(q30.code, q30.stderr).toBe(0);
    const lowest = [...documents]
      .sort(
        (a, b) => a.report.fastq.q30Percent - b.report.fastq.q30Percent || (a.job.key < b.job.key ? -1 : 1),
      )
      .slice(0, 5);
    const rows = JSON.parse(q30.stdout) as { file: string; reads: number; q30: number }[];
    expect(rows.map((r) => [r.file, r.reads])).toEqual(lowest.map((d) => [d.job.key, d.report.fastq.reads]));
    for (const [i, row] of rows.entries()) expect(row.q30).toBeCloseTo(lowest[i]!.report.fastq.q30Percent, 2);

    const perRun = await pipeline('query', basesPerRun!, '--format', 'json');
    expect(perRun.code, perRun.stderr).toBe(0);
    const expected = new Map<string, { samples: number; bases: number }>();
    for (const d of documents) {
      const folder = d.job.key.split('/')[1]!;
      const sums = expected.get(folder) ?? { samples: 0, bases: 0 };
      expected.set(folder, { samples: sums.samples + 1, bases: sums.bases + d.report.fastq.bases });
    }
    const ordered = [...expected].sort(([a, x], [b, y]) => y.bases - x.bases || (a < b ? -1 : 1));
    expect(JSON.parse(perRun.stdout)).toEqual(ordered.map(([run, sums]) => ({ run, ...sums })));
  });

  it.runIf(targetName() === 'local')('prints a table by default and names the error in bad SQL', async () => {
    const table = await pipeline('query', 'SELECT count(*) AS results FROM results');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe('results');
    expect(Number(table.stdout.split('\n')[1])).toBe(documents.length + 1);

    const bad = await pipeline('query', 'SELECT nothing FROM results');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: the query failed: .*nothing/m);
  });

  it.runIf(targetName() !== 'local')('says to run the query in Athena on a deployed stack', async () => {
    const refused = await pipeline('query', 'SELECT 1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /not supported yet .* run the SQL in Athena \(workgroup \S+, database \S+\)/,
    );
  });
});
