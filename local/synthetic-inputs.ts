/**
 * Deterministic synthetic inputs for tests and benchmarks.
 *
 * Every function is driven by a seeded PRNG, so the same options always produce the same bytes
 * (and therefore the same JobReport). Writers stream to disk in ~1 MiB pieces, so files of many
 * GiB can be produced in constant memory.
 *
 * ```ts
 * await writeFastq('/tmp/x.fq.gz', { reads: 10_000, minLen: 50, maxLen: 300, seed: 7, gzip: true });
 * await writeFastq('/tmp/big.fq', { bytes: 1 << 30, seed: 1 });   // ~1 GiB
 * await writeCsv('/tmp/x.csv', { rows: 5_000, seed: 3 });
 * ```
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/** A small, fast, seeded PRNG (sfc32, seeded through splitmix32). Not for cryptography. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed = 1) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }
}

// ---------------------------------------------------------------------------------------------
// FASTQ
// ---------------------------------------------------------------------------------------------

export interface FastqOptions {
  /** Number of reads. Give this or `bytes`. */
  reads?: number;
  /** Stop after the first record that brings the output to at least this many bytes. */
  bytes?: number;
  /** Shortest read. @default 100 */
  minLen?: number;
  /** Longest read. @default 150 */
  maxLen?: number;
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Fraction of bases that are `N`. @default 0.001 */
  nRate?: number;
  /** Write bases in lowercase. @default false */
  lowercase?: boolean;
  /** End lines with CRLF instead of LF. @default false */
  crlf?: boolean;
  /** Repeat the read name on the `+` line. @default false */
  repeatHeader?: boolean;
}

export interface WriteOptions {
  /** Gzip the output. @default false */
  gzip?: boolean;
  /**
   * With `gzip`, start a new gzip member after about this many uncompressed bytes, so the file
   * is a concatenation of several gzip streams (as `cat a.gz b.gz` or bgzip produce).
   * @default - one member
   */
  gzipMemberBytes?: number;
}

export interface WrittenFile {
  path: string;
  /** Bytes on disk (compressed size for gzip). */
  bytes: number;
  /** Uncompressed bytes. */
  uncompressedBytes: number;
  /** Records written (reads for FASTQ, data rows for CSV). */
  records: number;
}

// Quality characters drawn with a skew towards high scores, like a modern short-read run:
// one random byte picks an entry of this 256-entry table.
const QUALITY_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let q: number;
    if (i < 8)
      q = 2 + i; // Q2..Q9
    else if (i < 40)
      q = 10 + ((i - 8) >> 1); // Q10..Q25
    else if (i < 100)
      q = 26 + ((i - 40) % 10); // Q26..Q35
    else q = 36 + ((i - 100) % 6); // Q36..Q41
    table[i] = 33 + q;
  }
  return table;
})();

const UPPER = [65, 67, 71, 84]; // A C G T
const LOWER = [97, 99, 103, 116];

/**
 * Synthetic FASTQ as Buffers of whole records (~64 KiB each), deterministic for a seed.
 * Reads are named `@r<n>`; lengths are uniform in [minLen, maxLen].
 */
function* fastqChunks(options: FastqOptions): Generator<Buffer> {
  for (const piece of fastqPieces(options)) yield piece.chunk;
}

