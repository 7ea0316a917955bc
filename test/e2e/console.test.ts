/**
 * The `pipeline` console as its users run it: a run folder submitted and watched, then its jobs
 * and results read back, on every target (the local cloud by outputs.json, LocalStack and AWS by
 * --stack). Each command runs as its own process, as `npm run pipeline` starts it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiqcSampleName } from '../../src/cli/multiqc.js';
import { REPORT_HTML } from '../../src/cli/report.js';
import { SEQKIT_STATS_COLUMNS } from '../../src/cli/seqkit-tsv.js';
import { runJob, fileChunks, type JobReport } from '../../src/core/index.js';
import { jobIdFor, type Job } from '../../src/runtime/job.js';
import { sharedResultPath } from '../../src/runtime/keys.js';
import { writeFastq } from '../../local/synthetic-inputs.js';
import { PtyProcess } from '../support/pty.js';
import { startTarget, targetName, type E2ETarget } from './targets.js';
import { runPipeline, type ConsoleOutcome } from '../support/pipeline-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);
const FIXTURES = path.join(ROOT, 'test/fixtures');

let target: E2ETarget;
let dir: string;
const run = `console-${Date.now()}`;
/** The local files of the run folder, by their name in it. */
const files = new Map<string, string>();

/**
 * One console command in its own process, asynchronously: the local cloud runs in this one. An
 * option given here after the target's own (`--stack`) takes its place.
 */
function pipeline(command: string, ...args: string[]): Promise<ConsoleOutcome> {
  return runPipeline([command, ...target.console.args, ...args], target.console.env);
}

