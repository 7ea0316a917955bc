/**
 * `--calibrate`: the core's own throughput per format, plain and gzip, pinned to one core (taken
 * as one vCPU, i.e. Lambda at 1,769 MB) and on both cores (Fargate's 2 vCPU), alternately; the
 * gzip expansion of the synthetic and of modelled real-looking data; written to
 * src/runtime/calibration.json in the shape src/runtime/routing.ts reads.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Format } from '../../src/core/api.js';
import { deriveCalibration, type CoreMeasurement, type ExpansionSample } from '../lib/calibration.js';
import { parseCoreRun } from '../lib/core-run.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { machineInfo } from '../lib/machine.js';
import { binnedQualityFastq, gzipExpansion } from '../lib/realistic.js';
import { alternate, coreRunnerCommand, input, type BenchContext } from './context.js';

export const CALIBRATION_FILE = path.join(REPO_ROOT, 'src', 'runtime', 'calibration.json');

export async function calibrateSection(ctx: BenchContext): Promise<void> {
  ctx.log('\n== calibration (the core alone, in-process time)');
  const { fastq, fastqGz, csv, csvGz } = ctx.inputs;
  const measurements: CoreMeasurement[] = [];
  const expansions: Record<Format, ExpansionSample[]> = { fastq: [], csv: [] };
  for (const [spec, format, gzip] of [
    [fastq, 'fastq', false],
    [fastqGz, 'fastq', true],
    [csv, 'csv', false],
    [csvGz, 'csv', true],
  ] as const) {
    const file = await input(ctx, spec);
    ctx.log(`  ${path.basename(file.path)}`);
    const argv = coreRunnerCommand('--file', file.path, '--format', format);
    const [one = [], two = []] = await alternate(ctx, [
      { name: '1 CPU', argv, options: { cpus: '0' } },
      { name: '2 CPUs', argv },
    ]);
    for (const [cpus, runs] of [
      [1, one],
      [2, two],
    ] as const) {
      measurements.push({
        format,
        gzip,
        cpus,
        uncompressedBytes: file.uncompressedBytes,
        seconds: runs.map((r) => parseCoreRun(r.stdout).seconds),
      });
    }
    if (gzip) {
      expansions[format].push({
        source: `synthetic ${format} from test/support/generate.ts (${path.basename(file.path)}, zlib level 6)`,
        ratio: Math.round((file.uncompressedBytes / file.bytes) * 100) / 100,
      });
    }
  }
  const binned = binnedQualityFastq(100_000);
  expansions.fastq.push({
    source:
      'modelled current Illumina run: NovaSeq names, 151 bp, four binned qualities mostly Q37 (bench/lib/realistic.ts)',
    ratio: Math.round(gzipExpansion(binned) * 100) / 100,
  });

  const machine = await machineInfo();
  const calibration = deriveCalibration({
    measurements,
    measuredExpansions: expansions,
    date: new Date().toISOString().slice(0, 10),
    machine: `${machine.cpuModel} (${machine.cpus} cores), Node ${machine.node}, ${machine.code}`,
    runs: ctx.options.runs,
  });
  const text = `${JSON.stringify(calibration, null, 2)}\n`;
  if (ctx.options.quick) {
    ctx.log('\n--quick: the calibration from small inputs would be (not written):');
    ctx.log(text);
    return;
  }
  writeFileSync(CALIBRATION_FILE, text);
  ctx.log(`\nwrote ${path.relative(REPO_ROOT, CALIBRATION_FILE)}:\n${text}`);
}
