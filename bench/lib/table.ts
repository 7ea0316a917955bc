/** Plain-text tables that are also GitHub Markdown, so the same text goes to the terminal and to BENCHMARKS.md. */
import { mbPerSecond, median } from './stats.js';

export interface Column {
  header: string;
  /** @default 'left' */
  align?: 'left' | 'right';
}

/** A Markdown table with padded cells (readable as plain text too). Cells must not hold `|` or newlines. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RangeError(`row has ${row.length} cells, the table has ${columns.length} columns`);
    }
  }
  const widths = columns.map((c, i) =>
    Math.max(3, c.header.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const cell = (text: string, i: number) =>
    columns[i]?.align === 'right' ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  // Prettier's own style, so generated Markdown passes `prettier --check` unchanged.
  const rule = line(
    columns.map((c, i) =>
      c.align === 'right' ? `${'-'.repeat((widths[i] as number) - 1)}:` : '-'.repeat(widths[i] as number),
    ),
  );
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

/** One tool on one input, timed over several runs. */
export interface Measured {
  /** Rows with the same group are compared with that group's reference row. */
  group: string;
  tool: string;
  input: string;
  /** Bytes of uncompressed input processed per run (MB/s is of these). */
  bytes: number;
  /** Wall-clock seconds of each timed run. */
  seconds: number[];
  /** Peak resident set of the whole process tree's largest process, in KiB (undefined when unknown). */
  peakRssKiB?: number;
  /** The row the others in its group are divided by. */
  reference?: boolean;
  /** Whether its results agree with ours ('yes', 'no: …'), when checked. */
  agrees?: string;
}

const RESULT_COLUMNS: readonly Column[] = [
  { header: 'tool' },
  { header: 'input' },
  { header: 'runs', align: 'right' },
  { header: 'median s', align: 'right' },
  { header: 'MB/s', align: 'right' },
  { header: 'ratio', align: 'right' },
  { header: 'peak RSS MiB', align: 'right' },
  { header: 'agrees with ours' },
];

export function throughputOf(row: Measured): number {
  return mbPerSecond(row.bytes, median(row.seconds));
}

/** Ratio of each row's throughput to its group's reference (undefined when the group has none). */
export function ratios(rows: readonly Measured[]): (number | undefined)[] {
  return rows.map((row) => {
    const ref = rows.find((r) => r.group === row.group && r.reference);
    return ref === undefined ? undefined : throughputOf(row) / throughputOf(ref);
  });
}

export function formatMBps(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatSeconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

export function formatMiB(kib: number | undefined): string {
  return kib === undefined ? 'n/a' : (kib / 1024).toFixed(0);
}

export function resultTable(rows: readonly Measured[]): string {
  const r = ratios(rows);
  return formatTable(
    RESULT_COLUMNS,
    rows.map((row, i) => [
      row.reference ? `${row.tool} (ref)` : row.tool,
      row.input,
      String(row.seconds.length),
      formatSeconds(median(row.seconds)),
      formatMBps(throughputOf(row)),
      formatRatio(r[i]),
      formatMiB(row.peakRssKiB),
      row.agrees ?? '—',
    ]),
  );
}

/** A target the issue sets, checked against a measured value. */
export interface Check {
  what: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function checkTable(checks: readonly Check[]): string {
  return formatTable(
    [{ header: 'target' }, { header: 'wanted' }, { header: 'measured' }, { header: 'met' }],
    checks.map((c) => [c.what, c.target, c.measured, c.met === undefined ? 'n/a' : c.met ? 'yes' : 'NO']),
  );
}
