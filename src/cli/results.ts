import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { RESULTS_PREFIX } from '../../contract/names.js';
import {
  ExitCode,
  runCommand,
  tableFormat,
  TARGET_OPTIONS,
  TARGET_USAGE,
  UsageError,
  type TableFormat,
} from './command.js';
import { isFastqResult, uploadPath } from './result-documents.js';
import { renderResults, type Result } from './result-table.js';
import { seqkitStatsTsv } from './seqkit-tsv.js';
import { connectTarget, type PipelineTarget } from './target.js';

/** How many result documents are fetched at once. */
const FETCH_CONCURRENCY = 16;

/**
 * The key prefix under `results/` for what the user typed: a folder of their inputs, with or
 * without `incoming/` (both name the same files), or nothing for every result.
 */
export function resultsPrefix(prefix = ''): string {
  return RESULTS_PREFIX + uploadPath(prefix);
}

/** Every result document under the prefix, in key order. */
export async function fetchResults(target: PipelineTarget, prefix?: string): Promise<Result[]> {
  const keys: string[] = [];
  const pages = paginateListObjectsV2(
    { client: target.s3 },
    { Bucket: target.bucket, Prefix: resultsPrefix(prefix) },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
  }
  return fetchResultDocuments(target, keys);
}

/** The result documents at these keys, fetched a few at a time, in the keys' order. */
export async function fetchResultDocuments(
  target: Pick<PipelineTarget, 's3' | 'bucket'>,
  keys: readonly string[],
): Promise<Result[]> {
  const results: Result[] = new Array<Result>(keys.length);
  let next = 0;
  const fetchNext = async (): Promise<void> => {
    while (next < keys.length) {
      const index = next++;
      const out = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: keys[index] }));
      results[index] = JSON.parse(await out.Body!.transformToString()) as Result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, keys.length) }, fetchNext));
  return results;
}

const USAGE = `usage: pipeline results [PREFIX] [--format table|tsv|json] [--stack NAME] [--region R]

Prints the results under PREFIX (a folder of the inputs, e.g. run42/; default: all):
  table  for FASTQ reads, bases, min/mean/max length, N50, Q20 %, Q30 %, GC %; for CSV rows
         and columns (default)
  tsv    the FASTQ results in the columns of \`seqkit stats -a -T\`, for scripts that read those
  json   the result documents ({ job, report }, see docs/result-schema.md), one array

${TARGET_USAGE}`;

/** `pipeline results`: returns the exit code. */
export function runResults(args: string[]): Promise<number> {
  return runCommand(
    args,
    USAGE,
    { ...TARGET_OPTIONS, format: { type: 'string' } },
    async ({ values, positionals }) => {
      const format = tableFormat(values.format);
      if (positionals.length > 1) throw new UsageError('expected at most one PREFIX');
      const target = await connectTarget(values);
      try {
        const results = await fetchResults(target, positionals[0]);
        process.stdout.write(formatResults(results, format));
        if (results.length === 0)
          process.stderr.write(`no results under ${resultsPrefix(positionals[0])} (${target.description})\n`);
        return ExitCode.OK;
      } finally {
        target.destroy();
      }
    },
  );
}

export function formatResults(results: readonly Result[], format: TableFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(results, null, 2)}\n`;
    case 'tsv':
      return seqkitStatsTsv(results.filter(isFastqResult), (d) => uploadPath(d.job.key));
    case 'table':
      return results.length ? `${renderResults(results)}\n` : '';
  }
}
