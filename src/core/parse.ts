import { throwIfAborted } from './input.js';
import type { Format } from './api.js';
import { coalesce } from './coalesce.js';
import { crc32Through } from './crc32.js';
import { profileCsv } from './csv.js';
import { FASTQ_CHUNK_BYTES, FastqParser } from './fastq.js';
import type { CsvProfile, FastqStats } from './report.js';

/** A report's figures: `fastq` or `csv`, by the input's format. */
export type Figures = { fastq: FastqStats; csv?: undefined } | { csv: CsvProfile; fastq?: undefined };

export interface ParseOptions {
  signal?: AbortSignal;
  /**
   * Given the CRC-32 of all the chunks once they have been read, before the figures are
   * computed (`OpenedInput.verifyCrc32`): it throws if the input was corrupt.
   */
  verifyCrc32?: (crc: number) => void;
}

/**
 * Computes the figures of `format` from uncompressed chunks, each valid only until the next is
 * asked for. The same on the caller's thread and on a parse thread (parse-thread-entry.ts).
 */
export async function parseChunks(
  format: Format,
  input: AsyncIterable<Buffer>,
  { signal, verifyCrc32 }: ParseOptions = {},
): Promise<Figures> {
  const chunks = verifyCrc32 === undefined ? input : crc32Through(input, verifyCrc32);
  if (format === 'csv') return { csv: await profileCsv(chunks, signal) };
  const parser = new FastqParser();
  for await (const chunk of coalesce(chunks, FASTQ_CHUNK_BYTES)) {
    throwIfAborted(signal);
    parser.push(chunk);
  }
  return { fastq: parser.finish() };
}
