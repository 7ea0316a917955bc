import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THREADS } from '../../../contract/names.js';
import { writeFastq } from '../../../local/synthetic-inputs.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** As `npm run pipeline` starts it: the launcher that runs bin/pipeline.ts from a cached bundle. */
function pipeline(...args: string[]) {
  return pipelineWithInput(undefined, ...args);
}

function pipelineWithInput(input: Buffer | undefined, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'scripts/bundled.mjs'), 'bin/pipeline.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', input },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pipeline stats', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stats-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the report as 2-space JSON and exits 0', async () => {
    const file = path.join(dir, 'ok.fq.gz');
    await writeFastq(file, { reads: 100, seed: 41, gzip: true });
    const { code, stdout } = pipeline('stats', file);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      schemaVersion: 1,
      format: 'fastq',
      input: { gzip: true },
      fastq: { reads: 100 },
    });
    expect(stdout).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it('reads standard input for -, gzip recognised by its content', async () => {
    const file = path.join(dir, 'piped.fq.gz');
    await writeFastq(file, { reads: 250, seed: 43, gzip: true });
    const fromFile = JSON.parse(pipeline('stats', file).stdout);
    const piped = pipelineWithInput(readFileSync(file), 'stats', '-', '--format', 'fastq');
    expect(piped.code).toBe(0);
    const report = JSON.parse(piped.stdout);
    expect(report.input).toMatchObject({ name: 'stdin', gzip: true });
    expect(report.fastq).toEqual(fromFile.fastq);
  });

  it('reads standard input the same from a pipe, a redirected file and a socket', async () => {
    const file = path.join(dir, 'shell.fq.gz');
    await writeFastq(file, { reads: 300, seed: 44, gzip: true });
    const expected = JSON.parse(pipeline('stats', file).stdout).fastq;
    const launcher = `${JSON.stringify(process.execPath)} scripts/bundled.mjs bin/pipeline.ts stats - --format fastq`;
    for (const shell of [
      `cat ${JSON.stringify(file)} | ${launcher}`,
      `${launcher} < ${JSON.stringify(file)}`,
    ]) {
      const result = spawnSync('bash', ['-c', shell], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).fastq).toEqual(expected);
    }
    // spawnSync's input arrives through a socket, which only process.stdin can read.
    expect(
      JSON.parse(pipelineWithInput(readFileSync(file), 'stats', '-', '--format', 'fastq').stdout).fastq,
    ).toEqual(expected);
  });

  it('asks for --format when reading standard input', () => {
    const { code, stderr } = pipelineWithInput(Buffer.from('@r\nA\n+\nI\n'), 'stats', '-');
    expect(code).toBe(2);
    expect(stderr).toMatch(/standard input \(-\) needs --format/);
  });

  it('prints error: <message> and exits 1 on invalid input', () => {
    const file = path.join(dir, 'bad.fq');
    writeFileSync(file, '@r1\nACGT\n+\nIII\n');
    const { code, stdout, stderr } = pipeline('stats', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: sequence and quality lengths differ in record 1 \(line 4\)/);
  });

  it('exits 1 when the file cannot be read', () => {
    const { code, stderr } = pipeline('stats', path.join(dir, 'missing.fq'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: cannot read .*missing\.fq/);
  });

  it('honours --format for a name that says nothing', () => {
    const file = path.join(dir, 'table.txt');
    writeFileSync(file, 'a,b\n1,2\n');
    expect(pipeline('stats', file).code).toBe(1);
    const { code, stdout } = pipeline('stats', file, '--format', 'csv');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).csv.rows).toBe(1);
  });

  it('exits 2 on usage errors', () => {
    expect(pipeline('stats').code).toBe(2);
    expect(pipeline('stats', 'a.fq', '--format', 'bam').code).toBe(2);
    expect(pipeline('stats', 'a.fq', '--bogus').code).toBe(2);
    expect(pipeline('no-such-command').code).toBe(2);
  });

  it('lists the subcommands with --help', () => {
    const { code, stdout } = pipeline('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/stats\s+print the JSON report/);
  });

  it('rebuilds its cached bundle when a source has changed', () => {
    const source = path.join(ROOT, 'src/cli/command.ts');
    const { atime, mtime } = statSync(source);
    const touched = new Date(mtime.getTime() + 1000);
    utimesSync(source, atime, touched);
    try {
      expect(pipeline('--help').code).toBe(0);
      const manifest = JSON.parse(
        readFileSync(path.join(ROOT, 'node_modules/.cache/s3-pipeline/bin__pipeline.inputs.json'), 'utf8'),
      ) as { inputs: Record<string, number>; outputs: string[] };
      expect(manifest.inputs['src/cli/command.ts']).toBe(statSync(source).mtimeMs);
      // The threads' bundles are rebuilt beside it, with the chunks each command loads when it runs.
      expect(manifest.outputs).toEqual(expect.arrayContaining(Object.values(THREADS).map((t) => t.bundle)));
      for (const name of manifest.outputs)
        expect(existsSync(path.join(ROOT, 'node_modules/.cache/s3-pipeline', name)), name).toBe(true);
    } finally {
      utimesSync(source, atime, mtime);
    }
  });
});
