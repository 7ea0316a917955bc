import { describe, expect, it } from 'vitest';
import { ByteCounter } from '../../../src/core/byte-counter.js';
import { Prng } from '../../../local/synthetic-inputs.js';

const LETTERS = Uint8Array.from({ length: 256 }, (_, b) => (b >= 65 && b <= 90 ? 1 : 0));

describe('ByteCounter', () => {
  it('counts the bytes of ranges at any alignment exactly like a byte-by-byte loop', () => {
    const prng = new Prng(5);
    const backing = Buffer.alloc(4099);
    for (let i = 0; i < backing.length; i++) backing[i] = 65 + prng.int(0, 25);
    for (const offset of [0, 1, 2, 3]) {
      const buf = backing.subarray(offset, offset + 4000);
      const counter = new ByteCounter(LETTERS);
      counter.setChunk(buf);
      const expected = new Array<number>(256).fill(0);
      for (let r = 0; r < 500; r++) {
        const start = prng.int(0, buf.length);
        const end = Math.min(buf.length, start + prng.int(0, 9));
        counter.count(buf, start, end);
        for (let i = start; i < end; i++) expected[buf[i] as number]!++;
      }
      expect(counter.flush()).toBe(true);
      expect(Array.from({ length: 256 }, (_, b) => counter.total(b))).toEqual(expected);
    }
  });

  it('reports a disallowed byte wherever it sits in a range', () => {
    for (const offset of [0, 1]) {
      for (let position = 0; position < 6; position++) {
        const backing = Buffer.from('xABCDEFGH');
        const buf = backing.subarray(offset, offset + 7);
        buf[position] = 0x61; // 'a' is not allowed
        const counter = new ByteCounter(LETTERS);
        counter.setChunk(buf);
        counter.count(buf, 0, 6);
        expect(counter.flush(), `offset ${offset}, position ${position}`).toBe(false);
      }
    }
  });

  it('keeps totals across flushes', () => {
    const counter = new ByteCounter(LETTERS);
    for (const text of ['ABAB', 'BBB', 'A']) {
      const buf = Buffer.from(text);
      counter.setChunk(buf);
      counter.count(buf, 0, buf.length);
      expect(counter.flush()).toBe(true);
    }
    expect([counter.total(65), counter.total(66)]).toEqual([3, 5]);
  });
});
