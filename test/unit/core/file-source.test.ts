import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileChunks } from '../../../src/core/file-source.js';

describe('fileChunks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'file-chunks-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives back every byte of a file, each chunk intact until the next is asked for', async () => {
    const data = randomBytes(1_000_003);
    const file = path.join(dir, 'data.bin');
    await writeFile(file, data);
    for (const size of [4_096, 65_536, 1 << 20, 2 << 20]) {
      const copies: Buffer[] = [];
      for await (const chunk of fileChunks(file, size)) {
        expect(chunk.length).toBeLessThanOrEqual(size);
        const copy = Buffer.from(chunk);
        copies.push(copy);
        // Long enough for the read of the next chunk, started ahead, to land: not over this one.
        await new Promise((resolve) => setTimeout(resolve, 2));
        expect(Buffer.from(chunk).equals(copy)).toBe(true);
      }
      expect(Buffer.concat(copies).equals(data), `${size}-byte chunks`).toBe(true);
    }
  });

  it('gives nothing for an empty file', async () => {
    const file = path.join(dir, 'empty.bin');
    await writeFile(file, '');
    const chunks: Uint8Array[] = [];
    for await (const chunk of fileChunks(file)) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('reads a pipe only when asked, so stopping early does not wait on a writer that stays open', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reading = fileChunks(fifo, 1024)[Symbol.asyncIterator]();
    const first = reading.next();
    // Opening a pipe's read end waits for a writer, and the other way round.
    const writer = await open(fifo, 'w');
    try {
      await writer.write(Buffer.alloc(100, 'A'));
      const { value } = await first;
      expect(Buffer.from(value as Uint8Array).toString()).toBe('A'.repeat(100));
      // Nothing more is written and the writer stays open: a read started ahead would never end.
      await expect(reading.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    } finally {
      await writer.close();
    }
  });

  it('passes on a failure to open', async () => {
    const chunks = fileChunks(path.join(dir, 'missing.bin'));
    await expect(chunks.next()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
