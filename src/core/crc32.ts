/**
 * CRC-32 (gzip's check) of data that is checked away from where it is inflated: a gzipped
 * FASTQ is inflated on one thread and parsed on another, and computing the check takes the
 * inflating thread a tenth of its time (BENCHMARKS.md), so the thread that parses computes it
 * (`crc32Through`) and the inflating one compares it with what the members' trailers say, joined
 * into one value by `crc32Combine`.
 */
import zlib from 'node:zlib';

/** The reversed polynomial of CRC-32 (IEEE 802.3), as zlib uses it. */
const POLYNOMIAL = 0xedb88320;

/** a·b modulo the polynomial, both reflected as CRC-32 holds them (zlib's `multmodp`). */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) {
      product ^= b;
      if ((a & (bit - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLYNOMIAL : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0 … 31 (zlib's `x2n_table`). */
const X_TO_2_TO_THE: number[] = [];
for (let k = 0, power = 0x40000000; k < 32; k++, power = multiplyModP(power, power))
  X_TO_2_TO_THE.push(power);

/** x^(8·bytes) modulo the polynomial: the shift `bytes` more bytes apply to a CRC. */
function shiftOf(bytes: number): number {
  let result = 0x80000000; // x^0
  // bytes·8 = bytes·2^3: start at 2^3 and walk up the bits of `bytes` (which may pass 2^32).
  for (let k = 3, n = bytes; n > 0; k++, n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = multiplyModP(X_TO_2_TO_THE[k & 31] as number, result);
  }
  return result;
}

/**
 * The CRC-32 of A followed by B, from the CRC-32 of A, that of B and B's length in bytes
 * (zlib's `crc32_combine`).
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(shiftOf(lengthB), crcA >>> 0) ^ crcB) >>> 0;
}

/** Whether this Node.js computes CRC-32 (`zlib.crc32`, from 20.15 and 22.2). */
export function hasCrc32(): boolean {
  return typeof (zlib as { crc32?: unknown }).crc32 === 'function';
}

/**
 * Passes `chunks` on unchanged, computing the CRC-32 of all of them; once they have all been
 * read, `done` is given it (and may throw, ending the iteration with its error).
 */
export async function* crc32Through<T extends Uint8Array>(
  chunks: AsyncIterable<T>,
  done: (crc: number) => void,
): AsyncGenerator<T> {
  let crc = 0;
  for await (const chunk of chunks) {
    crc = zlib.crc32(chunk, crc);
    yield chunk;
  }
  done(crc);
}
