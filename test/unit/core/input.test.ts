import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { InputError, JobAbortedError } from '../../../src/core/api.js';
import { canInflateSync } from '../../../src/core/inflate-sync.js';
import { openInput, type OpenOptions } from '../../../src/core/input.js';
import { fastqBuffer } from '../../../local/synthetic-inputs.js';
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
  ['synchronously (inflate-sync.ts)', true],
  ['through a zlib stream', false],
])('gzip input inflated %s', (_, inflateSync) => {
  it('gives back every byte of a multi-member gzip, whatever the chunk sizes', async () => {
    for (const size of [997, 65_536, 1 << 20, 3 << 20]) {
      for (const gunzipChunkBytes of [64 * 1024, 1 << 20]) {
        const result = await inflate(reusing(multiMember, size), { inflateSync, gunzipChunkBytes });
        expect(result.data.equals(plain), `${size}-byte chunks`).toBe(true);
        expect(result).toMatchObject({ bytes: multiMember.length, uncompressedBytes: plain.length });
      }
    }
    const small = Buffer.concat([gzipSync('@r\nAC\n+\nII\n'), gzipSync(''), gzipSync('@s\nG\n+\nI\n')]);
    for (const size of [1, 2, 7]) {
      const result = await inflate(reusing(small, size), { inflateSync });
      expect(result.data.toString(), `${size}-byte chunks`).toBe('@r\nAC\n+\nII\n@s\nG\n+\nI\n');
    }
  });

  it('ignores zero padding after the last member, as gzip does', async () => {
    const padded = Buffer.concat([multiMember, Buffer.alloc(5_000)]);
    for (const size of [1_000, 1 << 20]) {
      const result = await inflate(reusing(padded, size), { inflateSync });
      expect(result.data.equals(plain), `${size}-byte chunks`).toBe(true);
    }
  });

  it('fails truncated, corrupt or trailing-junk gzip as GZIP_CORRUPT, naming the fault', async () => {
    const gz = gzipSync(plain);
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 1_000, 1_100);
    const wrongCrc = Buffer.from(gz);
    wrongCrc.writeUInt8(wrongCrc.readUInt8(gz.length - 8) ^ 0xff, gz.length - 8);
    const wrongLength = Buffer.from(gz);
    wrongLength.writeUInt8(wrongLength.readUInt8(gz.length - 4) ^ 0xff, gz.length - 4);
    const cases: [string, Buffer, RegExp][] = [
      ['cut mid-stream', gz.subarray(0, gz.length - 100), /unexpected end of file/],
      ['cut before the trailer', gz.subarray(0, gz.length - 8), /unexpected end of file/],
      ['cut mid-trailer', gz.subarray(0, gz.length - 3), /unexpected end of file/],
      ['corrupt data', corrupt, /invalid|incorrect/],
      ['wrong CRC-32', wrongCrc, /incorrect data check/],
      ['wrong length', wrongLength, /incorrect length check/],
      ['trailing junk', Buffer.concat([gz, Buffer.from('not gzip at all')]), /incorrect header check/],
    ];
    for (const [fault, bad, message] of cases) {
      for (const size of [4_096, 1 << 20]) {
        const error = await inflate(chunked(bad, size), { inflateSync }).catch((e: unknown) => e);
        expect(error, fault).toBeInstanceOf(InputError);
        expect((error as InputError).code, fault).toBe('GZIP_CORRUPT');
        expect((error as InputError).message, fault).toMatch(message);
      }
    }
  });

  it('hands out a highly compressed input in bounded chunks', async () => {
    const zeros = gzipSync(Buffer.alloc(40 << 20));
    expect(zeros.length).toBeLessThan(100_000);
    const input = await openInput(chunked(zeros, 65_536), { inflateSync, gunzipChunkBytes: 1 << 20 });
    let bytes = 0;
    let largest = 0;
    for await (const chunk of input.chunks) {
      bytes += chunk.length;
      largest = Math.max(largest, chunk.length);
      expect(chunk.every((byte) => byte === 0)).toBe(true);
    }
    expect(bytes).toBe(40 << 20);
    expect(largest).toBe(1 << 20);
  });

  it('passes on a failure of the source', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield multiMember.subarray(0, 10_000);
      throw new Error('connection reset');
    }
    await expect(inflate(broken(), { inflateSync })).rejects.toThrow('connection reset');
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
    await expect(inflate(source(), { inflateSync, signal: controller.signal })).rejects.toBeInstanceOf(
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
    const input = await openInput(source(), { inflateSync, gunzipChunkBytes: 64 * 1024 });
    for await (const chunk of input.chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await vi.waitFor(() => expect(finished).toBe(true));
  });
});

describe('synchronous inflating', () => {
  it('is available on this Node.js, which exposes the zlib handle it drives', () => {
    expect(canInflateSync()).toBe(true);
  });
});
