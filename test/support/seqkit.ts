import { execFileSync } from 'node:child_process';

/** The columns of `seqkit stats -a -T` that the core also reports. */
export const SEQKIT_COLUMNS = [
  'num_seqs',
  'sum_len',
  'min_len',
  'avg_len',
  'max_len',
  'Q1',
  'Q2',
  'Q3',
  'N50',
  'Q20(%)',
  'Q30(%)',
  'GC(%)',
] as const;
export type SeqkitColumn = (typeof SEQKIT_COLUMNS)[number];

/** `seqkit stats -a -T FILE` as column → value. */
export function seqkitStats(file: string): Record<string, string> {
  const [header, row] = execFileSync('seqkit', ['stats', '-a', '-T', file], { encoding: 'utf8' })
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
  if (header === undefined || row === undefined) throw new Error('seqkit printed no statistics');
  return Object.fromEntries(header.map((column, i) => [column, row[i] as string]));
}

/** seqkit's version, or undefined when it is not installed. */
export function seqkitVersion(): string | undefined {
  try {
    return execFileSync('seqkit', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
