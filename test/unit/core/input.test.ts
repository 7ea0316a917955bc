import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { InputError, JobAbortedError } from '../../../src/core/api.js';
import { canInflateSync } from '../../../src/core/inflate-sync.js';
import { openInput, type OpenOptions } from '../../../src/core/input.js';
import { fastqBuffer } from '../../../local/synthetic-inputs.js';
import { chunked } from './helpers.js';

/**
 * Everything `openInput` yields, copied (a chunk is valid only until the next is asked for), its
 * CRC-32 checked where that is left to the reader.
 */
async function inflate(
  source: AsyncIterable<Uint8Array>,
  options: OpenOptions,
): Promise<{ data: Buffer; bytes: number; uncompressedBytes: number }> {
  const input = await openInput(source, options);
  const parts: Buffer[] = [];
  for await (const chunk of input.chunks) parts.push(Buffer.from(chunk));
  const data = Buffer.concat(parts);
  input.verifyCrc32?.(crc32(data));
  return { data, ...input.counters };
}

/**
 * A gzip member written field by field (RFC 1952), with the optional fields its flags announce:
 * what `gzipSync` never writes. `change` may spoil the header before its CRC is computed.
 */
function member(
  data: Buffer,
  fields: { extra?: Buffer; name?: string; comment?: string; headerCrc?: boolean },
  change: (header: Buffer) => void = () => undefined,
): Buffer {
  const flags =
    (fields.headerCrc ? 0x02 : 0) |
    (fields.extra ? 0x04 : 0) |
    (fields.name !== undefined ? 0x08 : 0) |
    (fields.comment !== undefined ? 0x10 : 0);
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (fields.extra)
    parts.push(Buffer.from([fields.extra.length & 0xff, fields.extra.length >> 8]), fields.extra);
  if (fields.name !== undefined) parts.push(Buffer.from(`${fields.name}\0`, 'latin1'));
  if (fields.comment !== undefined) parts.push(Buffer.from(`${fields.comment}\0`, 'latin1'));
  const header = Buffer.concat(parts);
  change(header);
  const headerCrc = Buffer.alloc(fields.headerCrc ? 2 : 0);
  if (fields.headerCrc) headerCrc.writeUInt16LE(crc32(header) & 0xffff);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([header, headerCrc, deflateRawSync(data), trailer]);
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

  it('reads every optional header field, the header CRC checked', async () => {
    const all = {
      extra: Buffer.alloc(300, 7),
      name: 'reads.fq',
      comment: 'from the sequencer',
      headerCrc: true,
    };
    // Small data for the smallest chunks (a header split at every byte), all of it for the rest.
    for (const [data, sizes] of [
      [plain.subarray(0, 30_000), [1, 3]],
      [plain, [4_096, 1 << 20]],
    ] as const) {
      const third = Math.floor(data.length / 3);
      const members = Buffer.concat([
        member(data.subarray(0, third), all),
        member(data.subarray(third, 2 * third), { name: 'x'.repeat(5_000) }),
        member(data.subarray(2 * third), { extra: Buffer.alloc(0), headerCrc: true }),
      ]);
      for (const size of sizes) {
        const result = await inflate(reusing(members, size), { inflateSync });
        expect(result.data.equals(data), `${size}-byte chunks`).toBe(true);
      }
    }
  });

  it('fails a spoilt header as zlib does', async () => {
    const data = plain.subarray(0, 50_000);
    const good = gzipSync(data);
    const spoilt = (bytes: Buffer, at: number) => {
      bytes[at] = (bytes[at] as number) ^ 0xff;
      return bytes;
    };
    const cases: [string, Buffer, RegExp][] = [
      ['wrong header CRC', spoilt(member(data, { name: 'a', headerCrc: true }), 12), /header crc mismatch/],
      ['unknown method', member(data, {}, (h) => void (h[2] = 7)), /unknown compression method/],
      ['reserved flag', member(data, {}, (h) => void (h[3] = 0x20)), /unknown header flags set/],
      [
        'bad second member',
        Buffer.concat([good, member(data, {}, (h) => void (h[1] = 0x8c))]),
        /incorrect header check/,
      ],
      [
        'cut in the header',
        Buffer.concat([good, member(data, { name: 'abc' }).subarray(0, 12)]),
        /unexpected end of file/,
      ],
    ];
    for (const [fault, bad, message] of cases) {
      for (const size of [1, 4_096]) {
        const error = await inflate(chunked(bad, size), { inflateSync }).catch((e: unknown) => e);
        expect(error, fault).toBeInstanceOf(InputError);
        expect((error as InputError).code, fault).toBe('GZIP_CORRUPT');
        expect((error as InputError).message, fault).toMatch(message);
      }
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

  it('leaves the CRC-32 to the reader, who finds a wrong one', async () => {
    const gz = gzipSync(plain);
    const wrongCrc = Buffer.from(gz);
    wrongCrc.writeUInt8(wrongCrc.readUInt8(gz.length - 8) ^ 0xff, gz.length - 8);
    for (const [data, ok] of [
      [gz, true],
      [wrongCrc, false],
      [Buffer.concat([gzipSync(plain.subarray(0, 1_000)), wrongCrc]), false],
    ] as const) {
      const input = await openInput(chunked(data, 65_536), { inflateSync: true });
      const parts: Buffer[] = [];
      const iterator = input.chunks[Symbol.asyncIterator]();
      const first = await iterator.next();
      parts.push(Buffer.from(first.value as Buffer));
      // Asked before the end, it cannot know.
      expect(() => input.verifyCrc32?.(0)).toThrow(/known only once/);
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        parts.push(Buffer.from(next.value));
      const whole = Buffer.concat(parts);
      expect(
        whole.equals(
          data === gz || data === wrongCrc ? plain : Buffer.concat([plain.subarray(0, 1_000), plain]),
        ),
      ).toBe(true);
      const verify = () => input.verifyCrc32?.(crc32(whole));
      if (ok) expect(verify).not.toThrow();
      else expect(verify).toThrow(/incorrect data check/);
      expect(() => input.verifyCrc32?.(crc32(whole) ^ 1)).toThrow(InputError);
    }
    // A zlib stream checks it itself.
    expect((await openInput(chunked(gz, 65_536), { inflateSync: false })).verifyCrc32).toBeUndefined();
  });
});
