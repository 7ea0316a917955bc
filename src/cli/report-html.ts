/**
 * A summary of result documents as one HTML file that reads offline: inline CSS, inline SVG
 * charts and a few lines of script to sort the tables, nothing loaded from anywhere. Every string
 * taken from a document goes through escapeHtml: object keys may hold any character.
 */
import { INCOMING_PREFIX } from '../../contract/names.js';
import type { JobReport } from '../core/index.js';
import type { ResultDocument } from '../runtime/job.js';
import { escapeHtml } from './html.js';
import {
  isCsvResult,
  isFastqResult,
  uploadPath,
  type CsvResult,
  type FastqResult,
} from './result-documents.js';
import { barChart, rangeChart } from './svg-charts.js';

export interface ReportHtmlOptions {
  /** @default 'Pipeline results' */
  title?: string;
  /** Printed under the title. @default - now */
  generatedAt?: Date;
}

export function renderReportHtml(
  documents: readonly ResultDocument<JobReport>[],
  options: ReportHtmlOptions = {},
): string {
  const title = options.title ?? 'Pipeline results';
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const fastq = documents.filter(isFastqResult);
  const csv = documents.filter(isCsvResult);
  const sections = [
    fastq.length > 0 ? fastqSection(fastq) : '',
    csv.length > 0 ? csvSection(csv) : '',
    documents.length === 0 ? '<p class="empty">No results.</p>' : '',
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${escapeHtml(generatedAt)} from ${count(documents.length, 'result')}: ${count(fastq.length, 'FASTQ file')}, ${count(csv.length, 'CSV file')}. Keys are shown without <code>${escapeHtml(INCOMING_PREFIX)}</code>. Click a column's name to sort by it.</p>
${sections.join('')}<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}

/** A column of a results table: how to print a document's cell, and its value for sorting. */
interface Column<D> {
  name: string;
  text: (document: D) => string;
  /** Numeric columns sort by this value; the others by their text. */
  sort?: (document: D) => number;
}

const keyColumn = { name: 'Key', text: (d: ResultDocument) => uploadPath(d.job.key) };
const routeColumn = { name: 'Route', text: (d: ResultDocument) => d.job.route };
const durationColumn = {
  name: 'Duration',
  text: (d: ResultDocument) => duration(d.job.durationMs),
  sort: (d: ResultDocument) => d.job.durationMs,
};

const FASTQ_COLUMNS: Column<FastqResult>[] = [
  keyColumn,
  numeric('Reads', (s) => s.reads, integer),
  numeric('Bases', (s) => s.bases, integer),
  numeric('Min length', (s) => s.minLength, integer),
  numeric(
    'Mean length',
    (s) => s.meanLength,
    (v) => v.toFixed(1),
  ),
  numeric('Max length', (s) => s.maxLength, integer),
  numeric('N50', (s) => s.n50, integer),
  numeric(
    'Q20 %',
    (s) => s.q20Percent,
    (v) => v.toFixed(2),
  ),
  numeric(
    'Q30 %',
    (s) => s.q30Percent,
    (v) => v.toFixed(2),
  ),
  numeric(
    'GC %',
    (s) => s.gcPercent,
    (v) => v.toFixed(2),
  ),
  routeColumn,
  durationColumn,
];

const CSV_COLUMNS: Column<CsvResult>[] = [
  keyColumn,
  { name: 'Rows', text: (d) => integer(d.report.csv.rows), sort: (d) => d.report.csv.rows },
  { name: 'Columns', text: (d) => integer(d.report.csv.columns), sort: (d) => d.report.csv.columns },
  routeColumn,
  durationColumn,
];

function fastqSection(documents: readonly FastqResult[]): string {
  const label = (d: FastqResult) => uploadPath(d.job.key);
  const charts = [
    barChart({
      title: 'Reads per file',
      rows: documents.map((d) => ({
        label: label(d),
        value: d.report.fastq.reads,
        text: integer(d.report.fastq.reads),
      })),
      format: integer,
    }),
    barChart({
      title: 'Q30: bases with quality 30 or more, per file',
      rows: documents.map((d) => ({
        label: label(d),
        value: d.report.fastq.q30Percent,
        text: `${d.report.fastq.q30Percent.toFixed(1)} %`,
      })),
      max: 100,
      format: (v) => `${v} %`,
    }),
    rangeChart({
      title: 'Read length per file: shortest to longest, mean (dot) and N50 (tick)',
      rows: documents.map((d) => ({
        label: label(d),
        min: d.report.fastq.minLength,
        max: d.report.fastq.maxLength,
        mean: d.report.fastq.meanLength,
        n50: d.report.fastq.n50,
      })),
      format: integer,
    }),
  ];
  return `<section>
<h2>FASTQ</h2>
<figure><figcaption>Reads</figcaption>${charts[0]}</figure>
<figure><figcaption>Q30 %</figcaption>${charts[1]}</figure>
<figure><figcaption>Read length: shortest to longest, <span class="mean-key">●</span> mean, <span class="n50-key">|</span> N50</figcaption>${charts[2]}</figure>
${table(FASTQ_COLUMNS, documents)}
</section>
`;
}

function csvSection(documents: readonly CsvResult[]): string {
  return `<section>
<h2>CSV</h2>
${table(CSV_COLUMNS, documents)}
</section>
`;
}

function table<D>(columns: readonly Column<D>[], documents: readonly D[]): string {
  const head = columns
    .map(
      (c) =>
        `<th data-type="${c.sort ? 'number' : 'text'}"><button type="button">${escapeHtml(c.name)}</button></th>`,
    )
    .join('');
  const rows = documents.map((d) => {
    const cells = columns.map((c) =>
      c.sort
        ? `<td data-sort="${c.sort(d)}">${escapeHtml(c.text(d))}</td>`
        : `<td>${escapeHtml(c.text(d))}</td>`,
    );
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table class="sortable">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function numeric(
  name: string,
  value: (stats: FastqResult['report']['fastq']) => number,
  format: (value: number) => string,
): Column<FastqResult> {
  return { name, text: (d) => format(value(d.report.fastq)), sort: (d) => value(d.report.fastq) };
}

const integers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function integer(value: number): string {
  return integers.format(value);
}

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{margin-top:2em}
.meta{color:#555}
figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}
.chart{max-width:100%;height:auto}
.chart text{font-size:11px;dominant-baseline:middle}
.chart .label{text-anchor:end}.chart .tick{text-anchor:middle;fill:#666}
.chart .grid{stroke:#e4e4e4}
.chart .bar{fill:#4c78a8}
.chart .row:hover .label{font-weight:700}
.chart .range{stroke:#4c78a8;stroke-width:4}
.chart .mean,.mean-key{fill:#f58518;color:#f58518}
.chart .n50{stroke:#54a24b;stroke-width:2}.n50-key{color:#54a24b;font-weight:700}
table{border-collapse:collapse;margin:1em 0}
th,td{padding:.25em .6em;border-bottom:1px solid #ddd}
td[data-sort]{text-align:right;font-variant-numeric:tabular-nums}
td:first-child{max-width:32em;overflow-wrap:anywhere}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
`;

/**
 * Sorts a table by the clicked column: numbers by their data-sort value, text as the reader's
 * locale orders it. Kept as text because it runs in the reader's browser, not in this program;
 * it reads nothing but the page's own cells.
 */
export const SORT_SCRIPT = `
for (const button of document.querySelectorAll('table.sortable th button')) {
  button.addEventListener('click', () => {
    const th = button.parentElement;
    const table = th.closest('table');
    const numeric = th.dataset.type === 'number';
    const ascending = th.getAttribute('aria-sort') !== 'ascending';
    for (const other of table.tHead.rows[0].cells) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const value = (row) => {
      const cell = row.cells[th.cellIndex];
      return numeric ? Number(cell.dataset.sort) : cell.textContent;
    };
    const order = (a, b) => (numeric ? value(a) - value(b) : value(a).localeCompare(value(b)));
    const rows = [...table.tBodies[0].rows].sort((a, b) => (ascending ? order(a, b) : order(b, a)));
    table.tBodies[0].append(...rows);
  });
}
`;