function* fastqPieces(options: FastqOptions): Generator<{ chunk: Buffer; records: number }> {
  const { minLen = 100, maxLen = 150, seed = 1, nRate = 0.001, lowercase = false, crlf = false } = options;
  if (options.reads === undefined && options.bytes === undefined) throw new Error('give reads or bytes');
  if (minLen < 0 || maxLen < minLen) throw new Error(`bad length range ${minLen}..${maxLen}`);
  const prng = new Prng(seed);
  const bases = lowercase ? LOWER : UPPER;
  const nByte = lowercase ? 110 : 78; // n / N
  const nThreshold = Math.floor(nRate * 4294967296);
  const eol = Buffer.from(crlf ? '\r\n' : '\n');
  const maxReads = options.reads ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.bytes ?? Number.POSITIVE_INFINITY;
  let written = 0;
  let n = 0;
  let chunk = Buffer.allocUnsafe(65536);
  let at = 0;
  let inChunk = 0;
  while (n < maxReads && written < maxBytes) {
    const len = minLen === maxLen ? minLen : prng.int(minLen, maxLen);
    const name = `r${n + 1}`;
    const need = 2 * name.length + 2 * len + 4 * eol.length + 2;
    if (at + need > chunk.length) {
      if (at > 0) yield { chunk: chunk.subarray(0, at), records: inChunk };
      chunk = Buffer.allocUnsafe(Math.max(65536, need));
      at = 0;
      inChunk = 0;
    }
    const start = at;
    chunk[at++] = 64; // '@'
    at += chunk.write(name, at, 'latin1');
    at += eol.copy(chunk, at);
    for (let i = 0; i < len; i++) {
      const r = prng.u32();
      chunk[at++] = r < nThreshold ? nByte : (bases[r & 3] as number);
    }
    at += eol.copy(chunk, at);
    chunk[at++] = 43; // '+'
    if (options.repeatHeader) at += chunk.write(name, at, 'latin1');
    at += eol.copy(chunk, at);
    for (let i = 0; i < len; i += 4) {
      let r = prng.u32();
      const end = Math.min(len, i + 4);
      for (let j = i; j < end; j++) {
        chunk[at++] = QUALITY_TABLE[r & 255] as number;
        r >>>= 8;
      }
    }
    at += eol.copy(chunk, at);
    written += at - start;
    n++;
    inChunk++;
  }
  if (at > 0) yield { chunk: chunk.subarray(0, at), records: inChunk };
}

/** Synthetic FASTQ as one Buffer; for small inputs in unit tests. */
export function fastqBuffer(options: FastqOptions): Buffer {
  return Buffer.concat([...fastqChunks(options)]);
}

/** Synthetic FASTQ records as `{ name, seq, qual }` strings; for small inputs in unit tests. */
export function fastqRecords(options: FastqOptions): { name: string; seq: string; qual: string }[] {
  const text = fastqBuffer({ ...options, crlf: false }).toString('latin1');
  const lines = text.split('\n');
  const records: { name: string; seq: string; qual: string }[] = [];
  for (let i = 0; i + 3 < lines.length; i += 4) {
    records.push({
      name: (lines[i] as string).slice(1),
      seq: lines[i + 1] as string,
      qual: lines[i + 3] as string,
    });
  }
  return records;
}

/** Write synthetic FASTQ to `path` (gzip with `gzip: true`). */
export async function writeFastq(path: string, options: FastqOptions & WriteOptions): Promise<WrittenFile> {
  let records = 0;
  const chunks = function* (): Generator<Buffer> {
    for (const piece of fastqPieces(options)) {
      records += piece.records;
      yield piece.chunk;
    }
  };
  const sizes = await writeChunks(path, chunks(), options);
  return { path, ...sizes, records };
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

export interface CsvOptions {
  /** Number of data rows (the header is extra). Give this or `bytes`. */
  rows?: number;
  /** Stop after the first row that brings the output to at least this many bytes. */
  bytes?: number;
  /** PRNG seed. @default 1 */
  seed?: number;
  /** End lines with CRLF instead of LF. @default false */
  crlf?: boolean;
}

/** Columns of the synthetic CSV, with the type the profiler should infer for each. */
export const CSV_COLUMNS = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'score', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'created', type: 'date' },
  { name: 'category', type: 'string' },
  { name: 'count', type: 'integer' },
  { name: 'note', type: 'string' },
] as const;

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
const NOTES = ['ok', 'needs review', 'see "appendix", part 2', 'multi\nline note', 'a, b, c', ''];

/**
 * Synthetic CSV rows (header first), deterministic for a seed. About 2% of `score` values are
 * `NA` and about 5% of `count` values are empty; `note` exercises quoting (commas, quotes,
 * embedded newlines).
 */
