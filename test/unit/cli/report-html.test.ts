import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { duration, renderReportHtml, SORT_SCRIPT } from '../../../src/cli/report-html.js';
import type { JobReport } from '../../../src/core/index.js';
import type { ResultDocument } from '../../../src/runtime/job.js';
import { resultDocument } from '../../support/result-documents.js';
import { runOn } from '../core/helpers.js';

const fastq = async (key: string, reads: number, job: Partial<ResultDocument['job']> = {}) =>
  resultDocument(await runOn('@r\nACGTN\n+\nII#II\n'.repeat(reads), 'x.fq'), key, job);
const csv = async (key: string) => resultDocument(await runOn('a,b\n1,x\n2,y\n3,z\n', 'x.csv'), key);

const render = (documents: ResultDocument<JobReport>[]) =>
  renderReportHtml(documents, { title: 'Run <1> & "2"', generatedAt: new Date('2025-01-02T03:04:05Z') });

/** The rows of each table, as lists of cell texts. */
function tables(html: string): string[][][] {
  return [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((body) =>
    [...(body[1] as string).matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] as string).matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1] as string),
    ),
  );
}

const headers = (html: string) => [...html.matchAll(/<th[^>]*><button[^>]*>([^<]*)</g)].map((m) => m[1]);

describe('HTML report', () => {
  it('has a row per document, FASTQ and CSV in tables of their own', async () => {
    const html = render([
      await fastq('incoming/run1/S1.fq', 3),
      await csv('incoming/t.csv'),
      await fastq('incoming/run2/S1.fq', 5),
    ]);
    const [fastqRows, csvRows] = tables(html);
    expect(fastqRows?.map((row) => row.slice(0, 3))).toEqual([
      ['run1/S1.fq', '3', '15'],
      ['run2/S1.fq', '5', '25'],
    ]);
    expect(csvRows).toEqual([['t.csv', '3', '2', 'lambda', '1.3 s']]);
    expect(headers(html)).toEqual([
      ...['Key', 'Reads', 'Bases', 'Min length', 'Mean length', 'Max length', 'N50'],
      ...['Q20 %', 'Q30 %', 'GC %', 'Route', 'Duration'],
      ...['Key', 'Rows', 'Columns', 'Route', 'Duration'],
    ]);
  });

  it('gives numeric cells their raw value to sort by', async () => {
    const html = render([await fastq('incoming/a.fq', 1_200, { durationMs: 84_000 })]);
    expect(html).toContain('<td data-sort="1200">1,200</td>');
    expect(html).toContain('<td data-sort="84000">1 min 24 s</td>');
    expect(html).toContain('<td data-sort="80">80.00</td>'); // Q20: four of five bases
  });

  it('escapes every string from the data, and keeps non-ASCII as it is', async () => {
    const key = `incoming/<script>alert("x")</script> & 'é'.fq`;
    const html = render([await fastq(key, 1), await csv('incoming/<img src=x>.csv')]);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;é&#39;.fq');
    expect(html).toContain('<title>Run &lt;1&gt; &amp; &quot;2&quot;</title>');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('carries a sorting script that parses, and headers to click', async () => {
    const html = render([await fastq('incoming/a.fq', 1)]);
    expect(html).toContain(`<script>${SORT_SCRIPT}</script>`);
    expect(() => new Script(SORT_SCRIPT)).not.toThrow();
    expect(html).toContain('<table class="sortable">');
    expect(html).toContain('<th data-type="number"><button type="button">Reads</button></th>');
  });

  it('loads nothing from elsewhere', async () => {
    const html = render([await fastq('incoming/a.fq', 2), await csv('incoming/b.csv')]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link|<img|\ssrc=|@import|url\(/);
  });

  it('plots reads, Q30 and read length for FASTQ results', async () => {
    const html = render([await fastq('incoming/a.fq', 2), await fastq('incoming/b.fq', 4)]);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(html.match(/<line class="range"/g)).toHaveLength(2);
  });

  it('shows FASTQ results alone without a CSV section', async () => {
    const html = render([await fastq('incoming/a.fq', 2)]);
    expect(html).toContain('<h2>FASTQ</h2>');
    expect(html).not.toContain('<h2>CSV</h2>');
    expect(tables(html)).toHaveLength(1);
  });

  it('shows CSV results alone without charts or a FASTQ section', async () => {
    const html = render([await csv('incoming/a.csv')]);
    expect(html).toContain('<h2>CSV</h2>');
    expect(html).not.toContain('<h2>FASTQ</h2>');
    expect(html).not.toContain('<svg');
    expect(tables(html)).toHaveLength(1);
  });

  it('says so when there is no result', () => {
    const html = render([]);
    expect(html).toContain('No results.');
    expect(html).toContain('from 0 results');
    expect(html).not.toContain('<table');
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('prints when it was made', async () => {
    expect(render([])).toContain('Generated 2025-01-02T03:04:05.000Z');
  });
});

describe('durations', () => {
  it('reads in ms, seconds, or minutes and seconds', () => {
    expect([duration(850), duration(12_340), duration(125_000)]).toEqual(['850 ms', '12.3 s', '2 min 05 s']);
  });
});
