/** What every section of the bench shares: options, inputs, and where results go. */
import path from 'node:path';
import type { BenchOptions } from '../lib/args.js';
import {
  benchInputs,
  ensureInput,
  REPO_ROOT,
  type BenchInputs,
  type InputSpec,
  type ReadyInput,
} from '../lib/inputs.js';
import { DEFAULTS } from '../../lib/config.js';
import { COLLECTOR_FLAG } from '../../src/runtime/aws/collector-nudge.js';
import { runTimed, type RunOptions, type RunResult } from '../lib/measure.js';
import { maxOf } from '../lib/stats.js';
import type { Check, Measured } from '../lib/table.js';

/** The bound on our peak memory, for any input size. */
export const MEMORY_LIMIT_MIB = 128;

export interface BenchContext {
  options: BenchOptions;
  inputs: BenchInputs;
  log(line: string): void;
  /** Filled in by the sections, in order. */
  rows: Measured[];
  checks: Check[];
  /** Remarks on the results table (e.g. where tools disagree), shown as a list under it. */
  notes: string[];
  /** Extra tables for the report, in order. */
  extras: string[];
}

export function createContext(options: BenchOptions, log: (line: string) => void): BenchContext {
  return { options, inputs: benchInputs(options.quick), log, rows: [], checks: [], notes: [], extras: [] };
}

export function input(ctx: BenchContext, spec: InputSpec): Promise<ReadyInput> {
  return ensureInput(spec, ctx.log);
}

/** How a table names an input: file name and size. */
export function label(file: ReadyInput): string {
  const size =
    file.bytes >= 1e9 ? `${(file.bytes / 1e9).toFixed(2)} GB` : `${(file.bytes / 1e6).toFixed(0)} MB`;
  return `${path.basename(file.path)} (${size})`;
}

/** Our CLI exactly as a user runs it. */
export function oursCommand(file: string): string[] {
  return ['npm', 'run', '--silent', 'pipeline', '--', 'stats', file];
}

/** What the stack sets S3_READ_CONCURRENCY to by default: ranged GETs in flight, or slices. */
export const DEPLOYED_READ_CONCURRENCY = DEFAULTS.s3ReadConcurrency;

/** The bench's own runner of the core (see bench/runners/core.ts). */
export function coreRunnerCommand(...args: string[]): string[] {
  // Bundled, as the deployed code runs: no compiler loaded beside it to count against its memory;
  // with the collector exposed, as Lambda's runtimes and the worker image start node.
  return [
    process.execPath,
    COLLECTOR_FLAG,
    path.join(REPO_ROOT, 'scripts', 'bundled.mjs'),
    path.join(REPO_ROOT, 'bench', 'runners', 'core.ts'),
    ...args,
  ];
}

export interface Contender {
  name: string;
  argv: string[];
  options?: RunOptions;
}

/**
 * One untimed warm-up of each contender (it also brings the input into the page cache), then
 * `runs` timed rounds in which the contenders take turns, so a change in the machine's load
 * falls on all of them alike. Returns each contender's results in the order given.
 */
export async function alternate(
  ctx: BenchContext,
  contenders: readonly Contender[],
  runs = ctx.options.runs,
): Promise<RunResult[][]> {
  const cwd = REPO_ROOT;
  for (const c of contenders) await runTimed(c.argv, { cwd, ...c.options });
  const results: RunResult[][] = contenders.map(() => []);
  for (let round = 1; round <= runs; round++) {
    for (const [i, c] of contenders.entries()) {
      const result = await runTimed(c.argv, { cwd, ...c.options });
      results[i]?.push(result);
      ctx.log(`  run ${round}/${runs} ${c.name}: ${result.seconds.toFixed(2)} s`);
    }
  }
  return results;
}

/** The figure a target compares: `value` against a bound, printed with its unit. */
export function atLeast(what: string, value: number | undefined, bound: number, unit = '×'): Check {
  return {
    what,
    target: `≥ ${bound}${unit}`,
    measured: value === undefined ? 'n/a' : `${value.toFixed(2)}${unit}`,
    met: value === undefined ? undefined : value >= bound,
  };
}

export function atMost(what: string, value: number | undefined, bound: number, unit: string): Check {
  return {
    what,
    target: `≤ ${bound} ${unit}`,
    measured: value === undefined ? 'n/a' : `${value.toFixed(0)} ${unit}`,
    met: value === undefined ? undefined : value <= bound,
  };
}

/** A row for a tool timed as a whole process: each run's wall-clock seconds, and the peak RSS. */
export function wholeProcessRow(
  row: Omit<Measured, 'seconds' | 'peakRssKiB'>,
  runs: readonly RunResult[],
): Measured {
  return { ...row, seconds: runs.map((r) => r.seconds), peakRssKiB: peakOf(runs) };
}

/** Largest peak RSS of several runs, in KiB. */
export function peakOf(results: readonly RunResult[]): number | undefined {
  return maxOf(results.map((r) => r.peakRssKiB));
}

export function rssMiB(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib / 1024;
}
