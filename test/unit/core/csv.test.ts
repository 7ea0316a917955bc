import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runJob, type ColumnProfile, type CsvProfile } from '../../../src/core/index.js';
import { CSV_COLUMNS, csvBuffer, csvRows } from '../../support/generate.js';
import { expectInputError, runOn } from './helpers.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv');

async function profileOfFile(name: string): Promise<CsvProfile> {
  const file = path.join(FIXTURES, name);
  const report = await runJob(createReadStream(file), { name: file });
  if (report.csv === undefined) throw new Error('no CSV profile');
  return report.csv;
}

async function profileOf(data: string | Uint8Array, chunkSize?: number): Promise<CsvProfile> {
  const report = await runOn(data, 'x.csv', chunkSize ? { chunkSize } : {});
  if (report.csv === undefined) throw new Error('no CSV profile');
  return report.csv;
}

function column(profile: CsvProfile, name: string): ColumnProfile {
  const found = profile.columnProfiles.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

describe('CSV profile', () => {
  it('reads quoted fields holding commas, newlines and doubled quotes', async () => {
    const profile = await profileOfFile('quoted.csv');
    expect(profile).toMatchObject({ rows: 5, columns: 3, header: ['id', 'comment', 'amount'] });
    expect(column(profile, 'comment')).toEqual({
      name: 'comment',
      type: 'string',
      nullCount: 2,
      distinct: 3,
      distinctExact: true,
    });
    expect(column(profile, 'amount')).toMatchObject({ type: 'integer', min: 10, max: 50, mean: 30 });
  });

  it('infers integer, number, boolean, date, string and empty columns', async () => {
    const profile = await profileOfFile('types.csv');
    expect(profile.columnProfiles.map((c) => [c.name, c.type])).toEqual([
      ['int', 'integer'],
      ['num', 'number'],
      ['bool', 'boolean'],
      ['date', 'date'],
      ['str', 'string'],
      ['blank', 'empty'],
      ['mixed_num', 'string'],
      ['zip', 'integer'],
    ]);
    expect(column(profile, 'int')).toMatchObject({ nullCount: 1, min: -2, max: 4, mean: 1.5 });
    expect(column(profile, 'num')).toMatchObject({ nullCount: 0, min: -0.25, max: 1000, mean: 200.75 });
    expect(column(profile, 'bool')).toEqual({
      name: 'bool',
      type: 'boolean',
      nullCount: 1,
      distinct: 4,
      distinctExact: true,
    });
    expect(column(profile, 'str')).toMatchObject({ nullCount: 1, distinct: 4 });
    expect(column(profile, 'blank')).toEqual({
      name: 'blank',
      type: 'empty',
      nullCount: 5,
      distinct: 0,
      distinctExact: true,
    });
    expect(column(profile, 'mixed_num').min).toBeUndefined();
  });

  it('recognises ISO 8601 dates and date-times', async () => {
    const dates = [
      '2000-02-29',
      '2024-02-29T23:59:60Z',
      '1999-12-31 00:00',
      '2024-06-01T12:30:45.123+02:00',
      '2024-06-01T12:30-0530',
    ];
    expect(column(await profileOf(`d\n${dates.join('\n')}\n`), 'd').type).toBe('date');
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-01T24:00',
    '2024-01-01T12:60',
    '2024-1-01',
    '2024-01-01x',
  ])('does not take %s for a date', async (value) => {
    const profile = await profileOf(`d\n2024-01-01\n${value}\n`);
    expect(column(profile, 'd').type).toBe('string');
  });

  it('counts empty, blank, NA, N/A, NaN, null and None (any case) as nulls', async () => {
    const a = column(await profileOfFile('nulls.csv'), 'a');
    expect(a).toEqual({ name: 'a', type: 'string', nullCount: 8, distinct: 2, distinctExact: true });
  });

  it('strips a UTF-8 BOM and reads CRLF line ends', async () => {
    const profile = await profileOfFile('bom-crlf.csv');
    expect(profile).toMatchObject({ rows: 2, header: ['name', 'value'] });
    expect(column(profile, 'value')).toMatchObject({ type: 'integer', max: 2 });
  });

  it('reports a header-only file as zero rows', async () => {
    const profile = await profileOfFile('header-only.csv');
    expect(profile).toMatchObject({ rows: 0, columns: 2 });
    expect(profile.columnProfiles.map((c) => c.type)).toEqual(['empty', 'empty']);
  });

  it('fails a ragged row with its row and line number', async () => {
    const file = path.join(FIXTURES, 'ragged.csv');
    await expectInputError(runJob(createReadStream(file), { name: file }), {
      code: 'CSV_RAGGED_ROW',
      line: 3,
      record: 2,
      message: /2 fields where the header has 3/,
    });
  });

  it('fails an unterminated quote at the line where the quoted field opens', async () => {
    const file = path.join(FIXTURES, 'unterminated-quote.csv');
    await expectInputError(runJob(createReadStream(file), { name: file }), {
      code: 'CSV_UNTERMINATED_QUOTE',
      line: 3,
      record: 2,
    });
  });

  it('locates an unterminated quote after skipped blank lines', async () => {
    await expectInputError(profileOf('a,b\n1,2\n\n\n"x,3\n'), { code: 'CSV_UNTERMINATED_QUOTE', line: 5 });
  });

  it('locates an unterminated quote and a ragged row the same way whatever the chunk boundaries', async () => {
    const unterminated = 'a,b\n1,"x\ny"\n\n2,3\n"open,4\n5,6\n';
    const ragged = 'a,b\n1,"x\ny"\n\n2,3\n4\n5,6\n';
    for (const chunkSize of [1, 2, 5, 1 << 20]) {
      await expectInputError(profileOf(unterminated, chunkSize), {
        code: 'CSV_UNTERMINATED_QUOTE',
        line: 6,
        record: 3,
      });
      await expectInputError(profileOf(ragged, chunkSize), { code: 'CSV_RAGGED_ROW', line: 6, record: 3 });
    }
  });

  it('fails a character after a closing quote as malformed', async () => {
    await expectInputError(profileOf('a,b\n1,"2"x\n'), { code: 'CSV_MALFORMED', line: 2 });
  });

  it('fails an empty file', async () => {
    const file = path.join(FIXTURES, 'empty.csv');
    await expectInputError(runJob(createReadStream(file), { name: file }), { code: 'EMPTY_INPUT' });
  });

  it('profiles generated data: row count, types, nulls, numeric range', async () => {
    const options = { rows: 3_000, seed: 21 };
    const rows = [...csvRows(options)].slice(1);
    const profile = await profileOf(csvBuffer(options), 4096);
    expect(profile.rows).toBe(rows.length);
    expect(profile.columnProfiles.map((c) => c.type)).toEqual(CSV_COLUMNS.map((c) => c.type));
    const scores = rows
      .map((r) => r[2] as string)
      .filter((v) => v !== 'NA')
      .map(Number);
    expect(column(profile, 'score')).toMatchObject({
      nullCount: rows.length - scores.length,
      min: Math.min(...scores),
      max: Math.max(...scores),
    });
    expect(column(profile, 'score').mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 9);
    expect(column(profile, 'id')).toMatchObject({ distinct: 3_000, distinctExact: true, min: 1, max: 3_000 });
  });

  it('estimates distinct values past the exact cap and flags the estimate', async () => {
    const profile = await profileOf(csvBuffer({ rows: 30_000, seed: 22 }));
    const id = column(profile, 'id');
    expect(id.distinctExact).toBe(false);
    expect(Math.abs(id.distinct - 30_000) / 30_000).toBeLessThan(0.03);
    expect(column(profile, 'category')).toMatchObject({ distinct: 5, distinctExact: true });
  });

  it('gives the same profile whatever the chunk boundaries, and for gzip', async () => {
    const data = readFileSync(path.join(FIXTURES, 'quoted.csv'));
    const whole = await profileOf(data);
    expect(await profileOf(data, 1)).toEqual(whole);
    expect(await profileOf(data, 7)).toEqual(whole);
    const gz = await runOn(gzipSync(data), 'x.csv.gz');
    expect(gz.csv).toEqual(whole);
    expect(gz.input.gzip).toBe(true);
  });
});
