/**
 * What `submit` shows while it works: progress bars on a terminal (cli-progress), plain lines
 * when the output is a file or a pipe, where bars would be noise.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface Progress {
  /** A transfer of `total` bytes named `name` starts. */
  start(name: string, total: number): void;
  update(name: string, done: number): void;
  /** The transfer ended; `line` says how. */
  end(name: string, line: string): void;
  /** Counts finished items out of `total`, with a note (e.g. jobs by status). */
  count(label: string, done: number, total: number, note: string): void;
  /** A line above the bars. */
  log(line: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new Bars(stream) : new Lines(stream);
}

/** A size as people say it: `512 B`, `3.3 kB`, `10.7 MB`, `1.2 GB` (SI units, as `ls -h --si`). */
export function megabytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

class Bars implements Progress {
  private readonly bars: MultiBar;
  private readonly files = new Map<string, SingleBar>();
  private total?: SingleBar;
  private totals = { bytes: 0, done: 0 };
  private readonly doneOf = new Map<string, number>();
  private counter?: SingleBar;
  private stopped = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bars = new MultiBar(
      {
        stream,
        format: '{bar} {percentage}% {amount} {name}',
        hideCursor: true,
        autopadding: true,
        barsize: 30,
      },
      Presets.shades_classic,
    );
  }

  start(name: string, total: number): void {
    this.totals.bytes += total;
    this.total ??= this.bars.create(0, 0, { name: 'total', amount: '' });
    this.total.setTotal(this.totals.bytes);
    this.refreshTotal();
    this.files.set(name, this.bars.create(total, 0, { name, amount: megabytes(total) }));
  }

  update(name: string, done: number): void {
    this.totals.done += done - (this.doneOf.get(name) ?? 0);
    this.doneOf.set(name, done);
    this.files.get(name)?.update(done);
    this.refreshTotal();
  }

  end(name: string, line: string): void {
    const bar = this.files.get(name);
    if (bar) this.bars.remove(bar);
    this.files.delete(name);
    this.bars.log(`${line}\n`);
  }

  count(label: string, done: number, total: number, note: string): void {
    this.counter ??= this.bars.create(total, 0, { name: label, amount: '' });
    this.counter.setTotal(total);
    this.counter.update(done, { name: `${label}: ${note}`, amount: `${done}/${total}` });
  }

  log(line: string): void {
    this.bars.log(`${line}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bars.stop();
  }

  private refreshTotal(): void {
    this.total?.update(this.totals.done, {
      amount: `${megabytes(this.totals.done)} of ${megabytes(this.totals.bytes)}`,
    });
  }
}

class Lines implements Progress {
  private lastCount = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(): void {}
  update(): void {}

  end(_name: string, line: string): void {
    this.log(line);
  }

  count(label: string, done: number, total: number, note: string): void {
    const line = `${label}: ${done}/${total} done (${note})`;
    if (line !== this.lastCount) this.log(line);
    this.lastCount = line;
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}
}
