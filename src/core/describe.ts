import type { FileKind, Format } from './api.js';

const SUFFIXES: readonly [RegExp, Format][] = [
  [/\.(?:fastq|fq)(?:\.gz)?$/i, 'fastq'],
  [/\.csv(?:\.gz)?$/i, 'csv'],
];

/**
 * What a file's name says it holds: `.fastq`, `.fq` (FASTQ) and `.csv` (CSV), each optionally
 * followed by `.gz`, in any case. Undefined for any other name.
 */
export function describeFile(name: string): FileKind | undefined {
  for (const [pattern, format] of SUFFIXES) {
    if (pattern.test(name)) return { format, gzip: namesGzip(name) };
  }
  return undefined;
}

/** The format a job reads its input as: the one forced, else the name's; undefined for neither. */
export function formatOf(name: string, forced?: Format): Format | undefined {
  return forced ?? describeFile(name)?.format;
}

/** Whether a name ends in `.gz`, in any case (the content decides: the core reads gzip's magic). */
export function namesGzip(name: string): boolean {
  return /\.gz$/i.test(name);
}
