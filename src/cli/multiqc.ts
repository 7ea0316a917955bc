/**
 * What MultiQC needs to list every FASTQ result: one table in the format of
 * `seqkit stats -a -T`, which its seqkit module recognises by the header line (the file's name does
 * not matter), with one row per sample.
 *
 * MultiQC takes the sample name from the file column, keeps only what follows the last `/`, and
 * cuts the name at the first `.gz`, `.fq`, `.fastq` (and other known endings). Object keys are
 * paths, and samples in different folders often share a file name (`run1/S1.fq.gz`,
 * `run2/S1.fq.gz`), so the file column holds a sample name made from the whole key instead: see
 * multiqcSampleName. MultiQC still cuts a name at the first of its endings found anywhere in it
 * (a folder `trial.clean/` becomes `trial`); `multiqc --fullnames` keeps the names as written.
 */
import { uploadPath, type FastqResult } from './result-documents.js';
import { seqkitStatsTsv } from './seqkit-tsv.js';

/** The name of the table; `multiqc` finds it by its content. */
export const MULTIQC_TABLE_NAME = 'seqkit_stats.tsv';

/** Between the folders of a key in a sample name: what MultiQC's own `--dirs` option puts there. */
const SAMPLE_NAME_SEPARATOR = ' | ';

const FASTQ_EXTENSION = /\.(?:fastq|fq)(?:\.gz)?$/i;

/**
 * `incoming/run1/S1.fastq.gz` → `run1 | S1`: the key without the upload prefix and the FASTQ
 * extension, its folders joined by ` | `, so that names are unique across folders and MultiQC
 * finds no `/` or extension to cut.
 */
export function multiqcSampleName(key: string): string {
  return uploadPath(key).replace(FASTQ_EXTENSION, '').split('/').join(SAMPLE_NAME_SEPARATOR);
}

export interface OutputFile {
  name: string;
  content: string;
}

/**
 * The files to write into a folder for `multiqc` to read: one seqkit-format table of all the
 * results, or none when there are none. Keys that differ only in their FASTQ extension give
 * one sample name; the later ones get ` (2)`, ` (3)`… so that MultiQC keeps every sample.
 */
export function multiqcFiles(documents: readonly FastqResult[]): OutputFile[] {
  if (documents.length === 0) return [];
  const names = uniqueNames(documents.map((document) => multiqcSampleName(document.job.key)));
  const nameOf = new Map(documents.map((document, i) => [document, names[i] as string]));
  return [
    {
      name: MULTIQC_TABLE_NAME,
      content: seqkitStatsTsv(documents, (document) => nameOf.get(document) as string),
    },
  ];
}

function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${name} (${n})`;
    taken.add(unique);
    return unique;
  });
}
