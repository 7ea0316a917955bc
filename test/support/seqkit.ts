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
