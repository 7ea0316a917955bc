/**
 * Distinct-value counting in bounded memory: exact (a Set) up to a cap, then a HyperLogLog
 * estimate seeded with the values seen so far.
 */

/** HyperLogLog with 2^14 one-byte registers: 16 KiB, standard error about 0.8%. */
const HLL_BITS = 14;
const HLL_REGISTERS = 1 << HLL_BITS;

/** Values longer than this are stored in the exact set by a 53-bit hash instead of as text. */
const MAX_STORED_CHARS = 64;

export class HyperLogLog {
  private readonly registers = new Uint8Array(HLL_REGISTERS);

  add(value: string): void {
    const [h1, h2] = hash64(value);
    const index = h1 >>> (32 - HLL_BITS);
    // Rank = position of the first 1 bit in the other 32 bits of the hash (1-based).
    const rank = h2 === 0 ? 33 : Math.clz32(h2) + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  estimate(): number {
    const m = HLL_REGISTERS;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < m; j++) {
      const r = this.registers[j] as number;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // Linear counting is more accurate while many registers are still empty.
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }
}

export class DistinctCounter {
  private exact: Set<string> | undefined = new Set();
  private sketch: HyperLogLog | undefined;

  /** @param cap most distinct values counted exactly before switching to an estimate */
  constructor(private readonly cap: number) {}

  add(value: string): void {
    const key = value.length > MAX_STORED_CHARS ? longKey(value) : value;
    if (this.exact !== undefined) {
      this.exact.add(key);
      if (this.exact.size > this.cap) this.switchToSketch();
    } else {
      (this.sketch as HyperLogLog).add(key);
    }
  }

  result(): { distinct: number; exact: boolean } {
    if (this.exact !== undefined) return { distinct: this.exact.size, exact: true };
    return { distinct: Math.round((this.sketch as HyperLogLog).estimate()), exact: false };
  }

  private switchToSketch(): void {
    const sketch = new HyperLogLog();
    for (const key of this.exact as Set<string>) sketch.add(key);
    this.sketch = sketch;
    this.exact = undefined;
  }
}

/** Key for a long value: NUL, its 64-bit hash and its length (collisions are ~1e-9 likely at the cap). */
function longKey(value: string): string {
  const [h1, h2] = hash64(value);
  return `\u0000${h1.toString(36)}:${h2.toString(36)}:${value.length}`;
}

/** A fast non-cryptographic 64-bit hash of a string's UTF-16 code units, as two 32-bit halves. */
export function hash64(value: string): [number, number] {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= value.length;
  // Final avalanche (murmur3's fmix32) on each half, then cross-mix the halves.
  a = fmix32(a);
  b = fmix32(b ^ Math.imul(a, 0xcc9e2d51));
  a = fmix32(a ^ Math.imul(b, 0x1b873593));
  return [a >>> 0, b >>> 0];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
