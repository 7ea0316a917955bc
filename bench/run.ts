/**
 * `npm run bench` — our CLI and core against the field's tools, side by side; see `--help`
 * and BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchUsageError, parseBenchArgs, USAGE, type BenchOptions } from './lib/args.js';
import { REPO_ROOT } from './lib/inputs.js';
import { machineInfo, describeMachine } from './lib/machine.js';
import { hasGnuTime } from './lib/measure.js';
import { checkTable, resultTable } from './lib/table.js';
import { bundleSection } from './sections/bundle.js';
import { calibrateSection } from './sections/calibrate.js';
import { cloudsSection } from './sections/clouds.js';
import { createContext, type BenchContext } from './sections/context.js';
import { csvSection } from './sections/csv.js';
import { fastqSection } from './sections/fastq.js';
import { s3Section } from './sections/s3.js';

// The SDK's notice that its 2027 releases need Node 22 is not for this command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    log(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!hasGnuTime()) {
    log('note: GNU time (/usr/bin/time) is missing, so peak memory is not measured: apt-get install time');
  }
  const ctx = createContext(options, log);
  const machine = await machineInfo();
  log(
    `bench: ${options.quick ? 'quick (small inputs)' : 'full'}, ${options.runs} runs; load ${machine.load.map((x) => x.toFixed(2)).join(' ')}`,
  );
  if (options.calibrate) {
    await calibrateSection(ctx);
    return 0;
  }
  for (const section of options.sections) {
    if (section === 'fastq') await fastqSection(ctx, false);
    else if (section === 'gzip') await fastqSection(ctx, true);
    else if (section === 'csv') await csvSection(ctx);
    else if (section === 's3') await s3Section(ctx);
    else if (section === 'clouds') await cloudsSection(ctx);
    else await bundleSection(ctx);
  }
  const report = renderReport(ctx, describeMachine(machine), argv);
  process.stdout.write(`\n${report}\n`);
  const dir = path.join(REPO_ROOT, '.bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${report}\n`);
  log(`\nreport saved to ${path.relative(REPO_ROOT, file)}`);
  return 0;
}

export function renderReport(ctx: BenchContext, machine: string, argv: string[]): string {
  const parts = [`Command: \`npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}\``, '', machine];
  if (ctx.rows.length > 0) {
    parts.push(
      '',
      resultTable(ctx.rows),
      '',
      'MB/s is of uncompressed input (10^6 bytes), from the median wall-clock time of the whole process unless the tool says ' +
        '"in-process time"; ratio is to the "(ref)" row of the same group; peak RSS is the largest over the runs.',
    );
    if (ctx.notes.length > 0) parts.push('', ...ctx.notes.map((n) => `- ${n}`));
  }
  for (const extra of ctx.extras) parts.push('', extra);
  if (ctx.checks.length > 0) parts.push('', '### Targets', '', checkTable(ctx.checks));
  return parts.join('\n');
}

// Run only as the program, so a module that imports renderReport does not start a bench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
