import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DISTINCT_STATE_BYTES,
  MAX_COLUMNS,
  MAX_HEADER_CHARS,
  MAX_RECORD_CHARS,
  distinctPlan,
} from '../../../src/core/csv.js';
import { runJob, type ColumnProfile, type CsvProfile } from '../../../src/core/index.js';
import { CSV_COLUMNS, csvBuffer, csvRows, Prng } from '../../../local/synthetic-inputs.js';
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
      ['zip', 'string'], // identifiers with leading zeros,
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

describe('CSV quoting', () => {
  it.each([
    ['a quote inside an unquoted field', 'a,b\n1,x"y\n2,3\n', 2, /quote inside an unquoted field/],
    ['a space after a closing quote', 'a,b\n1,"2" \n', 2, /U\+0020 after a closing quote/],
    ['a space before an opening quote', 'a,b\n1, "2"\n', 2, /quote inside an unquoted field/],
    ['a bad quote in the header', 'a,b"c\n1,2\n', 1, /quote inside an unquoted field/],
    ['a bad quote before an unterminated one', 'a,b\n1,x"y,"open\n', 2, /quote inside an unquoted field/],
    ['a character after a closing quote on a later line', 'a,b\n1,"x\ny"z\n', 3, /'z' after a closing quote/],
  ])('fails %s as malformed, at its line', async (_, text, line, message) => {
    for (const chunkSize of [1, 3, 1 << 20]) {
      await expectInputError(profileOf(text, chunkSize), { code: 'CSV_MALFORMED', line, message });
    }
  });

  it('reads CRLF records whose line end falls between chunks right after a closing quote', async () => {
    const text = 'a,b\r\n"x",2\r\n"y ""z""",3\r\n';
    const whole = await profileOf(text);
    expect(whole).toMatchObject({ rows: 2, header: ['a', 'b'] });
    expect(column(whole, 'a')).toMatchObject({ type: 'string', distinct: 2 });
    for (const chunkSize of [1, 2, 3, 5, 7]) expect(await profileOf(text, chunkSize)).toEqual(whole);
  });

  it('reads lines ended by CR alone', async () => {
    const profile = await profileOf('a,b\r1,2\r3,"x\ry"\r');
    expect(profile).toMatchObject({ rows: 2, header: ['a', 'b'] });
    expect(column(profile, 'a')).toMatchObject({ type: 'integer', min: 1, max: 3 });
  });

  it('takes a line holding only a quoted empty field for a record, and skips empty lines', async () => {
    const profile = await profileOf('a\n""\n\n1\n\n');
    expect(profile.rows).toBe(2);
    expect(column(profile, 'a')).toMatchObject({ type: 'integer', nullCount: 1, distinct: 1 });
  });

  it('counts a CRLF inside a quoted field as one line', async () => {
    await expectInputError(profileOf('a,b\r\n1,"x\r\ny"\r\n3\r\n'), {
      code: 'CSV_RAGGED_ROW',
      line: 4,
      record: 2,
    });
  });
});

