/**
 * The seqkit-format table of src/cli/multiqc.ts read by the real MultiQC (pinned in
 * local/requirements-report.lock): every sample is listed under the name we gave it, with its
 * read count, including two samples whose files share a name in different folders.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/emulator.js';
import { writeFastq } from '../../local/synthetic-inputs.js';
import { multiqcFiles, multiqcSampleName } from '../../src/cli/multiqc.js';
import { isFastqResult, type FastqResult } from '../../src/cli/result-documents.js';
import { fileChunks, runJob } from '../../src/core/index.js';
import { resultDocument } from '../support/result-documents.js';

const MULTIQC = path.join(REPO_ROOT, '.venv', 'report', 'bin', 'multiqc');

/** Keys that MultiQC's own name cleaning would merge or cut, and the reads each file holds. */
const SAMPLES: [key: string, reads: number][] = [
  ['incoming/run1/S1.fq.gz', 1_200],
  ['incoming/run2/S1.fq.gz', 800],
  ['incoming/run2/S2_R1.fastq', 333],
  ['incoming/run3/échantillon & <x>.fq', 57],
];

let dir: string;
let documents: FastqResult[];
let parsed: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  // Creates or checks the pinned environment (quick when it is there already).
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'setup-python.sh'), 'report'], { stdio: 'inherit' });
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-multiqc-'));
  documents = await Promise.all(
    SAMPLES.map(async ([key, reads], i) => {
      const file = path.join(dir, `input-${i}${key.endsWith('.gz') ? '.fq.gz' : '.fq'}`);
      await writeFastq(file, { reads, minLen: 50, maxLen: 150, seed: 20 + i, gzip: key.endsWith('.gz') });
      const document = resultDocument(await runJob(fileChunks(file), { name: key }), key);
      if (!isFastqResult(document)) throw new Error('not a FASTQ result');
      return document;
    }),
  );
  const results = path.join(dir, 'results');
  const output = path.join(dir, 'report');
  await mkdir(results);
  for (const { name, content } of multiqcFiles(documents)) await writeFile(path.join(results, name), content);
  execFileSync(
    MULTIQC,
    [
      '--no-ansi',
      '--no-version-check',
      '--no-ai',
      '--quiet',
      '--force',
      '--data-format',
      'json',
      '-o',
      output,
      results,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // The table MultiQC parsed, as it saves it: sample name → column → value.
  const data = JSON.parse(await readFile(path.join(output, 'multiqc_data', 'multiqc_data.json'), 'utf8')) as {
    report_saved_raw_data: { multiqc_seqkit_stats: typeof parsed };
  };
  parsed = data.report_saved_raw_data.multiqc_seqkit_stats;
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`MultiQC (${path.relative(REPO_ROOT, MULTIQC)}) on our seqkit table`, () => {
  it('lists every sample under the name made from its key', () => {
    expect(Object.keys(parsed).sort()).toEqual(SAMPLES.map(([key]) => multiqcSampleName(key)).sort());
  });

  it('reads each sample’s read and base counts and its Q30', () => {
    for (const document of documents) {
      const sample = parsed[multiqcSampleName(document.job.key)];
      const stats = document.report.fastq;
      expect(sample).toMatchObject({ num_seqs: stats.reads, sum_len: stats.bases, N50: stats.n50 });
      expect(sample?.Q30_pct).toBeCloseTo(stats.q30Percent, 2);
    }
  });
});
