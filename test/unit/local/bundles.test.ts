import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOrphanedBundles } from '../../../local/cloud.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-bundles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('removeOrphanedBundles', () => {
  it("removes the folders of local clouds whose process is gone, and keeps a running one's", async () => {
    // 2^22 is above Linux's largest pid, so no process has it.
    const names = [`${process.pid}-running`, `${2 ** 22 + 1}-gone`, 'unnamed'];
    for (const name of names) await mkdir(path.join(dir, name));
    await removeOrphanedBundles(dir);
    expect(await readdir(dir)).toEqual([`${process.pid}-running`]);
  });

  it('does nothing when there is no bundles folder yet', async () => {
    await expect(removeOrphanedBundles(path.join(dir, 'missing'))).resolves.toBeUndefined();
  });
});
