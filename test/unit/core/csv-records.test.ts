import { describe, expect, it } from 'vitest';
import { MAX_HEADER_CHARS, MAX_RECORD_CHARS } from '../../../src/core/csv-limits.js';
import { CsvRecordReader, type RecordSink } from '../../../src/core/csv-records.js';
import { QUOTED_EMPTY, Rfc4180Checker } from '../../../src/core/csv-rfc4180.js';
import { expectInputError } from './helpers.js';

/**
 * Keeps the records handed over, as a table takes them: an empty line is not a record, and the
 * first record is the header.
 */
class Collected implements RecordSink {
  readonly records: string[][] = [];
  emptyLines = 0;

  take(records: string[][], count: number): void {
    for (let r = 0; r < count; r++) {
      const record = records[r] as string[];
      if (record.length === 1 && record[0] === '' && record !== QUOTED_EMPTY) this.emptyLines++;
      else this.records.push(record);
    }
  }

  nextRecord(): number | undefined {
    return this.records.length === 0 ? undefined : this.records.length;
  }
}

function newReader(): { reader: CsvRecordReader; sink: Collected } {
  const sink = new Collected();
  return { reader: new CsvRecordReader(new Rfc4180Checker(), sink), sink };
}

/** The records read from `bytes` pushed in pieces of `size` bytes. */
function recordsOf(bytes: Buffer, size: number): string[][] {
  const { reader, sink } = newReader();
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  reader.finish();
  return sink.records;
}

describe('CSV record reader', () => {
  it('reads the same records whatever the chunk boundaries', () => {
    const text = '\uFEFFname,note\r\n"Zoë","line one\r\nline ""two"""\r\n\r\n€,"a, b"\r\n😀,\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const expected = [
      ['name', 'note'],
      ['Zoë', 'line one\r\nline "two"'],
      ['€', 'a, b'],
      ['😀', ''],
    ];
    for (const size of [1, 2, 3, 5, 7, 11, bytes.length]) {
      expect(recordsOf(bytes, size), `pieces of ${size} bytes`).toEqual(expected);
    }
  });

  it('hands over a record only once it is complete', () => {
    const { reader, sink } = newReader();
    reader.push(Buffer.from('a,b\n1,"x\n'));
    expect(sink.records).toEqual([['a', 'b']]);
    reader.push(Buffer.from('y",2\n3,4'));
    expect(sink.records).toEqual([
      ['a', 'b'],
      ['1', 'x\ny', '2'],
    ]);
    reader.finish();
    expect(sink.records.at(-1)).toEqual(['3', '4']);
  });

  it('tells an empty line from a line holding only a quoted empty field', () => {
    const { reader, sink } = newReader();
    reader.push(Buffer.from('a\n""\n\n1\n'));
    expect(sink.records).toEqual([['a'], [''], ['1']]);
    expect(sink.records[1]).toBe(QUOTED_EMPTY);
    expect(sink.emptyLines).toBe(1);
  });

  it('reads lines ended by CR alone, and an input without a line end', () => {
    expect(recordsOf(Buffer.from('a,b\r1,"x\ry"\r'), 1)).toEqual([
      ['a', 'b'],
      ['1', 'x\ry'],
    ]);
    expect(recordsOf(Buffer.from('a,b'), 1)).toEqual([['a', 'b']]);
  });

  it('reads a CRLF that falls between chunks right after a closing quote', () => {
    expect(recordsOf(Buffer.from('a\r\n"x"\r\n"y"\r\n'), 6)).toEqual([['a'], ['x'], ['y']]);
  });

  it('fails a fault after the records before it are handed over, naming its line and row', async () => {
    const { reader, sink } = newReader();
    const text = 'a,b\n1,"x\ny"\n3,x"y\n';
    const fail = async () => {
      for (const byte of Buffer.from(text)) reader.push(Buffer.from([byte]));
      reader.finish();
    };
    await expectInputError(fail(), { code: 'CSV_MALFORMED', line: 4, record: 2 });
    expect(sink.records).toEqual([
      ['a', 'b'],
      ['1', 'x\ny'],
    ]);
  });
});

describe('CSV record reader limits', () => {
  it(`fails a header longer than ${MAX_HEADER_CHARS} characters before it ends, at its line`, async () => {
    const { reader } = newReader();
    const fail = async () => {
      reader.push(Buffer.from('\n\n'));
      reader.push(Buffer.from(`a,${'h'.repeat(MAX_HEADER_CHARS)}`));
    };
    await expectInputError(fail(), { code: 'CSV_HEADER_TOO_LONG', line: 3 });
  });

  it(`fails a row longer than ${MAX_RECORD_CHARS} characters before it ends, naming its row`, async () => {
    const { reader } = newReader();
    const fail = async () => {
      reader.push(Buffer.from('a,b\n1,2\n3,"'));
      reader.push(Buffer.alloc(MAX_RECORD_CHARS, 'x'));
    };
    await expectInputError(fail(), { code: 'CSV_RECORD_TOO_LONG', line: 3, record: 2 });
  });
});
