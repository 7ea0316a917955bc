/** Checks that the reference tools and ours counted the same things. */

/** Rows of `seqkit stats -T` output as objects keyed by its header. */
export function parseSeqkitTable(tsv: string): Record<string, string>[] {
  const [header, ...lines] = tsv.trim().split('\n');
  if (header === undefined) return [];
  const names = header.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i] ?? `c${i}`, v])));
}

/** 'yes', or 'no: …' naming what differs. */
export function agreeFastq(ours: { reads: number; bases: number }, seqkitTsv: string): string {
  const row = parseSeqkitTable(seqkitTsv)[0];
  if (row === undefined) return 'no: seqkit printed no row';
  const reads = Number(row.num_seqs?.replace(/,/g, ''));
  const bases = Number(row.sum_len?.replace(/,/g, ''));
  const diffs: string[] = [];
  if (reads !== ours.reads) diffs.push(`reads ${ours.reads} vs ${reads}`);
  if (bases !== ours.bases) diffs.push(`bases ${ours.bases} vs ${bases}`);
  return diffs.length === 0 ? 'yes (reads, bases)' : `no: ${diffs.join(', ')}`;
}

export interface CsvCounts {
  rows: number;
  nullCounts: Record<string, number>;
}

/** Our CSV profile reduced to the figures compared with other tools. */
export function csvCountsOf(profile: {
  rows: number;
  columnProfiles: readonly { name: string; nullCount: number }[];
}): CsvCounts {
  return {
    rows: profile.rows,
    nullCounts: Object.fromEntries(profile.columnProfiles.map((c) => [c.name, c.nullCount])),
  };
}

/** Miller's `summary` as JSON (one record per column, `--ojson`) reduced to rows and null counts. */
export function parseMillerSummary(json: string): CsvCounts {
  const records = JSON.parse(json) as { field_name: string; count: number; null_count: number }[];
  return {
    rows: Math.max(0, ...records.map((r) => Number(r.count))),
    nullCounts: Object.fromEntries(records.map((r) => [r.field_name, Number(r.null_count)])),
  };
}

export interface CsvAgreement {
  agrees: boolean;
  /** Short, for a table cell: 'yes (rows, nulls 8/8 columns)' or 'no: rows same, nulls 7/8 columns'. */
  summary: string;
  /** One line per difference, with `explain`'s reason when it has one. */
  differences: string[];
}

/**
 * Compare row counts and per-column null counts. `explain` may say why a column is expected to
 * differ (e.g. a tool that does not count `NA` as missing); such columns are still reported.
 */
export function agreeCsv(
  ours: CsvCounts,
  theirs: CsvCounts,
  explain?: (column: string) => string | undefined,
): CsvAgreement {
  const differences: string[] = [];
  if (ours.rows !== theirs.rows) differences.push(`rows: ours ${ours.rows}, theirs ${theirs.rows}`);
  const columns = Object.keys(ours.nullCounts);
  let same = 0;
  for (const column of columns) {
    const a = ours.nullCounts[column];
    const b = theirs.nullCounts[column];
    if (a === b) {
      same++;
      continue;
    }
    const why = explain?.(column);
    differences.push(`${column} nulls: ours ${a}, theirs ${b ?? 'no such column'}${why ? ` (${why})` : ''}`);
  }
  const agrees = differences.length === 0;
  const counts = `rows ${ours.rows === theirs.rows ? 'same' : 'differ'}, nulls same in ${same}/${columns.length} columns`;
  return { agrees, summary: agrees ? `yes (${counts})` : `no: ${counts}`, differences };
}
