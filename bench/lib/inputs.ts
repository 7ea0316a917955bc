/**
 * The benchmark's inputs: generated deterministically by the test generator into .bench/data/
 * and reused while the generator and the options are unchanged (a manifest beside each file
 * records both). Nothing large is committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  writeCsv,
  writeFastq,
  type CsvOptions,
  type FastqOptions,
  type WriteOptions,
  type WrittenFile,
} from '../../local/synthetic-inputs.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA_DIR = path.join(REPO_ROOT, '.bench', 'data');
const GENERATOR = path.join(REPO_ROOT, 'local', 'synthetic-inputs.ts');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export type InputSpec =
  | { file: string; kind: 'fastq'; options: FastqOptions & WriteOptions }
  | { file: string; kind: 'csv'; options: CsvOptions & WriteOptions };

export interface BenchInputs {
  fastq: InputSpec;
  fastqGz: InputSpec;
  csv: InputSpec;
  csvGz: InputSpec;
  /** How many times the plain and gzip FASTQ are streamed back to back for the large-input memory check. */
  streamRepeats: number;
}

/** The inputs of a full run (1 GiB FASTQ, 100 MB CSV) or of a `--quick` smoke run. */
export function benchInputs(quick: boolean): BenchInputs {
  const fastqBytes = quick ? 64 * MiB : GiB;
  const csvBytes = quick ? 8e6 : 100e6;
  const tag = quick ? 'quick' : 'full';
  return {
    fastq: { file: `reads-${tag}.fq`, kind: 'fastq', options: { bytes: fastqBytes, seed: 1 } },
    fastqGz: {
      file: `reads-${tag}.fq.gz`,
      kind: 'fastq',
      options: { bytes: fastqBytes, seed: 1, gzip: true },
    },
    csv: { file: `table-${tag}.csv`, kind: 'csv', options: { bytes: csvBytes, seed: 3 } },
    csvGz: { file: `table-${tag}.csv.gz`, kind: 'csv', options: { bytes: csvBytes, seed: 3, gzip: true } },
    streamRepeats: 10,
  };
}

export interface ReadyInput extends WrittenFile {
  spec: InputSpec;
}

/** The input's path, generating it first unless a file made from the same generator and options is there. */
export async function ensureInput(
  spec: InputSpec,
  log: (line: string) => void = () => undefined,
): Promise<ReadyInput> {
  mkdirSync(DATA_DIR, { recursive: true });
  const target = path.join(DATA_DIR, spec.file);
  const manifestPath = `${target}.json`;
  const fingerprint = fingerprintOf(spec);
  if (existsSync(target) && existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WrittenFile & { fingerprint: string };
    if (manifest.fingerprint === fingerprint && statSync(target).size === manifest.bytes) {
      return { ...manifest, path: target, spec };
    }
  }
  log(`generating ${path.relative(REPO_ROOT, target)} …`);
  const partial = `${target}.partial`;
  const started = Date.now();
  const written =
    spec.kind === 'fastq' ? await writeFastq(partial, spec.options) : await writeCsv(partial, spec.options);
  renameSync(partial, target);
  const manifest = { ...written, path: target, fingerprint };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`  ${(written.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { ...manifest, spec };
}

/** Changes whenever the generator's source or the options change. */
function fingerprintOf(spec: InputSpec): string {
  return createHash('sha256')
    .update(readFileSync(GENERATOR))
    .update(JSON.stringify({ kind: spec.kind, options: spec.options }))
    .digest('hex')
    .slice(0, 16);
}
