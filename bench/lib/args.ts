/** Command line of `npm run bench`. */
import { parseArgs } from 'node:util';

export const SECTIONS = ['fastq', 'gzip', 'csv', 's3', 'bundle', 'clouds'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Small inputs: a smoke run of the harness, not figures to quote. */
  quick: boolean;
  /** Sections to run, in the order of `SECTIONS`. */
  sections: Section[];
  /** Timed runs of each tool (alternating); the median is reported. */
  runs: number;
  /** Instead of the comparison: measure the core's throughput and write contract/calibration.json. */
  calibrate: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.join('|')}[,…]] [--runs N] [--calibrate]

Generates its inputs deterministically into .bench/data/ (cached), then runs our CLI and the
reference tools alternately and prints MB/s, the ratio to the reference and the peak RSS.

  --quick       small inputs (a smoke run of the harness; figures not comparable)
  --only LIST   run only these sections (comma-separated): ${SECTIONS.join(', ')}
  --runs N      timed runs per tool, alternating; the median is reported (default 3)
  --calibrate   instead of the comparison, measure the core's own throughput (pinned to one
                CPU, and on two) and write contract/calibration.json
                (with --quick: print what it would write, write nothing)`;

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        calibrate: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const { values } = parsed;
  let runs = 3;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
      throw new BenchUsageError(`--runs must be a whole number from 1 to 50, not "${values.runs}"`);
    }
  }
  let sections: Section[] = [...SECTIONS];
  if (values.only !== undefined) {
    const asked = values.only
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    for (const name of asked) {
      if (!(SECTIONS as readonly string[]).includes(name)) {
        throw new BenchUsageError(`--only takes ${SECTIONS.join(', ')}; not "${name}"`);
      }
    }
    sections = SECTIONS.filter((s) => asked.includes(s));
    if (sections.length === 0) throw new BenchUsageError('--only needs at least one section');
  }
  return { quick: values.quick, sections, runs, calibrate: values.calibrate, help: values.help };
}
