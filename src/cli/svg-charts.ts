/**
 * Horizontal bar charts as inline SVG, one row per sample, for the offline HTML report: no
 * library to load, and the page stays one file. Horizontal, so that long names fit and a chart
 * of many samples grows downwards.
 */
import { escapeHtml } from './html.js';

const WIDTH = 760;
const LABEL_WIDTH = 240;
const RIGHT_MARGIN = 70;
const ROW_HEIGHT = 20;
const TOP = 8;
const AXIS_HEIGHT = 24;
/** Longer labels are cut, with the whole name in the row's tooltip. */
const LABEL_CHARS = 34;

const PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;

export interface BarRow {
  label: string;
  value: number;
  /** What is printed at the end of the bar. */
  text: string;
}

export interface RangeRow {
  label: string;
  min: number;
  max: number;
  /** Marked on the range, each with its own symbol. */
  mean: number;
  n50: number;
}

/** Round tick values for counts and lengths, from 0 to at least `max`: steps of 1, 2 or 5 × 10ⁿ, n ≥ 0. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / target;
  const power = 10 ** Math.max(0, Math.floor(Math.log10(rough)));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) as number) * power;
  const ticks = [0];
  while ((ticks.at(-1) as number) < max) ticks.push(ticks.length * step);
  return ticks;
}

/** A bar per row, on an axis from 0 to `max` (default: a round number above the largest value). */
export function barChart(options: {
  title: string;
  rows: readonly BarRow[];
  max?: number;
  format: Format;
}): string {
  const ticks =
    options.max === undefined
      ? niceTicks(Math.max(...options.rows.map((r) => r.value)))
      : evenTicks(options.max);
  const scale = scaleTo(ticks.at(-1) as number);
  const rows = options.rows.map((row, i) => {
    const y = rowY(i);
    const width = scale(row.value);
    return (
      `<g class="row">${tooltip(row.label)}${label(row.label, y)}` +
      `<rect class="bar" x="${LABEL_WIDTH}" y="${y + 3}" width="${width}" height="${ROW_HEIGHT - 6}"/>` +
      `<text class="value" x="${LABEL_WIDTH + width + 4}" y="${y + ROW_HEIGHT / 2}">${escapeHtml(row.text)}</text></g>`
    );
  });
  return svg(options.title, options.rows.length, axis(ticks, scale, options.format), rows);
}

/** A line from min to max per row, with the mean as a dot and the N50 as a tick. */
export function rangeChart(options: { title: string; rows: readonly RangeRow[]; format: Format }): string {
  const ticks = niceTicks(Math.max(...options.rows.map((r) => r.max)));
  const scale = scaleTo(ticks.at(-1) as number);
  const rows = options.rows.map((row, i) => {
    const y = rowY(i);
    const middle = y + ROW_HEIGHT / 2;
    const [from, to, mean, n50] = [row.min, row.max, row.mean, row.n50].map(
      (v) => LABEL_WIDTH + scale(v),
    ) as [number, number, number, number];
    return (
      `<g class="row">${tooltip(row.label)}${label(row.label, y)}` +
      `<line class="range" x1="${from}" x2="${to}" y1="${middle}" y2="${middle}"/>` +
      `<line class="n50" x1="${n50}" x2="${n50}" y1="${y + 3}" y2="${y + ROW_HEIGHT - 3}"/>` +
      `<circle class="mean" cx="${mean}" cy="${middle}" r="4"/></g>`
    );
  });
  return svg(options.title, options.rows.length, axis(ticks, scale, options.format), rows);
}

type Format = (value: number) => string;

function evenTicks(max: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
}

function scaleTo(top: number): (value: number) => number {
  return (value) => round((Math.max(0, value) / top) * PLOT_WIDTH);
}

function rowY(index: number): number {
  return TOP + index * ROW_HEIGHT;
}

function label(text: string, y: number): string {
  const shown = text.length > LABEL_CHARS ? `…${text.slice(text.length - LABEL_CHARS + 1)}` : text;
  return `<text class="label" x="${LABEL_WIDTH - 6}" y="${y + ROW_HEIGHT / 2}">${escapeHtml(shown)}</text>`;
}

function tooltip(text: string): string {
  return `<title>${escapeHtml(text)}</title>`;
}

function axis(
  ticks: readonly number[],
  scale: (value: number) => number,
  format: Format,
): (rows: number) => string {
  return (rows) => {
    const bottom = rowY(rows);
    return ticks
      .map((tick) => {
        const x = LABEL_WIDTH + scale(tick);
        return (
          `<line class="grid" x1="${x}" x2="${x}" y1="${TOP}" y2="${bottom}"/>` +
          `<text class="tick" x="${x}" y="${bottom + 16}">${escapeHtml(format(tick))}</text>`
        );
      })
      .join('');
  };
}

function svg(
  title: string,
  rowCount: number,
  axisFor: (rows: number) => string,
  rows: readonly string[],
): string {
  const height = rowY(rowCount) + AXIS_HEIGHT;
  return (
    `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">` +
    `<title>${escapeHtml(title)}</title>${axisFor(rowCount)}${rows.join('')}</svg>`
  );
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
