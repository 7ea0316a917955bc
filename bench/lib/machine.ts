/** A description of the machine and tools a run used, for the report. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { hasGnuTime, runTimed } from './measure.js';
import { median } from './stats.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  seqkit?: string;
  miller?: string;
  duckdb?: string;
  load: [number, number, number];
  /**
   * Resident memory of an idle `node -e 0` here: the floor under every peak below, and not the
   * same from hour to hour (BENCHMARKS.md: the share of the binary's pages mapped in varies).
   */
  idleNode?: { peakMiB: number; fileBackedMiB: number };
  /** The commit measured, and the source files that differed from it. */
  code: string;
}

function tryRun(program: string, args: string[]): string | undefined {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

function cpuModel(cpuinfo: string): string {
  const line = cpuinfo.split('\n').find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

export async function machineInfo(): Promise<MachineInfo> {
  let duckdb: string | undefined;
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    duckdb = String((await db.runAndReadAll('SELECT version() AS v')).getRowObjects()[0]?.v);
    db.closeSync();
    instance.closeSync();
  } catch {
    duckdb = undefined;
  }
  const [a, b, c] = loadavg();
  // The runs below start this binary; measured from its own page faults, not a cache's pieces.
  dropPageCache(process.execPath);
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(readFileSync('/proc/cpuinfo', 'utf8')),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    seqkit: tryRun('seqkit', ['version'])?.trim(),
    miller: tryRun('mlr', ['--version'])?.trim(),
    duckdb: duckdb === undefined ? undefined : `DuckDB ${duckdb} (@duckdb/node-api)`,
    load: [a ?? 0, b ?? 0, c ?? 0],
    code: codeState(),
    idleNode: await idleNode(),
  };
}

/**
 * Drops `file` from the page cache (GNU dd's `nocache`), where it can. Once the node binary has
 * been read through whole (copied, checksummed, `cat`), the cache holds it in large pieces, and a
 * process maps as much of each piece as it touches: an idle Node.js 24 then peaks at 70 MiB
 * instead of 43, and every peak of the run with it (BENCHMARKS.md). Read back by a process's own
 * page faults, it is mapped as on a machine that just booted.
 */
function dropPageCache(file: string): void {
  tryRun('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/**
 * GNU time's peak of `node -e 0` (the median of three runs), and how much of an idle process's
 * resident memory is file-backed (the `node` binary's pages, `RssFile`).
 */
async function idleNode(): Promise<MachineInfo['idleNode']> {
  if (!hasGnuTime()) return undefined;
  const peaks: number[] = [];
  for (let run = 0; run < 3; run++)
    peaks.push((await runTimed([process.execPath, '-e', '0'])).peakRssKiB ?? 0);
  const status = await runTimed([
    process.execPath,
    '-p',
    "require('fs').readFileSync('/proc/self/status', 'utf8')",
  ]);
  const fileKiB = Number(/^RssFile:\s+(\d+)/m.exec(status.stdout)?.[1] ?? Number.NaN);
  return { peakMiB: median(peaks) / 1024, fileBackedMiB: fileKiB / 1024 };
}

/** The calibration is the bench's output, not code it measures. */
const NOT_MEASURED = new Set(['contract/calibration.json']);

/** `commit abc1234`, plus the files under src/ that differ from it (the measured code is the work tree). */
function codeState(): string {
  const commit = tryRun('git', ['rev-parse', '--short', 'HEAD'])?.trim() ?? 'unknown';
  const changed = (tryRun('git', ['status', '--porcelain', '--', 'src']) ?? '')
    .split('\n')
    .map((line) => line.slice(3).trim())
    .filter((file) => file !== '' && !NOT_MEASURED.has(file));
  return changed.length === 0
    ? `commit ${commit}`
    : `commit ${commit} with uncommitted changes to ${changed.join(', ')}`;
}

export function describeMachine(m: MachineInfo): string {
  return [
    `- CPU: ${m.cpus} × ${m.cpuModel} (nproc ${m.cpus}), ${m.memoryGiB} GiB memory`,
    `- Node ${m.node}; code measured: ${m.code}`,
    `- ${m.seqkit ?? 'seqkit: not installed'}; ${m.miller ?? 'miller: not installed'}; ${m.duckdb ?? 'DuckDB: not installed'}`,
    `- load average at the start: ${m.load.map((x) => x.toFixed(2)).join(', ')}`,
    ...(m.idleNode === undefined
      ? []
      : [
          `- an idle \`node -e 0\` peaks at ${m.idleNode.peakMiB.toFixed(0)} MiB, ` +
            `${m.idleNode.fileBackedMiB.toFixed(0)} MiB of it the binary's file-backed pages: every peak below includes them`,
        ]),
  ].join('\n');
}
