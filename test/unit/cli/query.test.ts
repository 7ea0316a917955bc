import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatQueryResult } from '../../../src/cli/query.js';
import { duckdbType, openResultsDb, type ResultsDb } from '../../../src/cli/results-db.js';
import { json, columnSchema } from '../../../contract/json-schema.js';
import { resultDocument } from '../../support/result-documents.js';
import { runOn } from '../core/helpers.js';

describe('duckdbType', () => {
  it('nests structs and lists as the Glue table does, quoting every field name', () => {
    const schema = json.object({
      distinct: json.integer(),
      header: json.array(json.string()),
      profiles: json.array(json.object({ min: json.optional(json.number()), exact: json.boolean() })),
      versionId: json.nullable(json.string()),
    });
    expect(duckdbType(columnSchema(schema))).toBe(
      'STRUCT("distinct" BIGINT, "header" VARCHAR[], "profiles" STRUCT("min" DOUBLE, "exact" BOOLEAN)[], "versionId" VARCHAR)',
    );
  });
});

describe('the results table in DuckDB', () => {
  let db: ResultsDb;
  beforeAll(async () => {
    db = await openResultsDb([
      resultDocument(await runOn('@r\nACGTN\n+\nII#II\n'.repeat(3), 'x.fq'), 'incoming/run1/a.fq'),
      resultDocument(await runOn('@r\nACGG\n+\n####\n', 'x.fq'), 'incoming/run1/b.fq', { versionId: 'v1' }),
      resultDocument(await runOn('a,b\n1,x\n2,y\n', 'x.csv'), 'incoming/t.csv'),
    ]);
  });
  afterAll(() => db.close());

  it('has a row per document, nested fields reached by name in any case', async () => {
    const result = await db.query(
      'SELECT job.key, report.fastq.bases, report.FASTQ.Q30percent AS q30 FROM results ORDER BY job.key',
    );
    expect(result.columns).toEqual([
      { name: 'key', numeric: false },
      { name: 'bases', numeric: true },
      { name: 'q30', numeric: true },
    ]);
    expect(result.rows).toEqual([
      ['incoming/run1/a.fq', 15, 80],
      ['incoming/run1/b.fq', 4, 0],
      ['incoming/t.csv', null, null],
    ]);
  });

  it('gives lists, structs and nulls back as JSON values', async () => {
    const result = await db.query(
      "SELECT report.csv.header, report.csv.columnProfiles[1].name AS first, job.versionId FROM results WHERE report.format = 'csv'",
    );
    expect(result.rows).toEqual([[['a', 'b'], 'a', null]]);
  });

  it('is empty, with its columns, when there is no result', async () => {
    const empty = await openResultsDb([]);
    try {
      const result = await empty.query('SELECT count(*) AS n, max(report.fastq.reads) AS most FROM results');
      expect(result.rows).toEqual([[0, null]]);
    } finally {
      empty.close();
    }
  });
});

describe('formatQueryResult', () => {
  const result = {
    columns: [
      { name: 'file', numeric: false },
      { name: 'reads', numeric: true },
      { name: 'header', numeric: false },
    ],
    rows: [
      ['run1/a\tb.fq', 1200, null],
      ['c.csv', null, ['x', 'y']],
    ],
  };

  it('prints an aligned table, numbers on the right, NULL for nulls, JSON for nested values', () => {
    const plain = { ...result, rows: [['run1/a.fq', 1200, null], ...result.rows.slice(1)] };
    expect(formatQueryResult(plain, 'table')).toBe(
      ['file       reads  header', 'run1/a.fq   1200  NULL', 'c.csv       NULL  ["x","y"]', ''].join('\n'),
    );
  });

  it('writes TSV with a header, escaped tabs and empty nulls', () => {
    expect(formatQueryResult(result, 'tsv')).toBe(
      'file\treads\theader\nrun1/a\\tb.fq\t1200\t\nc.csv\t\t["x","y"]\n',
    );
  });

  it('writes JSON objects named by column', () => {
    expect(JSON.parse(formatQueryResult(result, 'json'))).toEqual([
      { file: 'run1/a\tb.fq', reads: 1200, header: null },
      { file: 'c.csv', reads: null, header: ['x', 'y'] },
    ]);
  });
});
