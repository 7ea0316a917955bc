/** A description of the machine and tools a run used, for the report. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  seqkit?: string;
  miller?: string;
  duckdb?: string;
  load: [number, number, number];
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

export function cpuModel(cpuinfo: string): string {
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
  };
}

/** The calibration is the bench's output, not code it measures. */
const NOT_MEASURED = new Set(['contract/calibration.json']);

/** `commit abc1234`, plus the files under src/ that differ from it (the measured code is the work tree). */
export function codeState(): string {
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
  ].join('\n');
}
