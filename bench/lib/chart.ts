/** A hand-built SVG chart: small multiples of log-log line plots sharing one legend. */

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
  /** Draw a × at the last point (where the series stops, e.g. Lambda's 15-minute cap). */
  endMark?: boolean;
}

export interface Panel {
  title: string;
  series: Series[];
  /** Vertical guide lines, e.g. break-even sizes. */
  markers?: { x: number; label: string }[];
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  formatX: (value: number) => string;
  formatY: (value: number) => string;
  /** Panels per row. @default 2 */
  columns?: number;
}

const PANEL_W = 560;
const PANEL_H = 340;
const MARGIN = { left: 84, right: 24, top: 40, bottom: 52 };
const HEADER_H = 70;
const LEGEND_ROW_H = 22;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Powers of ten covering [min, max]. */
export function decadeRange(min: number, max: number): { low: number; high: number } {
  if (!(min > 0) || !(max >= min)) throw new RangeError(`bad range ${min}..${max}`);
  return { low: Math.floor(Math.log10(min)), high: Math.ceil(Math.log10(max)) };
}

export function renderChart(panels: readonly Panel[], options: ChartOptions): string {
  const columns = options.columns ?? 2;
  const rows = Math.ceil(panels.length / columns);
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  if (all.length === 0) throw new RangeError('nothing to plot');
  const xr = decadeRange(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x)));
  const yr = decadeRange(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)));
  const legend = uniqueSeries(panels);
  const legendColumns = 4;
  const legendRows = Math.ceil(legend.length / legendColumns);
  const width = columns * PANEL_W;
  const height = HEADER_H + rows * PANEL_H + 30 + legendRows * LEGEND_ROW_H + 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="30" font-size="20" font-weight="bold" text-anchor="middle">${escapeXml(options.title)}</text>`,
  );
  if (options.subtitle) {
    out.push(
      `<text x="${width / 2}" y="54" font-size="13" fill="#444" text-anchor="middle">${escapeXml(options.subtitle)}</text>`,
    );
  }
  panels.forEach((panel, i) => {
    const ox = (i % columns) * PANEL_W;
    const oy = HEADER_H + Math.floor(i / columns) * PANEL_H;
    out.push(renderPanel(panel, ox, oy, xr, yr, options));
  });
  const ly = HEADER_H + rows * PANEL_H + 24;
  const cellW = (width - 40) / legendColumns;
  legend.forEach((s, i) => {
    const x = 20 + (i % legendColumns) * cellW;
    const y = ly + Math.floor(i / legendColumns) * LEGEND_ROW_H;
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 34}" y2="${y}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>`,
      `<text x="${x + 42}" y="${y + 5}" font-size="13">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function uniqueSeries(panels: readonly Panel[]): Series[] {
  const seen = new Map<string, Series>();
  for (const p of panels) for (const s of p.series) if (!seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()];
}

function renderPanel(
  panel: Panel,
  ox: number,
  oy: number,
  xr: { low: number; high: number },
  yr: { low: number; high: number },
  options: ChartOptions,
): string {
  const left = ox + MARGIN.left;
  const right = ox + PANEL_W - MARGIN.right;
  const top = oy + MARGIN.top;
  const bottom = oy + PANEL_H - MARGIN.bottom;
  const sx = (v: number) => left + ((Math.log10(v) - xr.low) / (xr.high - xr.low)) * (right - left);
  const sy = (v: number) => bottom - ((Math.log10(v) - yr.low) / (yr.high - yr.low)) * (bottom - top);
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [];
  out.push(
    `<text x="${f((left + right) / 2)}" y="${oy + 24}" font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(panel.title)}</text>`,
  );
  for (let e = xr.low; e <= xr.high; e++) {
    const x = sx(10 ** e);
    out.push(
      `<line x1="${f(x)}" y1="${top}" x2="${f(x)}" y2="${bottom}" stroke="#e3e3e3"/>`,
      `<text x="${f(x)}" y="${bottom + 18}" font-size="12" text-anchor="middle">${escapeXml(options.formatX(10 ** e))}</text>`,
    );
  }
  for (let e = yr.low; e <= yr.high; e++) {
    const y = sy(10 ** e);
    out.push(
      `<line x1="${left}" y1="${f(y)}" x2="${right}" y2="${f(y)}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${f(y + 4)}" font-size="12" text-anchor="end">${escapeXml(options.formatY(10 ** e))}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${f(right - left)}" height="${f(bottom - top)}" fill="none" stroke="#888"/>`,
    `<text x="${f((left + right) / 2)}" y="${bottom + 38}" font-size="13" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="${ox + 16}" y="${f((top + bottom) / 2)}" font-size="13" text-anchor="middle" transform="rotate(-90 ${ox + 16} ${f((top + bottom) / 2)})">${escapeXml(options.yLabel)}</text>`,
  );
  for (const m of panel.markers ?? []) {
    const x = sx(m.x);
    // Labels near the right edge go on the left of their line.
    const flip = x > right - 160;
    out.push(
      `<line x1="${f(x)}" y1="${top}" x2="${f(x)}" y2="${bottom}" stroke="#555" stroke-width="1.2" stroke-dasharray="2 3"/>`,
      `<text x="${f(flip ? x - 4 : x + 4)}" y="${top + 14}" font-size="11" fill="#333"${flip ? ' text-anchor="end"' : ''}>${escapeXml(m.label)}</text>`,
    );
  }
  for (const s of panel.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
    out.push(
      `<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>`,
    );
    if (s.endMark) {
      const last = s.points[s.points.length - 1] as { x: number; y: number };
      const x = sx(last.x);
      const y = sy(last.y);
      out.push(
        `<path d="M${f(x - 5)},${f(y - 5)} L${f(x + 5)},${f(y + 5)} M${f(x - 5)},${f(y + 5)} L${f(x + 5)},${f(y - 5)}" stroke="${s.color}" stroke-width="2.5"/>`,
      );
    }
  }
  return out.join('\n');
}