describe('CSV limits', () => {
  it(`fails a header with more than ${MAX_COLUMNS} fields, naming the count and the limit`, async () => {
    const width = MAX_COLUMNS + 1;
    const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: width }, () => '1').join(',');
    await expectInputError(profileOf(`${header}\n${row}\n`), {
      code: 'CSV_TOO_MANY_COLUMNS',
      line: 1,
      message: new RegExp(`${width} fields; at most ${MAX_COLUMNS} columns`),
    });
  });

  it('names the field count of a wide header too long to be read whole', async () => {
    const header = Array.from({ length: 200_000 }, (_, i) => `column${i}`).join(',');
    expect(header.length).toBeGreaterThan(MAX_HEADER_CHARS);
    await expectInputError(profileOf(`${header}\n`), {
      code: 'CSV_TOO_MANY_COLUMNS',
      message: new RegExp(`has at least \\d+ fields; at most ${MAX_COLUMNS} columns`),
    });
  });

  it(`profiles ${MAX_COLUMNS} columns, estimating distinct values past their smaller cap`, async () => {
    const rows = distinctPlan(MAX_COLUMNS).cap + 40;
    const lines = [Array.from({ length: MAX_COLUMNS }, (_, i) => `c${i}`).join(',')];
    for (let r = 0; r < rows; r++) {
      lines.push(Array.from({ length: MAX_COLUMNS }, (_, i) => `v${r}-${i % 7}`).join(','));
    }
    const profile = await profileOf(`${lines.join('\n')}\n`);
    expect(profile).toMatchObject({ rows, columns: MAX_COLUMNS });
    for (const c of [profile.columnProfiles[0], profile.columnProfiles[MAX_COLUMNS - 1]]) {
      expect(c?.distinctExact).toBe(false);
      expect(Math.abs((c?.distinct ?? 0) - rows) / rows).toBeLessThan(0.1);
    }
  });

  it('keeps distinct counting within its memory budget at every width', () => {
    for (let columns = 1; columns <= MAX_COLUMNS; columns = Math.ceil(columns * 1.3)) {
      const { cap, slots, sketchBits } = distinctPlan(columns);
      expect(columns * slots * 8, `columns=${columns}`).toBeLessThanOrEqual(DISTINCT_STATE_BYTES);
      expect(2 * cap).toBeLessThanOrEqual(slots);
      expect(2 ** sketchBits).toBeLessThanOrEqual(slots * 8);
      expect(cap).toBeGreaterThanOrEqual(128);
    }
    expect(distinctPlan(8)).toMatchObject({ cap: 10_000, sketchBits: 14 });
  });

  it(`fails a header longer than ${MAX_HEADER_CHARS} characters`, async () => {
    await expectInputError(profileOf(`a,${'h'.repeat(MAX_HEADER_CHARS)}\n1,2\n`), {
      code: 'CSV_HEADER_TOO_LONG',
      line: 1,
    });
  });

  it(`fails a record longer than ${MAX_RECORD_CHARS} characters, closed or not`, async () => {
    const field = 'x'.repeat(MAX_RECORD_CHARS);
    await expectInputError(profileOf(`a,b\n1,2\n3,"${field}"\n4,5\n`), {
      code: 'CSV_RECORD_TOO_LONG',
      line: 3,
      record: 2,
    });
    await expectInputError(profileOf(`a,b\n1,2\n3,"${field}`), {
      code: 'CSV_RECORD_TOO_LONG',
      line: 3,
      record: 2,
    });
  });

  it('reads a long quoted field spanning many chunks', async () => {
    const field = 'y'.repeat(3 << 20);
    const profile = await profileOf(`a,b\n1,"${field}"\n2,"${field}z"\n`, 100_000);
    expect(profile.rows).toBe(2);
    expect(column(profile, 'b')).toMatchObject({ type: 'string', distinct: 2 });
  });
});

describe('CSV identifiers that look numeric', () => {
  it('profiles a column of US ZIP codes as strings, as DuckDB and pandas keep them', async () => {
    const profile = await profileOf('zip,count\n00501,1\n02134,2\n10001,3\n');
    expect(column(profile, 'zip')).toMatchObject({ type: 'string', distinct: 3 });
    expect(column(profile, 'zip').min).toBeUndefined();
    expect(column(profile, 'count')).toMatchObject({ type: 'integer', min: 1, max: 3 });
  });

  it('treats any whole part with a leading zero as text, and a single zero as a number', async () => {
    const profile = await profileOf('a,b,c,d\n007,01.5,-00,0\n1,2.5,1,0.5\n');
    expect(profile.columnProfiles.map((c) => c.type)).toEqual(['string', 'string', 'string', 'number']);
  });
});

describe('CSV numbers', () => {
  it('reads every decimal exactly as Number() does', async () => {
    const prng = new Prng(61);
    const digits = (n: number): string => Array.from({ length: n }, () => String(prng.int(0, 9))).join('');
    const values: string[] = [
      '0',
      '-0',
      '+0',
      '-0.0',
      '1.',
      '.5',
      '0.25',
      '9007199254740993',
      '1e-7',
      '2E+3',
    ];
    while (values.length < 600) {
      const sign = prng.pick(['', '', '-', '+']);
      const whole = digits(prng.int(0, 18));
      const fraction = prng.float() < 0.7 ? `.${digits(prng.int(whole === '' ? 1 : 0, 18))}` : '';
      const exponent = prng.float() < 0.1 ? `e${prng.pick(['', '-', '+'])}${digits(prng.int(1, 3))}` : '';
      if (whole === '' && fraction === '') continue;
      values.push(`${sign}${whole}${fraction}${exponent}`);
    }
    const header = values.map((_, i) => `c${i}`).join(',');
    const profile = await profileOf(`${header}\n${values.join(',')}\n`);
    profile.columnProfiles.forEach((c, i) => {
      const value = values[i] as string;
      const expected = Number(value);
      // A leading zero in the whole part marks an identifier (ZIP code), not a number.
      if (!Number.isFinite(expected) || /^[+-]?0\d/.test(value)) {
        expect(c.type, value).toBe('string');
        return;
      }
      expect(c.type, value).toBe(/^[+-]?\d+$/.test(value) ? 'integer' : 'number');
      expect(Object.is(c.min, expected), `${value}: ${c.min} vs ${expected}`).toBe(true);
    });
  });
});
