/**
 * CSV profile: our CLI against Miller's `summary` and DuckDB's `SUMMARIZE` (one thread) on the
 * same file, and whether the three agree on the row count and per-column null counts.
 */
import {
  agreeCsv,
  csvCountsOf,
  parseMillerSummary,
  type CsvAgreement,
  type CsvCounts,
} from '../lib/agreement.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { onPath, runTimed } from '../lib/measure.js';
import { throughputOf, type Measured } from '../lib/table.js';
import path from 'node:path';
import {
  alternate,
  atLeast,
  atMost,
  input,
  label,
  MEMORY_LIMIT_MIB,
  oursCommand,
  rssMiB,
  type BenchContext,
  wholeProcessRow,
  type Contender,
} from './context.js';

const GROUP = 'CSV';

function duckdbCommand(file: string, counts = false): string[] {
  const runner = path.join(REPO_ROOT, 'bench', 'runners', 'duckdb.ts');
  return [process.execPath, '--import', 'tsx', runner, '--file', file, ...(counts ? ['--counts'] : [])];
}

async function hasDuckdb(): Promise<boolean> {
  try {
    await import('@duckdb/node-api');
    return true;
  } catch {
    return false;
  }
}

export async function csvSection(ctx: BenchContext): Promise<void> {
  ctx.log(`\n== ${GROUP}`);
  const file = await input(ctx, ctx.inputs.csv);
  const name = label(file);
  const bytes = file.uncompressedBytes;

  const contenders: Contender[] = [{ name: 'ours', argv: oursCommand(file.path) }];
  const miller = onPath('mlr');
  if (miller) contenders.push({ name: 'mlr', argv: ['mlr', '--icsv', '--ojson', 'summary', file.path] });
  else ctx.log('  miller is not installed (apt-get install miller): its rows are skipped');
  const duckdb = await hasDuckdb();
  if (duckdb) contenders.push({ name: 'duckdb', argv: duckdbCommand(file.path) });
  else ctx.log('  @duckdb/node-api is not installed (npm ci): its rows are skipped');

  const results = await alternate(ctx, contenders);
  if (duckdb)
    ctx.notes.push('DuckDB reads the CSV with the same strings as ours counted as missing (`nullstr`).');
  const at = (tool: string) => results[contenders.findIndex((c) => c.name === tool)] ?? [];
  const ours = at('ours');
  const report = JSON.parse(ours[0]?.stdout ?? '{}') as {
    csv?: { rows: number; columnProfiles: { name: string; nullCount: number }[] };
  };
  const oursCounts = report.csv && csvCountsOf(report.csv);

  const oursRow: Measured = wholeProcessRow(
    {
      group: GROUP,
      tool: 'ours: npm run pipeline -- stats',
      input: name,
      bytes,
    },
    ours,
  );
  ctx.rows.push(oursRow);
  if (miller) {
    const runs = at('mlr');
    const row: Measured = wholeProcessRow(
      {
        group: GROUP,
        tool: 'mlr --icsv summary',
        input: name,
        bytes,
        reference: true,
        agrees: oursCounts
          ? noted(
              ctx,
              'Miller',
              agreeCsv(oursCounts, parseMillerSummary(runs[0]?.stdout ?? '[]'), (column) =>
                column === 'score'
                  ? 'Miller counts only empty values as null; ours also NA, N/A, NaN, null, None'
                  : undefined,
              ),
            )
          : 'no: ours printed no profile',
      },
      runs,
    );
    ctx.rows.push(row);
    ctx.checks.push(atLeast('CSV: ours ÷ Miller, MB/s', throughputOf(oursRow) / throughputOf(row), 5));
  }
  if (duckdb) {
    const runs = at('duckdb');
    // SUMMARIZE gives a rounded null percentage: count exactly in a separate, untimed run.
    const counted = await runTimed(duckdbCommand(file.path, true), { cwd: REPO_ROOT });
    const row: Measured = wholeProcessRow(
      {
        group: GROUP,
        tool: 'DuckDB SUMMARIZE, threads=1',
        input: name,
        bytes,
        agrees: oursCounts
          ? noted(ctx, 'DuckDB', agreeCsv(oursCounts, JSON.parse(counted.stdout.trim()) as CsvCounts))
          : 'no: ours printed no profile',
      },
      runs,
    );
    ctx.rows.push(row);
    ctx.checks.push(
      atLeast('CSV: ours ÷ DuckDB (1 thread), MB/s', throughputOf(oursRow) / throughputOf(row), 0.5),
    );
  }
  ctx.checks.push(atMost('CSV: ours peak RSS', rssMiB(oursRow.peakRssKiB), MEMORY_LIMIT_MIB, 'MiB'));
}

/** The table cell for an agreement; its differences go under the table. */
function noted(ctx: BenchContext, tool: string, agreement: CsvAgreement): string {
  for (const d of agreement.differences) ctx.notes.push(`CSV, ${tool} vs ours: ${d}`);
  return agreement.summary;
}
