import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/api.js';
import { Fault, QUOTED_EMPTY, Rfc4180Checker } from '../../../src/core/csv-rfc4180.js';

/** A checker that has found how `text`'s lines end. */
function checkerFor(text: string): Rfc4180Checker {
  const checker = new Rfc4180Checker();
  checker.detectNewline(text, true);
  return checker;
}

/**
 * Check `records`, as a lenient parser read them from the whole of `text`, and return the
 * error the checker names, or undefined if it takes them all.
 */
function errorOf(
  text: string,
  records: string[][],
  options: { parserFault?: Fault; good?: number; record?: number } = {},
): InputError | undefined {
  const checker = checkerFor(text);
  const good = options.good ?? records.length;
  const count = checker.check(text, records, good, options.parserFault ?? Fault.None, text.length, true);
  expect(count).toBeLessThanOrEqual(good);
  return checker.faulty() ? checker.faultError(text, options.record) : undefined;
}

describe('RFC 4180 checker: line ends', () => {
  it.each([
    ['LF', 'a,b\n1,2\n', '\n'],
    ['CRLF', 'a,b\r\n1,2\r\n', '\r\n'],
    ['CR alone', 'a,b\r1,2\r', '\r'],
    ['the first outside quotes', 'a,"x\ny"\r\n1,2\r\n', '\r\n'],
  ])('finds %s from the first line end outside quotes', (_, text, newline) => {
    const checker = new Rfc4180Checker();
    expect(checker.detectNewline(text, false)).toBe(true);
    expect(checker.newline).toBe(newline);
  });

  it('waits for the character after a CR at the end of the text, unless the input has ended', () => {
    const checker = new Rfc4180Checker();
    expect(checker.detectNewline('a,"x\r', false)).toBe(false);
    expect(checker.detectNewline('a,"x\ry"\r', false)).toBe(false);
    expect(checker.detectNewline('a,"x\ry"\r\n', false)).toBe(true);
    expect(checker.newline).toBe('\r\n');

    const ended = new Rfc4180Checker();
    expect(ended.detectNewline('a,b\r', true)).toBe(true);
    expect(ended.newline).toBe('\r');
  });

  it('takes LF for an input with no line end', () => {
    const checker = new Rfc4180Checker();
    expect(checker.detectNewline('a,b', false)).toBe(false);
    expect(checker.detectNewline('a,b', true)).toBe(true);
    expect(checker.newline).toBe('\n');
  });
});

