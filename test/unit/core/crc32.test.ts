import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine, crc32Through } from '../../../src/core/crc32.js';
import { chunked } from './helpers.js';

/** Bytes from a fixed seed: the same test every run. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

describe('crc32Combine', () => {
  it('gives the CRC-32 of two parts joined, wherever they are split', () => {
    const data = bytes(70_001, 7);
    for (const split of [0, 1, 2, 3, 4, 5, 8, 255, 256, 4_096, 65_537, 69_999, 70_000, 70_001]) {
      const [a, b] = [data.subarray(0, split), data.subarray(split)];
      expect(crc32Combine(crc32(a), crc32(b), b.length), `split at ${split}`).toBe(crc32(data));
    }
  });

  it('folds many parts into the CRC-32 of the whole, as a gzip file of many members needs', () => {
    const data = bytes(300_000, 11);
    let combined = 0;
    let at = 0;
    for (const length of [0, 1, 17, 65_536, 0, 100_000, 34_446, 100_000]) {
      const part = data.subarray(at, at + length);
      combined = crc32Combine(combined, crc32(part), part.length);
      at += length;
    }
    expect(at).toBe(data.length);
    expect(combined).toBe(crc32(data));
  });

  it('shifts by lengths past 2^32 (a trailer keeps only the length modulo 2^32; the combining must not)', () => {
    const prefix = crc32(Buffer.from('ACGT'));
    const tail = Buffer.from('GGCC');
    // Shifting by a+b bytes is shifting by a, then by b; each step below 2^32 is checked against
    // zlib by the tests above.
    const oneStep = crc32Combine(prefix, crc32(tail), 2 ** 32 + 4);
    const twoSteps = crc32Combine(crc32Combine(prefix, 0, 2 ** 31), crc32(tail), 2 ** 31 + 4);
    const threeSteps = crc32Combine(
      crc32Combine(crc32Combine(prefix, 0, 3e9), 0, 2 ** 32 - 3e9),
      crc32(tail),
      4,
    );
    expect(oneStep).toBe(twoSteps);
    expect(oneStep).toBe(threeSteps);
    expect(oneStep).not.toBe(crc32Combine(prefix, crc32(tail), 4));
  });
});

describe('crc32Through', () => {
  it('passes the chunks on unchanged and gives the CRC-32 of all of them at the end', async () => {
    const data = bytes(100_000, 3);
    const seen: Buffer[] = [];
    let crc: number | undefined;
    for await (const chunk of crc32Through(chunked(data, 7_919), (value) => (crc = value))) {
      expect(crc).toBeUndefined();
      seen.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(seen).equals(data)).toBe(true);
    expect(crc).toBe(crc32(data));
  });

  it('ends the iteration with the error the check throws', async () => {
    const read = async () => {
      for await (const chunk of crc32Through(chunked(bytes(1_000, 5), 100), () => {
        throw new Error('incorrect data check');
      }))
        expect(chunk.length).toBe(100);
    };
    await expect(read()).rejects.toThrow('incorrect data check');
  });
});
