import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../../../src/cli/command.js';
import { planUploads } from '../../../src/cli/submit.js';

describe('what submit uploads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'submit-plan-'));
    await mkdir(path.join(dir, 'run42', 'lane 1'), { recursive: true });
    await writeFile(path.join(dir, 'run42', 'b.fastq.gz'), 'xx');
    await writeFile(path.join(dir, 'run42', 'lane 1', 'a.FQ'), 'x');
    await writeFile(path.join(dir, 'run42', 'samples.csv'), 'h\n1\n');
    await writeFile(path.join(dir, 'run42', 'SampleSheet.txt'), 'skip me');
    await writeFile(path.join(dir, 'run42', 'b.fastq.gz.md5'), 'skip me');
    await writeFile(path.join(dir, 'notes.txt'), 'named, so sent');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("puts a folder's FASTQ and CSV files under its name, with their paths, and skips the rest", async () => {
    const { uploads, skipped } = await planUploads([path.join(dir, 'run42')]);
    expect(uploads.map((u) => [u.key, u.size])).toEqual([
      ['incoming/run42/b.fastq.gz', 2],
      ['incoming/run42/lane 1/a.FQ', 1],
      ['incoming/run42/samples.csv', 4],
    ]);
    expect(skipped.map((f) => path.basename(f)).sort()).toEqual(['SampleSheet.txt', 'b.fastq.gz.md5']);
  });

  it('puts a folder under --prefix instead, and a named file under the prefix as it is named', async () => {
    const { uploads } = await planUploads(
      [path.join(dir, 'run42', 'lane 1'), path.join(dir, 'notes.txt')],
      'project/x/',
    );
    expect(uploads.map((u) => u.key)).toEqual(['incoming/project/x/a.FQ', 'incoming/project/x/notes.txt']);
    const plain = await planUploads([path.join(dir, 'notes.txt')]);
    expect(plain.uploads.map((u) => u.key)).toEqual(['incoming/notes.txt']);
  });

  it('refuses two files that would land on one key, and a path that does not exist', async () => {
    const twice = planUploads([path.join(dir, 'notes.txt'), path.join(dir, 'notes.txt')]);
    await expect(twice).rejects.toThrow(/two files would be uploaded to incoming\/notes.txt/);
    const missing = planUploads([path.join(dir, 'nope')]);
    await expect(missing).rejects.toBeInstanceOf(CommandError);
    await expect(missing).rejects.toThrow(/cannot read .*nope: no such file or folder/);
  });
});
