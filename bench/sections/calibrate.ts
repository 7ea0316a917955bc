/**
 * `--calibrate`: the core's throughput per format, plain and gzip, reading its input from S3 as
 * deployed (through `runJobOnObject`, with the stack's read concurrency): pinned to one core (taken
 * as one vCPU, i.e. Lambda at 1,769 MB) read and parsed on one thread, and on both cores
 * (Fargate's 2 vCPU) as deployed there, alternately. S3 is played by a server that paces each
 * request at S3's documented rate (bench/lib/paced-s3-server.py, on Linux): S3 serves from other
 * machines, and the server's `sendfile` takes little of this one's CPU, where the emulator takes
 * about a CPU-second per GiB (bench/lib/static-s3.ts); and a plain FASTQ's read is bounded by
 * that rate times its connections. Elsewhere the emulator stands in, without it, local files.
 * The wait before the first byte is left out (S3's is `startupSeconds`). Also the gzip expansion
 * of the synthetic and of modelled real-looking data.
 * Written to contract/calibration.json in the shape contract/routing.ts reads.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Format } from '../../src/core/api.js';
import { localAwsEnv } from '../../local/resources.js';
import { deriveCalibration, type CoreMeasurement, type ExpansionSample } from '../lib/calibration.js';
import { parseCoreRun } from '../lib/core-run.js';
import { REPO_ROOT, type ReadyInput } from '../lib/inputs.js';
import { machineInfo } from '../lib/machine.js';
import { binnedQualityFastq, gzipExpansion } from '../lib/realistic.js';
import { emulatorInstalled, withEmulatorBucket } from '../lib/emulator-bucket.js';
import type { RunResult } from '../lib/measure.js';
import { pacedServerAvailable, S3_BYTES_PER_SECOND_PER_REQUEST, withStaticS3 } from '../lib/static-s3.js';
import {
  alternate,
  coreRunnerCommand,
  DEPLOYED_READ_CONCURRENCY,
  input,
  type BenchContext,
} from './context.js';

const CALIBRATION_FILE = path.join(REPO_ROOT, 'contract', 'calibration.json');

/** The bucket the inputs are read from, and what a runner needs to reach it. */
interface Served {
  /** Who plays S3, for the calibration's `measuredOn`. */
  server: string;
  bucket: string;
  env: NodeJS.ProcessEnv;
}

interface Calibrated {
  format: Format;
  gzip: boolean;
  file: ReadyInput;
  /** Its key in the bucket. */
  key: string;
}

export async function calibrateSection(ctx: BenchContext): Promise<void> {
  const { fastq, fastqGz, csv, csvGz } = ctx.inputs;
  const inputs: Calibrated[] = [];
  for (const [spec, format, gzip] of [
    [fastq, 'fastq', false],
    [fastqGz, 'fastq', true],
    [csv, 'csv', false],
    [csvGz, 'csv', true],
  ] as const) {
    const file = await input(ctx, spec);
    inputs.push({ format, gzip, file, key: `calibration/${path.basename(file.path)}` });
  }
  if (pacedServerAvailable()) {
    const objects = Object.fromEntries(inputs.map(({ key, file }) => [key, file.path]));
    // At S3's rate per request: the cloud's reads are bounded by it where the parser is not.
    const rate = S3_BYTES_PER_SECOND_PER_REQUEST;
    await withStaticS3(
      objects,
      ({ endpoint, bucket }) =>
        calibrate(ctx, inputs, {
          server: `a server on this machine pacing each request at ${rate / 1e6} MB/s, as S3 serves one`,
          bucket,
          env: { ...process.env, ...localAwsEnv(endpoint, 'us-east-1') },
        }),
      { bytesPerSecondPerRequest: rate },
    );
  } else if (emulatorInstalled()) {
    ctx.log('  the paced server runs on Linux only: reading from the emulator');
    await withEmulatorBucket(async (bucket) => {
      for (const { key, file } of inputs) await bucket.upload(key, file.path);
      await calibrate(ctx, inputs, {
        server: 'the local emulator',
        bucket: bucket.bucket,
        env: { ...process.env, ...bucket.env },
      });
    });
  } else {
    ctx.log('  neither the paced server nor the emulator can run here: calibrating on local files');
    await calibrate(ctx, inputs, undefined);
  }
}

async function calibrate(ctx: BenchContext, inputs: Calibrated[], served: Served | undefined): Promise<void> {
  ctx.log(
    `\n== calibration (the core, in-process time, reading ${served ? `from S3 (${served.server})` : 'local files'})`,
  );
  const measurements: CoreMeasurement[] = [];
  const expansions: Record<Format, ExpansionSample[]> = { fastq: [], csv: [] };
  for (const { format, gzip, file, key } of inputs) {
    ctx.log(`  ${path.basename(file.path)}`);
    let one: RunResult[] = [];
    let two: RunResult[] = [];
    if (served) {
      // As deployed: the stack's read concurrency; no parse thread on one vCPU, the core's
      // default on two.
      const argv = (...parseThread: string[]) =>
        coreRunnerCommand(
          '--s3',
          `s3://${served.bucket}/${key}`,
          '--format',
          format,
          '--read-concurrency',
          String(DEPLOYED_READ_CONCURRENCY),
          ...parseThread,
        );
      const { env } = served;
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
        // Streaming time: the stand-in's wait for the first byte is not S3's.
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
    source: served
      ? `reading from S3 (${served.server}; runJobOnObject; its wait for the first byte left out) as deployed: on one core, a plain FASTQ in ${DEPLOYED_READ_CONCURRENCY} slices and the others with one GET, received and parsed on the main thread; on two, the same reads, a gzipped FASTQ parsed on the parse thread`
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
