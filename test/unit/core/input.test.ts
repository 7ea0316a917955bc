import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError, JobAbortedError } from '../../../src/core/api.js';
import { openInput, type OpenOptions } from '../../../src/core/input.js';
import { fastqBuffer } from '../../support/generate.js';
import { chunked } from './helpers.js';

/** Everything `openInput` yields, copied (a chunk is valid only until the next is asked for). */
async function inflate(
  source: AsyncIterable<Uint8Array>,
  options: OpenOptions,
): Promise<{ data: Buffer; bytes: number; uncompressedBytes: number }> {
  const input = await openInput(source, options);
  const parts: Buffer[] = [];
  for await (const chunk of input.chunks) parts.push(Buffer.from(chunk));
  return { data: Buffer.concat(parts), ...input.counters };
}

/** Hands out one buffer over and over, scribbling over it as soon as the next chunk is asked for. */
async function* reusing(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.alloc(size);
  for (let at = 0; at < data.length; at += size) {
    const n = data.copy(buffer, 0, at, at + size);
    yield buffer.subarray(0, n);
    buffer.fill(0x7e);
  }
}

const plain = Buffer.concat([fastqBuffer({ reads: 4_000, seed: 51 }), fastqBuffer({ reads: 7, seed: 52 })]);
const multiMember = Buffer.concat([
  gzipSync(plain.subarray(0, 300_000)),
  gzipSync(Buffer.alloc(0)),
  gzipSync(plain.subarray(300_000)),
]);

describe.each([
  ['on a worker thread', true],
  ['on this thread', false],
])('gzip input inflated %s', (_, gunzipOnWorker) => {
  it('gives back every byte of a multi-member gzip, whatever the chunk sizes', async () => {
    for (const size of [997, 65_536, 1 << 20, 3 << 20]) {
      for (const gunzipChunkBytes of [64 * 1024, 1 << 20]) {
        const result = await inflate(reusing(multiMember, size), { gunzipOnWorker, gunzipChunkBytes });
        expect(result.data.equals(plain), `${size}-byte chunks`).toBe(true);
        expect(result).toMatchObject({ bytes: multiMember.length, uncompressedBytes: plain.length });
      }
    }
    const small = Buffer.concat([gzipSync('@r\nAC\n+\nII\n'), gzipSync(''), gzipSync('@s\nG\n+\nI\n')]);
    for (const size of [1, 2, 7]) {
      const result = await inflate(reusing(small, size), { gunzipOnWorker });
      expect(result.data.toString(), `${size}-byte chunks`).toBe('@r\nAC\n+\nII\n@s\nG\n+\nI\n');
    }
  });

  it('fails truncated, corrupt or trailing-junk gzip as GZIP_CORRUPT', async () => {
    const gz = gzipSync(plain);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 1_000, 1_100);
    const junk = Buffer.concat([gz, Buffer.from('not gzip at all')]);
    for (const bad of [gz.subarray(0, gz.length - 100), corrupt, junk]) {
      const error = await inflate(chunked(bad, 4_096), { gunzipOnWorker }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('GZIP_CORRUPT');
    }
  });

  it('passes on a failure of the source', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield multiMember.subarray(0, 10_000);
      throw new Error('connection reset');
    }
    await expect(inflate(broken(), { gunzipOnWorker })).rejects.toThrow('connection reset');
  });

  it('stops with JobAbortedError when aborted mid-stream, and ends the source', async () => {
    const controller = new AbortController();
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        let delivered = 0;
        for await (const chunk of chunked(multiMember, 8_192)) {
          yield chunk;
          if (++delivered === 3) controller.abort();
        }
      } finally {
        finished = true;
      }
    }
    await expect(inflate(source(), { gunzipOnWorker, signal: controller.signal })).rejects.toBeInstanceOf(
      JobAbortedError,
    );
    expect(finished).toBe(true);
  });

  it('ends the source when the consumer stops early', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(multiMember, 8_192);
      } finally {
        finished = true;
      }
    }
    const input = await openInput(source(), { gunzipOnWorker, gunzipChunkBytes: 64 * 1024 });
    for await (const chunk of input.chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await vi.waitFor(() => expect(finished).toBe(true));
  });
});

describe('gzip on a worker thread in a bundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gunzip-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('works when the core is bundled into one file', async () => {
    const entry = path.join(dir, 'entry.ts');
    const input = path.resolve(import.meta.dirname, '../../../src/core/input.ts');
    await writeFile(
      entry,
      `import { gzipSync } from 'node:zlib';
import { openInput } from ${JSON.stringify(input)};
const data = Buffer.alloc(3_000_000, 'ACGT');
const opened = await openInput([gzipSync(data)], { gunzipOnWorker: true });
let bytes = 0;
for await (const chunk of opened.chunks) bytes += chunk.length;
console.log(JSON.stringify({ bytes, expected: data.length }));
`,
    );
    const outfile = path.join(dir, 'bundle.mjs');
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile]);
    expect(JSON.parse(stdout)).toEqual({ bytes: 3_000_000, expected: 3_000_000 });
  });
});
