/**
 * The local stand-in for Athena: result documents loaded into an in-memory DuckDB as the table
 * the stack's Glue table is (`RESULTS_TABLE`), with the same columns and nesting, both derived
 * from the one result schema (contract/result-schema.ts). A query written for one runs on the
 * other, as far as the two SQL dialects agree.
 */
import type { DuckDBConnection, DuckDBInstance, JS } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { columnSchema, type ColumnSchema } from '../../contract/json-schema.js';
import { RESULT_DOCUMENT, RESULTS_TABLE } from '../../contract/result-schema.js';

const SCALARS = { string: 'VARCHAR', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN' } as const;

/** DuckDB's type of a column: `BIGINT`, `VARCHAR[]`, `STRUCT("reads" BIGINT, …)`. */
export function duckdbType(schema: ColumnSchema): string {
  switch (schema.kind) {
    case 'array':
      return `${duckdbType(schema.items)}[]`;
    case 'object':
      return `STRUCT(${schema.fields.map((f) => `${identifier(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
    default:
      return SCALARS[schema.kind];
  }
}

/** The results table's columns: one per top-level field of the result document. */
function resultsTableColumns(): { name: string; type: string }[] {
  return Object.entries(RESULT_DOCUMENT.fields).map(([name, schema]) => ({
    name,
    type: duckdbType(columnSchema(schema)),
  }));
}

/** A query's answer: column names, whether each holds numbers, and the rows as plain JSON values. */
export interface QueryResult {
  columns: { name: string; numeric: boolean }[];
  rows: unknown[][];
}

export interface ResultsDb {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

/** A database holding `documents` as the results table. */
export async function openResultsDb(documents: readonly unknown[]): Promise<ResultsDb> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    const columns = resultsTableColumns().map((c) => `${identifier(c.name)} ${c.type}`);
    await connection.run(`CREATE TABLE ${identifier(RESULTS_TABLE)} (${columns.join(', ')})`);
    if (documents.length > 0) await load(connection, documents);
  } catch (error) {
    close();
    throw error;
  }
  return {
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames().map((name, i) => ({
          name,
          numeric: NUMERIC_TYPE.test(String(reader.columnTypes()[i])),
        })),
        rows: reader.getRowsJS().map((row) => row.map(plain)),
      };
    },
    close,
  };
}

/**
 * DuckDB reads the documents as Athena's JSON SerDe does: one per line, fields by name, a missing
 * field as NULL, a field the table does not know ignored.
 */
async function load(connection: DuckDBConnection, documents: readonly unknown[]): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pipeline-query-'));
  try {
    const file = path.join(dir, 'results.ndjson');
    await writeFile(file, documents.map((d) => `${JSON.stringify(d)}\n`).join(''));
    const columns = resultsTableColumns()
      .map((c) => `${literal(c.name)}: ${literal(c.type)}`)
      .join(', ');
    await connection.run(
      `INSERT INTO ${identifier(RESULTS_TABLE)} BY NAME SELECT * FROM read_json(${literal(file)}, ` +
        `format = 'newline_delimited', columns = {${columns}})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NUMERIC_TYPE = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL\b.*)$/;

/** A value as JSON has it: integers as numbers while exact (else as text), dates as ISO text. */
function plain(value: JS): unknown {
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