describe('RFC 4180 checker: faults', () => {
  it('takes records written exactly as RFC 4180 writes them', () => {
    const text = 'a,b\n"x, ""y""",2\n"",\n';
    expect(
      errorOf(text, [
        ['a', 'b'],
        ['x, "y"', '2'],
        ['', ''],
      ]),
    ).toBeUndefined();
  });

  it.each([
    [
      'a quote inside an unquoted field',
      'a,b\n1,x"y\n',
      [
        ['a', 'b'],
        ['1', 'x"y'],
      ],
      2,
      /a quote inside an unquoted field/,
    ],
    [
      'a space before an opening quote',
      'a,b\n1, "2"\n',
      [
        ['a', 'b'],
        ['1', ' "2"'],
      ],
      2,
      /a quote inside an unquoted field/,
    ],
    [
      'a quote in the header',
      'a,b"c\n1,2\n',
      [
        ['a', 'b"c'],
        ['1', '2'],
      ],
      1,
      /a quote inside an unquoted field/,
    ],
    [
      'a space after a closing quote',
      'a,b\n1,"2" \n',
      [
        ['a', 'b'],
        ['1', '2 '],
      ],
      2,
      /character U\+0020 after a closing quote/,
    ],
    [
      'a tab after a closing quote',
      'a\n"x"\t\n',
      [['a'], ['x\t']],
      2,
      /character U\+0009 after a closing quote/,
    ],
    [
      'a letter after a closing quote on a later line',
      'a,b\n1,"x\ny"z\n',
      [
        ['a', 'b'],
        ['1', 'x\nyz'],
      ],
      3,
      /'z' after a closing quote, where a comma or a line end must follow/,
    ],
  ])('names %s and its line', (_, text, records, line, message) => {
    const error = errorOf(text, records, { record: 7 });
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'CSV_MALFORMED', line, record: 7 });
    expect(error?.message).toMatch(new RegExp(`^malformed CSV at line ${line}: `));
    expect(error?.message).toMatch(message);
  });

  it('names the line where an unterminated quoted field opens, after a quoted line end', () => {
    const text = 'a,b\n1,"x\ny"\n"open,4\n5,6\n';
    const records = [['a', 'b'], ['1', 'x\ny'], ['open,4\n5,6\n']];
    const error = errorOf(text, records, { parserFault: Fault.Unterminated, good: 2, record: 2 });
    expect(error).toMatchObject({ code: 'CSV_UNTERMINATED_QUOTE', line: 4, record: 2 });
    expect(error?.message).toBe(
      'unterminated quoted field: the record starting at line 4 never closes its quote',
    );
  });

  it('reports a misplaced quote before an unterminated one as the fault', () => {
    const text = 'a,b\n1,x"y,"open\n';
    const error = errorOf(text, [['a', 'b']], { parserFault: Fault.Unterminated, good: 1 });
    expect(error).toMatchObject({ code: 'CSV_MALFORMED', line: 2 });
    expect(error?.message).toMatch(/a quote inside an unquoted field/);
  });

  it('counts lines from the text read before, CRLF and CR alone each ending one', () => {
    const checker = checkerFor('a,b\r\n');
    const first = 'a,b\r\n"x\r\ny",2\r\n';
    expect(
      checker.check(
        first,
        [
          ['a', 'b'],
          ['x\r\ny', '2'],
        ],
        2,
        Fault.None,
        first.length,
        false,
      ),
    ).toBe(2);
    checker.advance(first, checker.end());
    expect(checker.nextLine()).toBe(4);
    const next = '3,"4"!\r\n';
    expect(checker.check(next, [['3', '4!']], 1, Fault.None, next.length, true)).toBe(0);
    expect(checker.faultError(next, 3)).toMatchObject({ code: 'CSV_MALFORMED', line: 4, record: 3 });
  });

  it('leaves a closing quote and half a CRLF at the end of the text to the text that follows', () => {
    const text = 'a\r\n"x"\r';
    const checker = checkerFor('a\r\n');
    // Papa Parse reports the second record as malformed quoting.
    expect(checker.check(text, [['a'], ['x\r']], 1, Fault.Malformed, text.length, false)).toBe(1);
    expect(checker.faulty()).toBe(false);
    expect(checker.end()).toBe(3);
  });

  it('marks a line holding only a quoted empty field as a record, not an empty line', () => {
    const text = 'a\n""\n\n1\n';
    const records = [['a'], [''], [''], ['1']];
    expect(checkerFor(text).check(text, records, 4, Fault.None, text.length, true)).toBe(4);
    expect(records[1]).toBe(QUOTED_EMPTY);
    expect(records[2]).not.toBe(QUOTED_EMPTY);
  });
});

describe('RFC 4180 checker: lines of records', () => {
  it('names a ragged row at the line where it ends', () => {
    const text = 'a,b\n1,"x\ny"\n"3\n4"\n';
    const records = [['a', 'b'], ['1', 'x\ny'], ['3\n4']];
    const error = checkerFor(text).raggedError(text, records, 2, 2, 2);
    expect(error).toMatchObject({ code: 'CSV_RAGGED_ROW', line: 5, record: 2 });
    expect(error.message).toBe('ragged row 2 at line 5: 1 fields where the header has 2');
  });

  it('names the line where a record starts, after empty lines', () => {
    const text = '\r\n\r\n"a\nb",c\r\n';
    const checker = checkerFor(text);
    expect(checker.newline).toBe('\r\n');
    expect(checker.startLine(text, [[''], [''], ['a\nb', 'c']], 2)).toBe(3);
  });
});
