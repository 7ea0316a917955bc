import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/api.js';
import { MAX_COLUMNS } from '../../../src/core/csv-limits.js';
import { QUOTED_EMPTY, Rfc4180Checker } from '../../../src/core/csv-rfc4180.js';
import { TableProfiler } from '../../../src/core/csv-table.js';

/** A profiler, and a checker that knows `text`'s line ends. */
function profilerFor(text: string): TableProfiler {
  const checker = new Rfc4180Checker();
  checker.detectNewline(text, true);
  const table = new TableProfiler();
  table.readWith(checker, 0);
  return table;
}

describe('CSV table profiler', () => {
  it('takes the first record that is not an empty line for the header, and counts rows after it', () => {
    const text = '\na,b\n1,x\n""\n';
    const records = [[''], ['a', 'b'], ['1', 'x'], QUOTED_EMPTY];
    const table = profilerFor(text);
    expect(table.nextRecord()).toBeUndefined();
    table.take(records, 3, text);
    expect(table.nextRecord()).toBe(2);
    // A quoted empty field alone on its line is a record: here a row of the wrong width.
    expect(() => profilerFor(text).take(records, 4, text)).toThrowError(
      'ragged row 2 at line 4: 1 fields where the header has 2',
    );
  });

  it('profiles the rows taken in several batches', () => {
    const table = profilerFor('a,b\n');
    table.take(
      [
        ['a', 'b'],
        ['1', 'x'],
      ],
      2,
      'a,b\n1,x\n',
    );
    table.take([[''], ['2', 'y'], ['ignored', 'past count']], 2, '\n2,y\n');
    const profile = table.profile();
    expect(profile).toMatchObject({ rows: 2, columns: 2, header: ['a', 'b'] });
    expect(profile.columnProfiles[0]).toMatchObject({ name: 'a', type: 'integer', min: 1, max: 2 });
  });

  it('fails a header with too many columns at its line', () => {
    const text = '\n\nwide\n';
    const header = Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => `c${i}`);
    const table = profilerFor(text);
    expect(() => table.take([[''], [''], header], 3, text)).toThrowError(
      new RegExp(`header at line 3 has ${MAX_COLUMNS + 1} fields`),
    );
  });

  it('fails an input without a header as empty', () => {
    const table = profilerFor('\n');
    table.take([['']], 1, '\n');
    expect(() => table.profile()).toThrowError(InputError);
    expect(() => table.profile()).toThrowError(/empty input/);
  });
});
