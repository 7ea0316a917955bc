import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/api.js';
import type { CsvProfile } from '../../../src/core/report.js';
import { profileCsv } from '../../../src/core/csv.js';
import { RecordSegmenter } from '../../../src/core/csv-segments.js';
import { profileCsvOnTwoThreads, type SegmentOptions } from '../../../src/core/csv-two-threads.js';
import { csvBuffer, Prng } from '../../../local/synthetic-inputs.js';
import { chunked } from './helpers.js';

/** What a profile run gives: the profile, or the error's class, message, code and position. */
async function outcome(run: Promise<unknown>): Promise<unknown> {
  try {
    return { profile: await run };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { error: { message: error.message, code: error.code, line: error.line, record: error.record } };
  }
}

/** The outcome on one thread and on two, cutting the input as `options` say. */
async function bothWays(data: Buffer, options: SegmentOptions, chunkSize: number) {
  const [one, two] = await Promise.all([
    outcome(profileCsv(chunked(data, chunkSize) as AsyncIterable<Buffer>)),
    outcome(profileCsvOnTwoThreads(chunked(data, chunkSize), undefined, options)),
  ]);
  return { one, two };
}

describe('cutting a CSV into segments of whole records', () => {
  const data = Buffer.from(
    'id,note\n1,"a\nb"\n2,"x,""y""\n\nz"\n3,plain\n\n4,"\r\n"\r\n5,""\n6,"""\n"""\n7,last',
  );

  it.each([1, 2, 3, 7, 64])(
    'cuts only after a line feed outside quotes, keeping every byte (chunks of %i bytes)',
    (chunkSize) => {
      for (const minBytes of [1, 5, 20, 1000]) {
        const segmenter = new RecordSegmenter(minBytes);
        const segments: Buffer[] = [];
        for (let at = 0; at < data.length; at += chunkSize) {
          // A copy the segmenter may not keep: it is overwritten after the push.
          const chunk = Buffer.from(data.subarray(at, at + chunkSize));
          segments.push(...segmenter.push(chunk).map((s) => Buffer.from(s)));
          chunk.fill(0);
        }
        segments.push(Buffer.from(segmenter.end()));
        expect(Buffer.concat(segments).toString()).toBe(data.toString());
        // Each segment but the last is at least `minBytes` and ends where a record does.
        let text = '';
        for (const segment of segments.slice(0, -1)) {
          expect(segment.length).toBeGreaterThanOrEqual(minBytes);
          text += segment.toString();
          expect(text.endsWith('\n')).toBe(true);
          expect((text.match(/"/g) ?? []).length % 2).toBe(0);
        }
        if (minBytes === 1) expect(segments.length).toBe(9);
      }
    },
  );
});

describe('a CSV profiled on two threads, half the records each', () => {
  const generated = csvBuffer({ rows: 3_000, seed: 91 });

  it('reads every other segment on the parse thread', async () => {
    const where: string[] = [];
    const onSegment = (index: number, thread: string) => (where[index] = thread);
    const profile = await profileCsvOnTwoThreads(chunked(generated, 4_096), undefined, {
      segmentBytes: 20_000,
      maxSegmentBytes: 1 << 20,
      onSegment,
    });
    expect(profile.rows).toBe(3_000);
    expect(where.length).toBeGreaterThan(4);
    expect(where.slice(0, 4)).toEqual(['here', 'thread', 'here', 'thread']);
  });

  it('gives the profile one thread gives, byte for byte, however it is cut', async () => {
    for (const [segmentBytes, chunkSize] of [
      [1, 4_096],
      [700, 1_000],
      [5_000, 65_536],
      [1 << 20, 1 << 20],
    ] as const) {
      const { one, two } = await bothWays(generated, { segmentBytes, maxSegmentBytes: 1 << 20 }, chunkSize);
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    }
  });

  it('gives the profile one thread gives past the exact cap of distinct values', async () => {
    const large = csvBuffer({ rows: 15_000, seed: 93 });
    const { one, two } = await bothWays(large, { segmentBytes: 40_000, maxSegmentBytes: 1 << 20 }, 65_536);
    const profile = (one as { profile: CsvProfile }).profile;
    expect(profile.columnProfiles.some((column) => !column.distinctExact)).toBe(true);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('fails with the error one thread gives, named at the same line and row, wherever the fault is', async () => {
    const lines = generated.toString().split('\n');
    const prng = new Prng(92);
    const faults: Array<(line: string) => string> = [
      (line) => line.replace(/,[^,]*$/, ''), // ragged: a field short
      (line) => `${line},extra`, // ragged: a field over
      (line) => line.replace(',', ',x"y'), // a quote inside an unquoted field
      (line) => `${line}"`, // a quote at the end of an unquoted field
      (line) => line.replace(/,([^,"]*)$/, ',"$1"z'), // a character after a closing quote
      (line) => line.replace(/,([^,"]*)$/, ',"$1'), // a quote never closed
    ];
    let failures = 0;
    for (let trial = 0; trial < 18; trial++) {
      const at = prng.int(1, lines.length - 2);
      const fault = faults[trial % faults.length] as (line: string) => string;
      // A line inside a quoted field may be faulted too: the fault then lands wherever it lands.
      const broken = Buffer.from(
        [...lines.slice(0, at), fault(lines[at] as string), ...lines.slice(at + 1)].join('\n'),
      );
      const segmentBytes = prng.pick([1, 300, 4_000]);
      const { one, two } = await bothWays(broken, { segmentBytes, maxSegmentBytes: 1 << 20 }, 2_048);
      expect(two, `trial ${trial}: line ${at + 1}, segments of ${segmentBytes} bytes`).toEqual(one);
      if ((one as { error?: unknown }).error !== undefined) failures++;
    }
    expect(failures).toBeGreaterThan(9);
  });

  it.each([
    ['an empty input', ''],
    ['only empty lines', '\n\n\n'],
    ['a header only', 'a,b\n'],
    ['empty lines before the header', '\n\na,b\n1,2\n\n3,4\n'],
    ['a byte-order mark and CRLF line ends', '\ufeffa,b\r\n1,2\r\n3,4\r\n'],
    ['a byte-order mark later on, part of a value', 'a,b\n1,2\n\ufeff3,4\n'],
    ['lines ended by CR alone', 'a,b\r1,2\r3,4\r'],
    ['a header with a quote inside an unquoted field', 'a,b"c\n1,2\n3,4\n'],
    ['a quote never closed, early', 'a,b\n1,"open\n2,3\n4,5\n6,7\n'],
    ['a quote never closed, past a good quoted field', 'a,b\n1,"x\ny"\n\n2,3\n"open,4\n5,6\n7,8\n'],
    ['a ragged row after quoted newlines', 'a,b\n1,"x\ny"\n\n2,3\n4\n5,6\n'],
    ['a quoted empty field alone on its line', 'a\n1\n""\n2\n'],
    ['a CRLF inside a quoted field', 'a,b\r\n1,"x\r\ny"\r\n2,3\r\n'],
    ['a character after a closing quote on a later line', 'a,b\n1,2\n3,"x\ny"z\n4,5\n'],
  ])('agrees with one thread on %s, in every cut', async (_, text) => {
    const data = Buffer.from(text);
    for (const segmentBytes of [1, 6]) {
      for (const maxSegmentBytes of [4, 1 << 20]) {
        const { one, two } = await bothWays(data, { segmentBytes, maxSegmentBytes }, 3);
        expect(two, `segments of ${segmentBytes}, at most ${maxSegmentBytes}`).toEqual(one);
      }
    }
  });

  it('reads the rest of the input on this thread once a segment grows past its bound', async () => {
    // A quote never closed leaves no line end to cut at: the profile still fails as one thread's does.
    const rest = `9,"never closed\n${'1,2,3,4,5,6,7,8\n'.repeat(2_000)}`;
    const data = Buffer.concat([generated, Buffer.from(generated.at(-1) === 10 ? rest : `\n${rest}`)]);
    const { one, two } = await bothWays(data, { segmentBytes: 500, maxSegmentBytes: 2_000 }, 1_024);
    expect((one as { error: { code: string } }).error.code).toBe('CSV_UNTERMINATED_QUOTE');
    expect(two).toEqual(one);
  });
});
