import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sharedResultPath } from '../runtime/keys.js';
import { CommandError, ExitCode, runCommand, TARGET_OPTIONS, TARGET_USAGE, UsageError } from './command.js';
import { multiqcFiles } from './multiqc.js';
import { renderReportHtml } from './report-html.js';
import { isFastqResult } from './result-documents.js';
import { fetchResults, resultsPrefix } from './results.js';
import { connectTarget } from './target.js';

/** The HTML summary's name in OUTDIR. */
export const REPORT_HTML = 'report.html';

const USAGE = `usage: pipeline report OUTDIR [PREFIX] [--stack NAME] [--region R]

Downloads the results under PREFIX (a folder of the inputs; default: all) into OUTDIR/results/,
and writes beside them:
  ${REPORT_HTML}        a self-contained summary: sortable tables and charts, readable offline
  seqkit_stats.tsv   the FASTQ results as \`seqkit stats -a -T\` writes them, which MultiQC's
                     seqkit module reads: \`multiqc OUTDIR\` then shows every sample

${TARGET_USAGE}`;

/** `pipeline report`: returns the exit code. */
export function runReport(args: string[]): Promise<number> {
  return runCommand(args, USAGE, TARGET_OPTIONS, async ({ values, positionals }) => {
    const [outDir, prefix, ...rest] = positionals;
    if (outDir === undefined) throw new UsageError('missing OUTDIR');
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const target = await connectTarget(values);
    try {
      const documents = await fetchResults(target, prefix);
      if (documents.length === 0) {
        throw new CommandError(`no results under ${resultsPrefix(prefix)} (${target.description})`);
      }
      // Keys are anyone's to choose: each becomes a path that cannot leave OUTDIR/results/.
      for (const document of documents) {
        const file = sharedResultPath(outDir, document.job.key);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
      }
      const fastq = documents.filter(isFastqResult);
      for (const { name, content } of multiqcFiles(fastq)) await writeFile(path.join(outDir, name), content);
      await writeFile(path.join(outDir, REPORT_HTML), renderReportHtml(documents));
      process.stdout.write(
        `wrote ${path.join(outDir, REPORT_HTML)} and ${documents.length} result(s) in ${path.join(outDir, 'results')}/` +
          (fastq.length ? `; \`multiqc ${outDir}\` shows the ${fastq.length} FASTQ sample(s)\n` : '\n'),
      );
      return ExitCode.OK;
    } finally {
      target.destroy();
    }
  });
}
