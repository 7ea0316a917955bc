import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../src/core/coalesce.js';
import { chunked } from './helpers.js';

/** Every chunk `coalesce` yields, copied (each is valid only until the next is asked for). */
async function collect(source: AsyncIterable<Uint8Array>, bytes: number) {
  const chunks: Buffer[] = [];
  for await (const chunk of coalesce(source, bytes)) chunks.push(Buffer.from(chunk));
  return chunks;
}

describe('coalesce', () => {
  const data = randomBytes(100_003);

  it('gathers small chunks into chunks of the given size, in order, the last one shorter', async () => {
    const chunks = await collect(chunked(data, [1, 999, 4_096, 17]), 10_000);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(chunks.map((c) => c.length)).toEqual([...Array<number>(10).fill(10_000), 3]);
  });

  it('passes a chunk that is large enough as it is, without a copy', async () => {
    const large = data.subarray(0, 50_000);
    const seen: Uint8Array[] = [];
    for await (const chunk of coalesce(chunked(large, 50_000), 10_000)) seen.push(chunk);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.buffer).toBe(large.buffer);
    expect(seen[0]?.byteOffset).toBe(large.byteOffset);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(chunked(Buffer.alloc(0)), 10)).toEqual([]);
  });
});
