/**
 * FASTQ shaped like a current Illumina run (NovaSeq-style names, 151 bp reads, qualities binned
 * to four values and mostly the top one), used only to measure how well such data compresses:
 * the test generator's uniformly random qualities compress far less than real runs do.
 */
import { gzipSync } from 'node:zlib';
import { Prng } from '../../local/synthetic-inputs.js';

const READ_LENGTH = 151;
// NovaSeq's four quality bins: Q2, Q12, Q23, Q37 (Phred+33), with their rough shares in a good run.
const BINS = [
  { char: 35, share: 0.01 }, // '#'
  { char: 45, share: 0.04 }, // '-'
  { char: 56, share: 0.07 }, // '8'
  { char: 70, share: 0.88 }, // 'F'
];

export function binnedQualityFastq(reads: number, seed = 11): Buffer {
  const prng = new Prng(seed);
  const parts: Buffer[] = [];
  const qual = Buffer.alloc(READ_LENGTH);
  const seq = Buffer.alloc(READ_LENGTH);
  let tile = 1101;
  let x = 1000;
  for (let n = 0; n < reads; n++) {
    if (n % 5000 === 4999) {
      tile++;
      x = 1000;
    }
    x += prng.int(0, 20);
    const y = prng.int(1000, 37000);
    let bin = BINS.length - 1;
    for (let i = 0; i < READ_LENGTH; i++) {
      // Qualities come in runs and drift down towards the 3' end.
      if (prng.float() < 0.12 + (0.1 * i) / READ_LENGTH) {
        let r = prng.float();
        bin = 0;
        for (; bin < BINS.length - 1; bin++) {
          r -= (BINS[bin] as (typeof BINS)[number]).share;
          if (r < 0) break;
        }
      }
      qual[i] = (BINS[bin] as (typeof BINS)[number]).char;
      seq[i] = bin === 0 ? 78 : ([65, 67, 71, 84][prng.u32() & 3] as number);
    }
    parts.push(
      Buffer.from(`@A00587:412:HVKJ2DSXY:2:${tile}:${x}:${y} 1:N:0:ACGTACGT+TGCATGCA\n`, 'latin1'),
      Buffer.from(seq),
      Buffer.from('\n+\n', 'latin1'),
      Buffer.from(qual),
      Buffer.from('\n', 'latin1'),
    );
  }
  return Buffer.concat(parts);
}

/** Uncompressed ÷ compressed size at gzip's default level. */
export function gzipExpansion(data: Buffer): number {
  return data.length / gzipSync(data, { level: 6 }).length;
}
