/**
 * FASTQ, plain or gzip: our CLI against `seqkit stats -a` on the same file, then the core alone
 * (bench/runners/core.ts, reading stdin) on the file once and on ten copies streamed through a
 * pipe, to show that memory stays flat whatever the input size.
 */
import { agreeFastq } from '../lib/agreement.js';
import { parseCoreRun } from '../lib/core-run.js';
import { onPath, runTimed } from '../lib/measure.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { throughputOf, type Measured } from '../lib/table.js';
import {
  alternate,
  atLeast,
  atMost,
  coreRunnerCommand,
  input,
  label,
  MEMORY_LIMIT_MIB,
  oursCommand,
  rssMiB,
  type BenchContext,
  wholeProcessRow,
} from './context.js';

export async function fastqSection(ctx: BenchContext, gzip: boolean): Promise<void> {
  const group = gzip ? 'FASTQ gzip' : 'FASTQ';
  ctx.log(`\n== ${group}`);
  const file = await input(ctx, gzip ? ctx.inputs.fastqGz : ctx.inputs.fastq);
  const name = label(file);
  const bytes = file.uncompressedBytes;

  const contenders = [{ name: 'ours', argv: oursCommand(file.path) }];
  const seqkit = onPath('seqkit');
  if (seqkit) contenders.push({ name: 'seqkit', argv: ['seqkit', 'stats', '-a', '-T', file.path] });
  else ctx.log('  seqkit is not installed (apt-get install seqkit): its rows are skipped');

  const [ours = [], theirs = []] = await alternate(ctx, contenders);
  const oursReport = JSON.parse(ours[0]?.stdout ?? '{}') as { fastq?: { reads: number; bases: number } };
  const oursRow = wholeProcessRow(
    { group, tool: 'ours: npm run pipeline -- stats', input: name, bytes },
    ours,
  );
  ctx.rows.push(oursRow);
  if (seqkit) {
    const seqkitRow = wholeProcessRow(
      {
        group,
        tool: 'seqkit stats -a',
        input: name,
        bytes,
        reference: true,
        agrees: oursReport.fastq
          ? agreeFastq(oursReport.fastq, theirs[0]?.stdout ?? '')
          : 'no: ours printed no stats',
      },
      theirs,
    );
    ctx.rows.push(seqkitRow);
    ctx.checks.push(
      atLeast(
        `${group}: ours ÷ seqkit, MB/s`,
        throughputOf(oursRow) / throughputOf(seqkitRow),
        gzip ? 2 : 1.5,
      ),
    );
  }

  // The CLI reads files only, so the large-input memory check runs the core on a pipe.
  const format = ['--stdin', '--format', 'fastq'];
  const streamed: Measured[] = [];
  for (const copies of [1, ctx.inputs.streamRepeats]) {
    ctx.log(`  core on stdin, ${copies} × ${name}`);
    const result = await runTimed(coreRunnerCommand(...format), {
      cwd: REPO_ROOT,
      stdinFiles: Array.from({ length: copies }, () => file.path),
    });
    const run = parseCoreRun(result.stdout);
    const row: Measured = {
      group: `${group} streamed`,
      tool: 'core on stdin (bench/runners/core.ts)',
      input: copies === 1 ? `${name}, piped` : `${copies} × ${name}, piped`,
      bytes: run.uncompressedBytes,
      seconds: [result.seconds],
      peakRssKiB: result.peakRssKiB,
    };
    streamed.push(row);
    ctx.rows.push(row);
  }
  ctx.checks.push(
    atMost(`${group}: ours peak RSS, CLI on the file`, rssMiB(oursRow.peakRssKiB), MEMORY_LIMIT_MIB, 'MiB'),
  );
  for (const row of streamed) {
    ctx.checks.push(
      atMost(`${group}: core peak RSS, ${row.input}`, rssMiB(row.peakRssKiB), MEMORY_LIMIT_MIB, 'MiB'),
    );
  }
}
