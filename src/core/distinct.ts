/**
 * Distinct-value counting in bounded memory. Values are never stored: each is reduced to a
 * 53-bit hash, counted exactly in a fixed-size open-addressing table up to a cap, then
 * estimated with a HyperLogLog sketch seeded from the table. Memory depends on the table and
 * sketch sizes, not on how long or how many the values are.
 */

/** Largest sketch: 2^14 one-byte registers (16 KiB), standard error about 0.8%. */
export const HLL_MAX_BITS = 14;
/** Smallest sketch: 2^4 registers. */
const HLL_MIN_BITS = 4;

export class HyperLogLog {
  private readonly registers: Uint8Array;
  private readonly bits: number;

  /**
   * @param bits log2 of the number of registers (standard error about 1.04 / 2^(bits / 2))
   * @param registers where to keep them (2^bits bytes, all zero); allocated when not given
   */
  constructor(bits = HLL_MAX_BITS, registers?: Uint8Array) {
    this.bits = Math.max(HLL_MIN_BITS, Math.min(HLL_MAX_BITS, Math.floor(bits)));
    this.registers = registers ?? new Uint8Array(1 << this.bits);
    if (this.registers.length !== 1 << this.bits) throw new RangeError('HyperLogLog: wrong register count');
  }

  add(value: string): void {
    this.addHash(hash53(value));
  }

  /** Add a value by its `hash53`. */
  addHash(hash: number): void {
    const low = hash >>> 0;
    const high = Math.floor(hash / 4294967296); // 21 bits
    const bits = this.bits;
    const index = low >>> (32 - bits);
    // Rank = position of the first 1 bit in the hash bits after the index (1-based).
    const rest = low << bits;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - bits + (high !== 0 ? Math.clz32(high) - 10 : 22);
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** Its registers: what `merge` takes. */
  get state(): Uint8Array {
    return this.registers;
  }

  /** Add the values another sketch of the same size saw (register by register, the larger). */
  merge(registers: Uint8Array): void {
    if (registers.length !== this.registers.length) throw new RangeError('HyperLogLog: wrong register count');
    for (let j = 0; j < registers.length; j++) {
      if ((registers[j] as number) > (this.registers[j] as number))
        this.registers[j] = registers[j] as number;
    }
  }

  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < m; j++) {
      const r = this.registers[j] as number;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m >= 128 ? 0.7213 / (1 + 1.079 / m) : m >= 64 ? 0.709 : m >= 32 ? 0.697 : 0.673;
    const raw = (alpha * m * m) / sum;
    // Linear counting is more accurate while many registers are still empty.
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }
}

/** Table slots for an exact cap: a power of two at least twice the cap, so probes stay short. */
export function tableSlots(cap: number): number {
  return 2 ** Math.ceil(Math.log2(2 * Math.max(1, cap)));
}

/** A `DistinctCounter`'s state, from `state()`. */
export type DistinctState =
  { hashes: Float64Array; registers?: undefined } | { registers: Uint8Array; hashes?: undefined };

export class DistinctCounter {
  /** Hashes seen (0 marks an empty slot); undefined once estimating. */
  private slots: Float64Array | undefined;
  private size = 0;
  private sketch: HyperLogLog | undefined;

  /**
   * @param cap most distinct values counted exactly before switching to an estimate
   * @param sketchBits log2 of the number of HyperLogLog registers used past the cap
   * @param slots the exact table: a power of two of at least twice `cap` zeroed slots (by
   *   default the smallest such). The sketch reuses its bytes when they are enough.
   */
  constructor(
    private readonly cap: number,
    private readonly sketchBits = HLL_MAX_BITS,
    slots: Float64Array = new Float64Array(tableSlots(cap)),
  ) {
    if (slots.length < 2 * cap || (slots.length & (slots.length - 1)) !== 0) {
      throw new RangeError('DistinctCounter: the table needs a power of two of at least twice the cap slots');
    }
    this.slots = slots;
  }

  add(value: string): void {
    this.addHash(hash53(value));
  }

  /** Add a value by its `hash53`. */
  addHash(hash: number): void {
    const slots = this.slots;
    if (slots === undefined) {
      (this.sketch as HyperLogLog).addHash(hash);
      return;
    }
    const key = hash === 0 ? 1 : hash;
    const mask = slots.length - 1;
    // The low bits of the hash pick the slot; the sketch's index uses the high ones.
    let i = (key >>> 0) & mask;
    for (;;) {
      const slot = slots[i] as number;
      if (slot === key) return;
      if (slot === 0) break;
      i = (i + 1) & mask;
    }
    slots[i] = key;
    if (++this.size > this.cap) this.switchToSketch();
  }

  /**
   * What it has seen, in a form that crosses threads (copied, not a view of its table): the
   * hashes while counting exactly, else the sketch's registers.
   */
  state(): DistinctState {
    const slots = this.slots;
    if (slots !== undefined) return { hashes: slots.filter((key) => key !== 0) };
    return { registers: (this.sketch as HyperLogLog).state.slice() };
  }

  /**
   * Count the values another counter of the same cap and sketch size saw as well: the result is
   * the one a single counter given every value would have.
   */
  merge(state: DistinctState): void {
    if (state.hashes !== undefined) {
      for (const hash of state.hashes) this.addHash(hash);
      return;
    }
    if (this.slots !== undefined) this.switchToSketch();
    (this.sketch as HyperLogLog).merge(state.registers);
  }

  result(): { distinct: number; exact: boolean } {
    if (this.sketch === undefined) return { distinct: this.size, exact: true };
    return { distinct: Math.round(this.sketch.estimate()), exact: false };
  }

  private switchToSketch(): void {
    const slots = this.slots as Float64Array;
    const keys = slots.filter((key) => key !== 0);
    const bytes = 2 ** this.sketchBits;
    let registers: Uint8Array | undefined;
    if (slots.byteLength >= bytes) {
      registers = new Uint8Array(slots.buffer, slots.byteOffset, bytes);
      registers.fill(0);
    }
    const sketch = new HyperLogLog(this.sketchBits, registers);
    for (const key of keys) sketch.addHash(key);
    this.sketch = sketch;
    this.slots = undefined;
  }
}

/**
 * A fast non-cryptographic 53-bit hash of a string's UTF-16 code units, as a non-negative
 * integer-valued double: equal strings hash alike, and for 10,000 distinct values the chance
 * that any two collide is about 10^-8. Code units are taken two at a time.
 */
export function hash53(value: string): number {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  const n = value.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ w, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b ^ w, 0x5bd1e995);
    b ^= b >>> 13;
  }
  if (i < n) {
    const w = value.charCodeAt(i);
    a = Math.imul(a ^ w, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b ^ w, 0x5bd1e995);
    b ^= b >>> 13;
  }
  a ^= n;
  // Final avalanche (murmur3's fmix32) on each half, then cross-mix the halves.
  a = fmix32(a);
  b = fmix32(b ^ Math.imul(a, 0xcc9e2d51));
  a = fmix32(a ^ Math.imul(b, 0x1b873593));
  return (a & 0x1fffff) * 4294967296 + (b >>> 0);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