export function* csvRows(options: CsvOptions): Generator<string[]> {
  const { seed = 1 } = options;
  if (options.rows === undefined && options.bytes === undefined) throw new Error('give rows or bytes');
  const prng = new Prng(seed);
  yield CSV_COLUMNS.map((c) => c.name);
  const maxRows = options.rows ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.bytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  const day0 = Date.UTC(2020, 0, 1);
  for (let i = 1; i <= maxRows && bytes < maxBytes; i++) {
    const score = prng.float() < 0.02 ? 'NA' : (prng.float() * 200 - 50).toFixed(3);
    const count = prng.float() < 0.05 ? '' : String(prng.int(0, 1_000_000));
    const row = [
      String(i),
      `${prng.pick(FIRST)} ${prng.pick(LAST)}`,
      score,
      prng.float() < 0.5 ? 'true' : 'false',
      new Date(day0 + prng.int(0, 2000) * 86_400_000).toISOString().slice(0, 10),
      prng.pick(CATEGORIES),
      count,
      prng.pick(NOTES),
    ];
    bytes += row.reduce((sum, field) => sum + field.length + 1, 0);
    yield row;
  }
}

/** Quote a CSV field when RFC 4180 requires it. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function* csvPieces(options: CsvOptions): Generator<{ chunk: Buffer; rows: number }> {
  const eol = options.crlf ? '\r\n' : '\n';
  let parts: string[] = [];
  let size = 0;
  let rows = 0;
  for (const row of csvRows(options)) {
    const line = row.map(csvField).join(',') + eol;
    parts.push(line);
    size += line.length;
    rows++;
    if (size >= 1 << 20) {
      yield { chunk: Buffer.from(parts.join(''), 'utf8'), rows };
      parts = [];
      size = 0;
      rows = 0;
    }
  }
  if (parts.length > 0) yield { chunk: Buffer.from(parts.join(''), 'utf8'), rows };
}

/** Synthetic CSV as one Buffer; for small inputs in unit tests. */
export function csvBuffer(options: CsvOptions): Buffer {
  return Buffer.concat([...csvPieces(options)].map((p) => p.chunk));
}

/** Write synthetic CSV to `path` (gzip with `gzip: true`). `records` is the number of data rows. */
export async function writeCsv(path: string, options: CsvOptions & WriteOptions): Promise<WrittenFile> {
  let records = -1; // the header is not a data row
  const chunks = function* (): Generator<Buffer> {
    for (const piece of csvPieces(options)) {
      records += piece.rows;
      yield piece.chunk;
    }
  };
  const sizes = await writeChunks(path, chunks(), options);
  return { path, ...sizes, records: Math.max(0, records) };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

async function writeChunks(
  path: string,
  chunks: Iterable<Buffer>,
  options: WriteOptions,
): Promise<{ bytes: number; uncompressedBytes: number }> {
  let bytes = 0;
  let uncompressedBytes = 0;
  const counted = function* (): Generator<Buffer> {
    for (const chunk of chunks) {
      uncompressedBytes += chunk.length;
      yield chunk;
    }
  };
  const count = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  const out = createWriteStream(path);
  if (!options.gzip) {
    await pipeline(Readable.from(counted()), count, out);
  } else if (options.gzipMemberBytes === undefined) {
    await pipeline(Readable.from(counted()), createGzip(), count, out);
  } else {
    const memberBytes = options.gzipMemberBytes;
    const members = function* (): Generator<Buffer> {
      let pending: Buffer[] = [];
      let size = 0;
      for (const chunk of counted()) {
        pending.push(chunk);
        size += chunk.length;
        if (size >= memberBytes) {
          yield gzipSync(Buffer.concat(pending));
          pending = [];
          size = 0;
        }
      }
      if (pending.length > 0) yield gzipSync(Buffer.concat(pending));
    };
    await pipeline(Readable.from(members()), count, out);
  }
  return { bytes, uncompressedBytes };
}
