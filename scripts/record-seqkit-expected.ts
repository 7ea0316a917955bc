/**
 * Records what `seqkit stats -a -T` prints for every FASTQ fixture in test/fixtures/fastq/ into
 * test/fixtures/fastq/expected-seqkit.json. The unit tests compare the job core against these
 * values, so they are seqkit's output, never ours. Re-run after adding or changing a fixture:
 *
 *   npx tsx scripts/record-seqkit-expected.ts
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEQKIT_STATISTICS } from '../src/cli/seqkit-tsv.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/fastq');
const OUTPUT = path.join(FIXTURES, 'expected-seqkit.json');

function seqkit(args: string[], cwd?: string): string {
  return execFileSync('seqkit', args, { encoding: 'utf8', cwd });
}

const version = seqkit(['version']).trim();
const files = readdirSync(FIXTURES)
  .filter((name) => /\.(?:fastq|fq)(?:\.gz)?$/i.test(name))
  .sort();

const expected: Record<string, Record<string, string>> = {};
for (const file of files) {
  const [headerLine, rowLine] = seqkit(['stats', '-a', '-T', file], FIXTURES).trimEnd().split('\n');
  const header = (headerLine ?? '').split('\t');
  const row = (rowLine ?? '').split('\t');
  if (row.length !== header.length) throw new Error(`seqkit printed no statistics for ${file}`);
  const values: Record<string, string> = {};
  for (const column of SEQKIT_STATISTICS) {
    const value = row[header.indexOf(column)];
    if (value === undefined) throw new Error(`seqkit printed no ${column} column`);
    values[column] = value;
  }
  expected[file] = values;
}

const document = {
  comment: 'Recorded from `seqkit stats -a -T` by scripts/record-seqkit-expected.ts; do not edit by hand.',
  seqkit: version,
  files: expected,
};
writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
console.log(`recorded ${files.length} fixtures with ${version} into ${path.relative(process.cwd(), OUTPUT)}`);
