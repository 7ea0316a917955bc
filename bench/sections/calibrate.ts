/**
 * `--calibrate`: the core's throughput per format, plain and gzip, reading its input from S3 as
 * deployed (the local emulator, through `Objects.open`): pinned to one core (taken as one vCPU,
 * i.e. Lambda at 1,769 MB) read and parsed on one thread, and on both cores (Fargate's 2 vCPU)
 * as deployed there (a gzipped FASTQ parsed on a thread of its own), alternately. The emulator's wait before the first byte
 * is left out (S3's is `startupSeconds`). Without the emulator installed, local files stand in.
 * Also the gzip expansion of the synthetic and of modelled real-looking data. Written to
 * contract/calibration.json in the shape contract/routing.ts reads.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Format } from '../../src/core/api.js';
import { deriveCalibration, type CoreMeasurement, type ExpansionSample } from '../lib/calibration.js';
import { parseCoreRun } from '../lib/core-run.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { machineInfo } from '../lib/machine.js';
import { binnedQualityFastq, gzipExpansion } from '../lib/realistic.js';
import { emulatorInstalled, withEmulatorBucket, type EmulatorBucket } from '../lib/emulator-bucket.js';
import type { RunResult } from '../lib/measure.js';
import {
  alternate,
  coreRunnerCommand,
  DEPLOYED_READ_CONCURRENCY,
  input,
  type BenchContext,
} from './context.js';

export const CALIBRATION_FILE = path.join(REPO_ROOT, 'contract', 'calibration.json');

export async function calibrateSection(ctx: BenchContext): Promise<void> {
  if (emulatorInstalled()) {
    await withEmulatorBucket((bucket) => calibrate(ctx, bucket));
  } else {
    ctx.log('  the emulator is not installed (bash scripts/setup-python.sh): calibrating on local files');
    await calibrate(ctx, undefined);
  }
}

async function calibrate(ctx: BenchContext, bucket: EmulatorBucket | undefined): Promise<void> {
  ctx.log(
    `\n== calibration (the core, in-process time, reading ${bucket ? 'from the emulator' : 'local files'})`,
  );
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
    let one: RunResult[] = [];
    let two: RunResult[] = [];
    if (bucket) {
      const key = `calibration/${path.basename(file.path)}`;
      await bucket.upload(key, file.path);
      // As deployed: the stack's read concurrency; no parse thread on one vCPU, the core's
      // default on two.
      const argv = (...parseThread: string[]) =>
        coreRunnerCommand(
          '--s3',
          `s3://${bucket.bucket}/${key}`,
          '--format',
          format,
          '--read-concurrency',
          String(DEPLOYED_READ_CONCURRENCY),
          ...parseThread,
        );
      const env = { ...process.env, ...bucket.env };
      [one = [], two = []] = await alternate(ctx, [
        { name: '1 CPU, one thread', argv: argv('--parse-thread', 'no'), options: { cpus: '0', env } },
        { name: '2 CPUs, as deployed', argv: argv(), options: { env } },
      ]);
    } else {
      const argv = coreRunnerCommand('--file', file.path, '--format', format);
      [one = [], two = []] = await alternate(ctx, [
        { name: '1 CPU', argv, options: { cpus: '0' } },
        { name: '2 CPUs', argv },
      ]);
    }
    for (const [cpus, runs] of [
      [1, one],
      [2, two],
    ] as const) {
      measurements.push({
        format,
        gzip,
        cpus,
        uncompressedBytes: file.uncompressedBytes,
        // Streaming time: the emulator's wait for the first byte is not S3's.
        seconds: runs.map((r) => {
          const run = parseCoreRun(r.stdout);
          return run.seconds - (run.firstByteSeconds ?? 0);
        }),
      });
    }
    if (gzip) {
      expansions[format].push({
        source: `synthetic ${format} from local/synthetic-inputs.ts (${path.basename(file.path)}, zlib level 6)`,
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
    source: bucket
      ? `reading from S3 (the local emulator, Objects.open; its wait for the first byte left out) as deployed: ${DEPLOYED_READ_CONCURRENCY} ranged GETs read and parsed on one thread on one core; on two, a plain FASTQ in ${DEPLOYED_READ_CONCURRENCY} slices on two HTTP threads, other inputs with ${DEPLOYED_READ_CONCURRENCY} ranged GETs received on the HTTP thread (a gzipped FASTQ parsed on the parse thread, a CSV profiled on two threads)`
      : 'reading local files',
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
