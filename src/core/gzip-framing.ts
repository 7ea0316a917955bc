/**
 * Gzip's framing around deflate data (RFC 1952), read as it streams in: each member's header
 * (`GzipHeaderReader`) and trailer (`GzipTrailerReader`), for inflate-sync.ts, which inflates the
 * deflate data between them raw. Faults fail as zlib's own gunzip fails them, with its messages
 * and codes, so that a caller cannot tell the two apart.
 */
import zlib from 'node:zlib';

const ID1 = 0x1f;
const ID2 = 0x8b;
const DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED = 0xe0;

/** An error as zlib raises it (`code` Z_…), which openInput reports as a corrupt input. */
export function zlibError(message: string, code: 'Z_DATA_ERROR' | 'Z_BUF_ERROR'): Error {
  return Object.assign(new Error(message), { code, errno: code === 'Z_DATA_ERROR' ? -3 : -5 });
}

/** The error zlib gives an input that ends inside a member. */
export const truncated = (): Error => zlibError('unexpected end of file', 'Z_BUF_ERROR');

/** Collects a fixed number of bytes that may arrive split across chunks. */
class Field {
  readonly bytes: Uint8Array;
  private have = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  get complete(): boolean {
    return this.have === this.bytes.length;
  }

  /** Takes what it still needs from `chunk` at `offset`; returns the offset after it. */
  fill(chunk: Uint8Array, offset: number): number {
    const taken = Math.min(this.bytes.length - this.have, chunk.length - offset);
    this.bytes.set(chunk.subarray(offset, offset + taken), this.have);
    this.have += taken;
    return offset + taken;
  }
}

const enum Step {
  Fixed,
  ExtraLength,
  Extra,
  Name,
  Comment,
  HeaderCrc,
  Done,
}

/**
 * One member's header: the fixed ten bytes, then the optional extra field, name, comment and
 * header CRC its flags announce. Memory stays fixed whatever their length.
 */
export class GzipHeaderReader {
  private step = Step.Fixed;
  private readonly fixed = new Field(10);
  private readonly extraLength = new Field(2);
  private readonly headerCrc = new Field(2);
  private flags = 0;
  private extraLeft = 0;
  /** CRC-32 of the header bytes read so far, for FHCRC. */
  private crc = 0;

  get done(): boolean {
    return this.step === Step.Done;
  }

  /** Reads header bytes from `chunk` at `offset`; returns the offset after them. */
  read(chunk: Uint8Array, offset: number): number {
    while (offset < chunk.length && this.step !== Step.Done) {
      // Each call reads the bytes of one step, which the header CRC covers but for its own field.
      const step = this.step;
      const start = offset;
      offset = this.readStep(chunk, offset);
      if (step !== Step.HeaderCrc && offset > start) {
        this.crc = zlib.crc32(chunk.subarray(start, offset), this.crc);
      }
    }
    return offset;
  }

  private readStep(chunk: Uint8Array, offset: number): number {
    switch (this.step) {
      case Step.Fixed: {
        offset = this.fixed.fill(chunk, offset);
        if (!this.fixed.complete) return offset;
        const [id1, id2, method, flags] = this.fixed.bytes;
        if (id1 !== ID1 || id2 !== ID2) throw zlibError('incorrect header check', 'Z_DATA_ERROR');
        if (method !== DEFLATE) throw zlibError('unknown compression method', 'Z_DATA_ERROR');
        if (((flags as number) & RESERVED) !== 0) throw zlibError('unknown header flags set', 'Z_DATA_ERROR');
        this.flags = flags as number;
        this.step = Step.ExtraLength;
        return offset;
      }
      case Step.ExtraLength: {
        if ((this.flags & FEXTRA) === 0) return this.next(Step.Name, offset);
        offset = this.extraLength.fill(chunk, offset);
        if (!this.extraLength.complete) return offset;
        const [low, high] = this.extraLength.bytes;
        this.extraLeft = (low as number) | ((high as number) << 8);
        return this.next(Step.Extra, offset);
      }
      case Step.Extra: {
        const taken = Math.min(this.extraLeft, chunk.length - offset);
        this.extraLeft -= taken;
        return this.extraLeft === 0 ? this.next(Step.Name, offset + taken) : offset + taken;
      }
      case Step.Name:
      case Step.Comment: {
        const flag = this.step === Step.Name ? FNAME : FCOMMENT;
        const after = this.step === Step.Name ? Step.Comment : Step.HeaderCrc;
        if ((this.flags & flag) === 0) return this.next(after, offset);
        const end = chunk.indexOf(0, offset);
        return end === -1 ? chunk.length : this.next(after, end + 1);
      }
      case Step.HeaderCrc: {
        if ((this.flags & FHCRC) === 0) return this.next(Step.Done, offset);
        offset = this.headerCrc.fill(chunk, offset);
        if (!this.headerCrc.complete) return offset;
        const [low, high] = this.headerCrc.bytes;
        if (((low as number) | ((high as number) << 8)) !== (this.crc & 0xffff)) {
          throw zlibError('header crc mismatch', 'Z_DATA_ERROR');
        }
        return this.next(Step.Done, offset);
      }
      default:
        return offset;
    }
  }

  private next(step: Step, offset: number): number {
    this.step = step;
    return offset;
  }
}

/** One member's trailer: the CRC-32 of its data and their length, modulo 2^32. */
export class GzipTrailerReader {
  private readonly field = new Field(8);

  get done(): boolean {
    return this.field.complete;
  }

  /** Reads trailer bytes from `chunk` at `offset`; returns the offset after them. */
  read(chunk: Uint8Array, offset: number): number {
    return this.field.fill(chunk, offset);
  }

  get crc32(): number {
    return new DataView(this.field.bytes.buffer).getUint32(0, true);
  }

  get length(): number {
    return new DataView(this.field.bytes.buffer).getUint32(4, true);
  }
}
