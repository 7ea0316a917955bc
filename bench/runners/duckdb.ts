/**
 * DuckDB's profile of a CSV, single-threaded, as the reference for the CSV profile:
 *
 *   node --import tsx bench/runners/duckdb.ts --file F [--counts]
 *
 * Without --counts it runs `SUMMARIZE` over the file (the timed work). With --counts it prints
 * the row count and exact per-column null counts instead (SUMMARIZE gives only a rounded null
 * percentage), so the bench can check them against ours. The same strings count as missing as
 * in our profile.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { parseArgs } from 'node:util';

/** Our profile's missing values (src/core/csv.ts), spelled the ways a file may have them. */
const NULL_STRINGS = [
  '',
  'NA',
  'na',
  'N/A',
  'n/a',
  'NaN',
  'nan',
  'NAN',
  'null',
  'NULL',
  'Null',
  'None',
  'none',
  'NONE',
];

const { values } = parseArgs({
  options: { file: { type: 'string' }, counts: { type: 'boolean', default: false } },
});
if (values.file === undefined) throw new Error('give --file');

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const source = `read_csv(${quote(values.file)}, header = true, nullstr = [${NULL_STRINGS.map(quote).join(', ')}])`;
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const db = await instance.connect();

if (!values.counts) {
  const result = await db.runAndReadAll(`SUMMARIZE SELECT * FROM ${source}`);
  process.stdout.write(`${JSON.stringify({ columns: result.currentRowCount })}\n`);
} else {
  const names = (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
    .getRowObjects()
    .map((r) => String(r.column_name));
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const counts = await db.runAndReadAll(
    `SELECT count(*) AS "rows", ${names.map((n, i) => `count(*) - count(${ident(n)}) AS c${i}`).join(', ')} FROM ${source}`,
  );
  const row = counts.getRowObjects()[0] ?? {};
  const nullCounts = Object.fromEntries(names.map((n, i) => [n, Number(row[`c${i}`])]));
  process.stdout.write(`${JSON.stringify({ rows: Number(row.rows), nullCounts })}\n`);
}
db.closeSync();
instance.closeSync();
