import { parseArgs } from 'node:util';
import { InputError, runJob, runJobOnFile, stdinChunks, type Format, type JobReport } from '../core/index.js';
import { ExitCode, UsageError } from './command.js';

const USAGE = `usage: pipeline stats FILE [--format fastq|csv]
       pipeline stats - --format fastq|csv       (reads standard input)

Runs the job core on a local file (plain or gzip) and prints its JSON report.
The format comes from the name (.fastq .fq .csv, optionally .gz) unless --format is given.
Gzip is recognised by its content, also on standard input.

Exit codes: 0 report printed, 1 the input is invalid or unreadable, 2 usage error.`;

export interface StatsArgs {
  file: string;
  format?: Format;
}

/** Parse `stats` arguments; throws UsageError. Returns undefined when help was asked for. */
export function parseStatsArgs(args: string[]): StatsArgs | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return undefined;
  const format = parsed.values.format;
  if (format !== undefined && format !== 'fastq' && format !== 'csv') {
    throw new UsageError(`--format must be fastq or csv, not "${format}"`);
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'missing FILE' : 'expected exactly one FILE');
  }
  const file = parsed.positionals[0] as string;
  if (file === STDIN && format === undefined) {
    throw new UsageError('reading standard input (-) needs --format: there is no name to tell it from');
  }
  return { file, ...(format ? { format } : {}) };
}

/** The FILE that stands for standard input. */
const STDIN = '-';

/** Run the core on a local file, or on standard input for `-`. */
export function statsForFile(file: string, format?: Format): Promise<JobReport> {
  const options = format ? { format } : {};
  if (file === STDIN) {
    return runJob(stdinChunks(), { name: 'stdin', ...options });
  }
  return runJobOnFile(file, { name: file, ...options });
}

/** `pipeline stats`: returns the exit code. */
export async function runStats(args: string[]): Promise<number> {
  let parsed: StatsArgs | undefined;
  try {
    parsed = parseStatsArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    return ExitCode.USAGE;
  }
  if (parsed === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.OK;
  }
  try {
    const report = await statsForFile(parsed.file, parsed.format);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`error: ${error.message}\n`);
      return ExitCode.FAILED;
    }
    if (isFileError(error)) {
      process.stderr.write(`error: cannot read ${parsed.file}: ${error.message}\n`);
      return ExitCode.FAILED;
    }
    throw error;
  }
}

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'syscall' in error;
}