/** Cells of a table row as the console prints them (columns are two spaces or more apart). */
function cells(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

function rowOf(output: string, file: string): string[] | undefined {
  return output
    .split('\n')
    .map(cells)
    .find((row) => row[0] === `${run}/${file}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-console-'));
  target = await startTarget(targetName());
  const folder = path.join(dir, run);
  await mkdir(path.join(folder, 'lane1'), { recursive: true });
  const place = async (name: string, from?: string) => {
    files.set(name, path.join(folder, name));
    if (from) await copyFile(from, path.join(folder, name));
  };
  await place('variable-lengths.fq', path.join(FIXTURES, 'fastq/variable-lengths.fq'));
  await place('lane1/multi-member.fq.gz', path.join(FIXTURES, 'fastq/multi-member.fq.gz'));
  await place('lane1/types.csv', path.join(FIXTURES, 'csv/types.csv'));
  await place('broken.fastq', path.join(FIXTURES, 'fastq/variable-lengths.fq'));
  await appendFile(files.get('broken.fastq')!, 'not-a-header\nACGT\n+\nII\n');
  // Over the Lambda budget where it is small (the local cloud); elsewhere a few MB.
  const large = target.largeRoute.by === 'size' ? target.largeRoute.gzipLambdaMaxBytes * 2.4 : 4e6;
  await place('large.fastq.gz');
  await writeFastq(files.get('large.fastq.gz')!, { bytes: Math.ceil(large), seed: 21, gzip: true });
  await writeFile(path.join(folder, 'SampleSheet.txt'), 'not an input\n');
}, 600_000);

afterAll(async () => {
  await target?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`the pipeline console (${targetName()})`, () => {
  let submitted: ConsoleOutcome;
  const reports = new Map<string, JobReport>();

  beforeAll(async () => {
    for (const name of [
      'variable-lengths.fq',
      'lane1/multi-member.fq.gz',
      'large.fastq.gz',
      'lane1/types.csv',
    ])
      reports.set(name, await runJob(fileChunks(files.get(name)!), { name }));
    submitted = await pipeline('submit', path.join(dir, run), '--watch');
  }, 600_000);

  it('submits a run folder, watches every job and exits 1 because one input is malformed', () => {
    expect(submitted.code, submitted.stderr).toBe(1);
    expect(submitted.stderr).toMatch(/skipped 1 file\(s\) that are not FASTQ or CSV: .*SampleSheet\.txt/);
    for (const name of files.keys()) expect(submitted.stderr).toContain(`uploaded incoming/${run}/${name} (`);
    expect(submitted.stderr).toMatch(/jobs: 5\/5 done \(4 SUCCEEDED, 1 FAILED\)/);
    expect(submitted.stdout).toMatch(/5 job\(s\): 4 SUCCEEDED, 1 FAILED in /);
    // Not a terminal: plain lines, no bars or cursor movements.
    expect(submitted.stderr).not.toContain('\x1b[');
  });

  it('shows progress bars on a terminal', async () => {
    const terminal = new PtyProcess(
      process.execPath,
      [
        path.join(ROOT, 'scripts/bundled.mjs'),
        'bin/pipeline.ts',
        'submit',
        ...target.console.args,
        files.get('large.fastq.gz')!,
        '--prefix',
        `${run}/tty`,
        '--watch',
      ],
      { cwd: ROOT, env: { ...process.env, ...target.console.env }, cols: 120 },
    );
    try {
      expect(await terminal.exitCode(target.jobTimeoutMs)).toBe(0);
    } finally {
      await terminal.close();
    }
    const screen = terminal.output;
    // cli-progress draws each bar in place (cursor to column 1, line erased after).
    expect(screen).toContain('\x1b[1G');
    expect(screen).toMatch(/[█░]{30} 100% .*MB of .*MB total/);
    expect(screen).toMatch(/[█░]{30} 100% 1\/1 jobs: 1 SUCCEEDED/);
    expect(screen).toContain(`uploaded incoming/${run}/tty/large.fastq.gz`);
    expect(screen).toMatch(/1 job\(s\): 1 SUCCEEDED in /);
  });

  it('ends with the numbers a bioinformatician compares, as the job core computes them', () => {
    for (const name of ['variable-lengths.fq', 'lane1/multi-member.fq.gz', 'large.fastq.gz']) {
      const fastq = reports.get(name)!.fastq!;
      expect(rowOf(submitted.stdout, name), name).toEqual([
        `${run}/${name}`,
        fastq.reads.toLocaleString('en-US'),
        fastq.bases.toLocaleString('en-US'),
        fastq.minLength.toLocaleString('en-US'),
        fastq.meanLength.toFixed(1),
        fastq.maxLength.toLocaleString('en-US'),
        fastq.n50.toLocaleString('en-US'),
        fastq.q20Percent.toFixed(2),
        fastq.q30Percent.toFixed(2),
        fastq.gcPercent.toFixed(2),
      ]);
    }
    const csv = reports.get('lane1/types.csv')!.csv!;
    expect(rowOf(submitted.stdout, 'lane1/types.csv')).toEqual([
      `${run}/lane1/types.csv`,
      String(csv.rows),
      String(csv.columns),
    ]);
    const failed = rowOf(submitted.stdout, 'broken.fastq')!;
    expect(failed.slice(0, 2)).toEqual([`${run}/broken.fastq`, 'FAILED']);
    expect(failed.at(-1)).toMatch(/line 29/);
  });

  it('lists the jobs with route, attempts and errors, and filters them by status', async () => {
    const all = await pipeline('jobs');
    expect(all.code, all.stderr).toBe(0);
    expect(cells(all.stdout.split('\n')[0]!)).toEqual([
      'file',
      'status',
      'route',
      'attempts',
      'duration',
      'error',
    ]);
    const large = rowOf(all.stdout, 'large.fastq.gz')!;
    expect(large[1]).toBe('SUCCEEDED');
    if (target.largeRoute.by === 'size') expect(large[2]).toBe('ecs');
    expect(rowOf(all.stdout, 'variable-lengths.fq')?.slice(1, 3)).toEqual(['SUCCEEDED', 'lambda']);
    const failed = await pipeline('jobs', '--status', 'failed');
    const rows = failed.stdout.split('\n').filter((line) => line.startsWith(run));
    expect(rows.map((line) => cells(line)[0])).toEqual([`${run}/broken.fastq`]);
  });

  it('prints results as JSON documents and as the table, for a folder of the run', async () => {
    const json = await pipeline('results', `${run}/lane1/`, '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const documents = JSON.parse(json.stdout) as { job: { key: string }; report: JobReport }[];
    expect(documents.map((d) => d.job.key)).toEqual([
      `incoming/${run}/lane1/multi-member.fq.gz`,
      `incoming/${run}/lane1/types.csv`,
    ]);
    expect(documents[1]!.report.csv).toEqual(reports.get('lane1/types.csv')!.csv);
    // The schema document describes the `job` part as it is written.
    const schema = await readFile(path.join(ROOT, 'docs/result-schema.md'), 'utf8');
    const jobSection = schema.slice(schema.indexOf('## `job`'), schema.indexOf('## `report`'));
    const documented = [...jobSection.matchAll(/^\| `(\w+)` /gm)].map((m) => m[1]);
    expect(Object.keys(documents[0]!.job)).toEqual(documented);
    const table = await pipeline('results', `incoming/${run}/`);
    expect(table.code, table.stderr).toBe(0);
    expect(rowOf(table.stdout, 'large.fastq.gz')?.[1]).toBe(
      reports.get('large.fastq.gz')!.fastq!.reads.toLocaleString('en-US'),
    );
  });

  it('writes the report, and MultiQC over it shows every FASTQ sample of the run', async () => {
    const outDir = path.join(dir, 'report');
    const written = await pipeline('report', outDir, `${run}/`);
    expect(written.code, written.stderr).toBe(0);
    const html = await readFile(path.join(outDir, REPORT_HTML), 'utf8');
    for (const name of reports.keys()) expect(html).toContain(`${run}/${name}`);
    const saved = JSON.parse(
      await readFile(sharedResultPath(outDir, `incoming/${run}/lane1/types.csv`), 'utf8'),
    ) as { report: JobReport };
    expect(saved.report.csv).toEqual(reports.get('lane1/types.csv')!.csv);

    execFileSync('bash', [path.join(ROOT, 'scripts/setup-python.sh'), 'report'], { stdio: 'inherit' });
    const multiqc = path.join(ROOT, '.venv/report/bin/multiqc');
    const quiet = ['--no-ansi', '--no-version-check', '--no-ai', '--quiet', '--force'];
    await execFileAsync(multiqc, [
      ...quiet,
      '--data-format',
      'json',
      '-o',
      path.join(dir, 'multiqc'),
      outDir,
    ]);
    const data = JSON.parse(
      await readFile(path.join(dir, 'multiqc/multiqc_data/multiqc_data.json'), 'utf8'),
    ) as {
      report_saved_raw_data: { multiqc_seqkit_stats: Record<string, { num_seqs: number }> };
    };
    const samples = data.report_saved_raw_data.multiqc_seqkit_stats;
    const fastq = [...reports].filter(([, report]) => report.fastq);
    // The terminal test's copy of the large file is in the run too.
    expect(Object.keys(samples).sort()).toEqual(
      [...fastq.map(([name]) => name), 'tty/large.fastq.gz']
        .map((name) => multiqcSampleName(`incoming/${run}/${name}`))
        .sort(),
    );
    for (const [name, report] of fastq)
      expect(samples[multiqcSampleName(`incoming/${run}/${name}`)]!.num_seqs).toBe(report.fastq!.reads);
  });

  it('prints FASTQ results in the columns of seqkit stats -a -T', async () => {
    const tsv = await pipeline('results', `${run}/lane1/`, '--format', 'tsv');
    expect(tsv.code, tsv.stderr).toBe(0);
    const [header, ...rows] = tsv.stdout.trimEnd().split('\n');
    expect(header!.split('\t')).toEqual([...SEQKIT_STATS_COLUMNS]);
    expect(rows.map((row) => row.split('\t').slice(0, 4))).toEqual([
      [
        `${run}/lane1/multi-member.fq.gz`,
        'FASTQ',
        'DNA',
        String(reports.get('lane1/multi-member.fq.gz')!.fastq!.reads),
      ],
    ]);
  });

  it('watches the jobs until none is open, then exits 0', async () => {
    // An open job of its own, so the watch has something to wait for whatever the target's speed.
    const now = new Date();
    const key = `incoming/watch-${run}/open.fq`;
    const job: Job = {
      jobId: jobIdFor(target.bucket, key, null),
      bucket: target.bucket,
      key,
      versionId: null,
      size: 1,
      status: 'QUEUED',
      attempts: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      leaseUntil: Math.floor(now.getTime() / 1000) + 3600,
      expiresAt: Math.floor(now.getTime() / 1000) + 86400,
    };
    expect((await target.jobs.claim(job, now)).outcome).toBe('created');
    const watch = spawn(
      process.execPath,
      [path.join(ROOT, 'scripts/bundled.mjs'), 'bin/pipeline.ts', 'jobs', ...target.console.args, '--watch'],
      { cwd: ROOT, env: { ...process.env, ...target.console.env } },
    );
    let stdout = '';
    watch.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!/\b1 QUEUED\b/.test(stdout) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stdout, 'the watch shows the open job').toMatch(/\b1 QUEUED\b/);
      expect(watch.exitCode, 'the watch waits while a job is open').toBeNull();
      await target.jobs.transition(
        job.jobId,
        'SUCCEEDED',
        { finishedAt: new Date().toISOString() },
        new Date(),
      );
      expect(await exited).toBe(0);
    } finally {
      watch.kill();
    }
    const counts = stdout
      .trimEnd()
      .split('\n')
      .filter((line) => /^\d+ (QUEUED|RUNNING|SUCCEEDED|FAILED)/.test(line));
    expect(counts.length, 'refreshed at least once').toBeGreaterThan(1);
    expect(counts.at(-1)).not.toMatch(/QUEUED|RUNNING/);
    // Not a terminal: each refresh is appended, never cleared.
    expect(stdout).not.toContain('\x1b[');
  });

  it('refuses a stack that is not there, saying what to do', async () => {
    const missing = await pipeline('jobs', '--stack', `no-such-stack-${run}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error: stack no-such-stack-\S+ not found in \S+: deploy it with `npx cdk deploy`/,
    );
  });
});
