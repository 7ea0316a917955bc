import { RESULTS_TABLE } from '../../contract/result-schema.js';
import {
  CommandError,
  ExitCode,
  runCommand,
  tableFormat,
  TARGET_OPTIONS,
  TARGET_USAGE,
  UsageError,
  type TableFormat,
} from './command.js';
import { renderTable, type Column } from './result-table.js';
import { fetchResults } from './results.js';
import { openResultsDb, type QueryResult } from './results-db.js';
import { escapeTsvField } from './seqkit-tsv.js';
import { connectTarget } from './target.js';

const USAGE = `usage: pipeline query "SQL" [--format table|tsv|json] [--stack NAME] [--region R]

Runs SQL over every result as the table ${RESULTS_TABLE}, a row per result document with the
columns job and report (docs/result-schema.md), e.g. report.fastq.q30Percent. A deployed stack
has the same table in its Glue database, queried with Athena in the stack's workgroup; locally
DuckDB stands in for Athena, so write SQL both accept (the README has examples).
  table  aligned columns (default)
  tsv    a header line, then a line per row; tabs and line breaks in values as \\t, \\r, \\n
  json   one array, an object per row with a property per column

${TARGET_USAGE}`;

/** `pipeline query`: returns the exit code. */
export function runQuery(args: string[]): Promise<number> {
  return runCommand(
    args,
    USAGE,
    { ...TARGET_OPTIONS, format: { type: 'string' } },
    async ({ values, positionals }) => {
      const format = tableFormat(values.format);
      if (positionals.length !== 1) throw new UsageError('expected the SQL as one argument');
      const target = await connectTarget(values);
      try {
        if (values.stack !== undefined) {
          const where = target.query
            ? `workgroup ${target.query.workGroup}, database ${target.query.database}`
            : 'the stack has no query workgroup: deploy this version of it first';
          throw new CommandError(
            `querying a deployed stack is not supported yet (it needs @aws-sdk/client-athena); run the SQL in Athena (${where})`,
          );
        }
        const db = await openResultsDb(await fetchResults(target));
        try {
          const result = await db.query(positionals[0]!).catch((error: unknown) => {
            throw new CommandError(`the query failed: ${(error as Error).message}`);
          });
          process.stdout.write(formatQueryResult(result, format));
          return ExitCode.OK;
        } finally {
          db.close();
        }
      } finally {
        target.destroy();
      }
    },
  );
}

export function formatQueryResult(result: QueryResult, format: TableFormat): string {
  switch (format) {
    case 'json': {
      const objects = result.rows.map((row) =>
        Object.fromEntries(result.columns.map((column, i) => [column.name, row[i]])),
      );
      return `${JSON.stringify(objects, null, 2)}\n`;
    }
    case 'tsv': {
      const line = (cells: string[]) => cells.map(escapeTsvField).join('\t');
      const lines = [
        line(result.columns.map((c) => c.name)),
        ...result.rows.map((row) => line(row.map((v) => cellText(v, '')))),
      ];
      return `${lines.join('\n')}\n`;
    }
    case 'table': {
      const columns: Column<unknown[]>[] = result.columns.map((column, i) => ({
        header: column.name,
        numeric: column.numeric,
        cell: (row) => cellText(row[i], 'NULL'),
      }));
      return `${renderTable(columns, result.rows)}\n`;
    }
  }
}

/** A value as one cell: text as it is, nested values as JSON. */
function cellText(value: unknown, nullText: string): string {
  if (value === null || value === undefined) return nullText;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
