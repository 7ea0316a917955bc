/**
 * The report's sorting script, run against the page's own first table in a minimal stand-in for
 * the browser's DOM (only what the script touches), since there is no browser in the tests.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { renderReportHtml, SORT_SCRIPT } from '../../../src/cli/report-html.js';
import { resultDocument } from '../../support/result-documents.js';
import { runOn } from '../core/helpers.js';

class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly listeners: (() => void)[] = [];
  constructor(
    readonly dataset: Record<string, string>,
    readonly textContent = '',
  ) {}
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  removeAttribute(name: string) {
    this.attributes.delete(name);
  }
}

/** The first table of `html` as the script sees it, and its buttons. */
function fakePage(html: string) {
  const table = /<table class="sortable">([\s\S]*?)<\/table>/.exec(html)?.[1] as string;
  const data = (attributes: string) =>
    Object.fromEntries([...attributes.matchAll(/data-(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const headers = [...table.matchAll(/<th([^>]*)><button[^>]*>([^<]*)</g)].map(
    (m, cellIndex) =>
      Object.assign(new FakeElement(data(m[1] as string), m[2]), { cellIndex }) as FakeElement & {
        cellIndex: number;
      },
  );
  const body = {
    rows: [...table.matchAll(/<tr>(<td[\s\S]*?)<\/tr>/g)].map((row) => ({
      cells: [...(row[1] as string).matchAll(/<td([^>]*)>([^<]*)<\/td>/g)].map(
        (c) => new FakeElement(data(c[1] as string), c[2]),
      ),
    })),
    append(...rows: unknown[]) {
      this.rows = rows as typeof this.rows;
    },
  };
  const fakeTable = { tHead: { rows: [{ cells: headers }] }, tBodies: [body] };
  const buttons = headers.map((th) => Object.assign(new FakeElement({}), { parentElement: th }));
  for (const th of headers) Object.assign(th, { closest: () => fakeTable });
  for (const button of buttons)
    Object.assign(button, { addEventListener: (_: string, f: () => void) => button.listeners.push(f) });
  runInNewContext(SORT_SCRIPT, { document: { querySelectorAll: () => buttons } });
  const click = (name: string) =>
    buttons[headers.findIndex((th) => th.textContent === name)]?.listeners.forEach((f) => f());
  const column = (name: string) =>
    body.rows.map((row) => row.cells[headers.findIndex((th) => th.textContent === name)]?.textContent);
  return { click, column, headers };
}

describe('sorting the report', async () => {
  const fastq = async (key: string, reads: number) =>
    resultDocument(await runOn('@r\nACGT\n+\nIIII\n'.repeat(reads), 'x.fq'), key);
  // In neither order, and in an order where text sorting would put 100 before 9.
  const html = renderReportHtml([
    await fastq('incoming/b.fq', 100),
    await fastq('incoming/a.fq', 9),
    await fastq('incoming/c.fq', 10),
  ]);

  it('sorts numbers as numbers, ascending then descending', () => {
    const page = fakePage(html);
    page.click('Reads');
    expect(page.column('Reads')).toEqual(['9', '10', '100']);
    page.click('Reads');
    expect(page.column('Reads')).toEqual(['100', '10', '9']);
    expect(page.headers.find((th) => th.textContent === 'Reads')?.getAttribute('aria-sort')).toBe(
      'descending',
    );
  });

  it('sorts text as text, and marks only the column sorted by', () => {
    const page = fakePage(html);
    page.click('Reads');
    page.click('Key');
    expect(page.column('Key')).toEqual(['a.fq', 'b.fq', 'c.fq']);
    expect(
      page.headers.filter((th) => th.getAttribute('aria-sort') !== null).map((th) => th.textContent),
    ).toEqual(['Key']);
  });
});
