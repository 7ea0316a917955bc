/**
 * Is the path from S3 a bottleneck? The same plain FASTQ runs through the core from a local file
 * and from the local cloud's emulator (`Objects.open`, as the dispatcher and the worker read),
 * alternately; the core's own time is compared (process start-up excluded from both). The object
 * is stored twice: without a checksum (the transfer path alone) and with a full-object CRC64NVME
 * checksum, which is what S3 gives new objects by default and which the SDK then verifies on
 * every GET of the whole object. Each is read with one GET, and once with parallel ranged GETs as
 * the deployed stack does. Reading the body without the core, and `curl` fetching the object, show
 * where the time goes: the SDK's stream or the emulator.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../local/emulator.js';
import { localAwsEnv, provisionLocalCloud } from '../../local/resources.js';
import { parseCoreRun } from '../lib/core-run.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { runTimed, type RunResult } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { throughputOf, type Measured } from '../lib/table.js';
import {
  alternate,
  atLeast,
  atMost,
  coreRunnerCommand,
  input,
  label,
  MEMORY_LIMIT_MIB,
  peakOf,
  rssMiB,
  type BenchContext,
} from './context.js';

const GROUP = 'S3 path';
const PLAIN_KEY = 'bench/no-checksum/reads.fq';
const CHECKSUM_KEY = 'bench/crc64nvme/reads.fq';
/** What the stack sets S3_READ_CONCURRENCY to by default (lib/constructs/storage.ts). */
const DEPLOYED_READ_CONCURRENCY = 4;
/** Objects' default part size for ranged reads (src/runtime/aws/objects.ts). */
const RANGE_BYTES = 8 * 1024 * 1024;

export async function s3Section(ctx: BenchContext): Promise<void> {
  ctx.log(`\n== ${GROUP}`);
  if (!existsSync(path.join(REPO_ROOT, '.venv', 'bin', 'moto_server'))) {
    ctx.log('  the emulator is not installed (bash scripts/setup-python.sh): section skipped');
    return;
  }
  const file = await input(ctx, ctx.inputs.fastq);
  const sharedDir = mkdtempSync(path.join(tmpdir(), 'bench-s3-'));
  const emulator = await startEmulator({ port: 0 });
  try {
    const cloud = await provisionLocalCloud({ endpoint: emulator.endpoint, sharedDir, name: 'bench' });
    const env = localAwsEnv(cloud.endpoint, cloud.region);
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    };
    // Checksums only when asked for: the SDK's default streaming checksum upload is very slow
    // against the emulator, and the upload is not what is measured. A Buffer body is sent whole.
    const s3 = new S3Client({
      endpoint: cloud.endpoint,
      region: cloud.region,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    ctx.log(`  uploading ${label(file)} to the emulator, twice …`);
    const started = Date.now();
    const body = readFileSync(file.path);
    await s3.send(new PutObjectCommand({ Bucket: cloud.bucket, Key: PLAIN_KEY, Body: body }));
    await s3.send(
      new PutObjectCommand({
        Bucket: cloud.bucket,
        Key: CHECKSUM_KEY,
        Body: body,
        ChecksumAlgorithm: 'CRC64NVME',
      }),
    );
    s3.destroy();
    ctx.log(`  uploaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const fromS3 = (key: string, ...extra: string[]) => ({
      argv: coreRunnerCommand('--s3', `s3://${cloud.bucket}/${key}`, '--format', 'fastq', ...extra),
      options: { env: { ...process.env, ...env } },
    });
    const ranged = ['--read-concurrency', String(DEPLOYED_READ_CONCURRENCY)];
    const curl = [
      'curl',
      '-sSf',
      '-o',
      '/dev/null',
      '--aws-sigv4',
      `aws:amz:${cloud.region}:s3`,
      '--user',
      `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
      `${cloud.endpoint}/${cloud.bucket}/${PLAIN_KEY}`,
    ];
    const [local = [], plain = [], checked = [], drained = [], transfer = []] = await alternate(ctx, [
      { name: 'local file', argv: coreRunnerCommand('--file', file.path, '--format', 'fastq') },
      { name: 'one GET', ...fromS3(PLAIN_KEY) },
      { name: 'one GET, CRC64NVME', ...fromS3(CHECKSUM_KEY) },
      { name: 'one GET, drained', ...fromS3(PLAIN_KEY, '--drain') },
      { name: 'curl', argv: curl },
    ]);
    // The emulator serves each ranged GET by reading the whole object, so ranged reads of a large
    // object take minutes there whatever the reader does: run once, for the memory figure, and
    // time one range with curl to show why.
    ctx.log(`  ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight, once`);
    const rangedRun = await runTimed(fromS3(CHECKSUM_KEY, ...ranged).argv, {
      cwd: REPO_ROOT,
      ...fromS3(CHECKSUM_KEY).options,
    });
    const oneRange = await runTimed([
      ...curl.slice(0, -1),
      '-r',
      `0-${RANGE_BYTES - 1}`,
      curl.at(-1) as string,
    ]);
    ctx.notes.push(
      `S3 path: the emulator took ${oneRange.seconds.toFixed(2)} s to serve one ${RANGE_BYTES / 2 ** 20} MiB range of ` +
        `this object with curl (${median(transfer.map((r) => r.seconds)).toFixed(2)} s for all of it): it reads the whole ` +
        'object for every range, so the ranged row measures the emulator, not the reader. Its peak RSS stands.',
    );

    const reads = (runs: RunResult[]) => parseCoreRun(runs[0]?.stdout ?? '{}').fastq?.reads;
    const core = (tool: string, runs: RunResult[], reference = false): Measured => ({
      group: GROUP,
      tool,
      input: label(file),
      bytes: file.uncompressedBytes,
      // The core's own time, as the runner reports it.
      seconds: runs.map((r) => parseCoreRun(r.stdout).seconds),
      peakRssKiB: peakOf(runs),
      ...(reference
        ? { reference }
        : { agrees: reads(runs) === reads(local) ? 'yes (reads)' : 'no: reads differ' }),
    });
    const localRow = core('core, local file (in-process time)', local, true);
    const plainRow = core('core, Objects.open, one GET (in-process time)', plain);
    const checkedRow = core(
      'core, Objects.open, one GET, CRC64NVME verified by the SDK (in-process time)',
      checked,
    );
    const rangedRow = core(
      `core, Objects.open, ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight as deployed, CRC64NVME object (in-process time)`,
      [rangedRun],
    );
    const drainedRow: Measured = {
      ...core('Objects.open, one GET, body read to the end, no core (in-process time)', drained),
      agrees: undefined,
    };
    const curlRow: Measured = {
      group: GROUP,
      tool: 'curl GET from the emulator, no parsing (whole process)',
      input: label(file),
      bytes: file.uncompressedBytes,
      seconds: transfer.map((r) => r.seconds),
      peakRssKiB: peakOf(transfer),
    };
    ctx.rows.push(localRow, plainRow, checkedRow, drainedRow, curlRow, rangedRow);
    const versus = (row: Measured) => throughputOf(row) / throughputOf(localRow);
    ctx.checks.push(
      atLeast('S3 path, one GET ÷ local file, MB/s', versus(plainRow), 0.8),
      atLeast('S3 path, one GET, CRC64NVME verified ÷ local file', versus(checkedRow), 0.8),
      {
        ...atLeast(
          `S3 path as deployed (${DEPLOYED_READ_CONCURRENCY} ranged GETs) ÷ local file`,
          versus(rangedRow),
          0.8,
        ),
        met: undefined,
        measured: `${versus(rangedRow).toFixed(2)}× (emulator-bound, see notes)`,
      },
      atMost(
        `S3 path as deployed (${DEPLOYED_READ_CONCURRENCY} ranged GETs): peak RSS`,
        rssMiB(rangedRow.peakRssKiB),
        MEMORY_LIMIT_MIB,
        'MiB',
      ),
    );
  } finally {
    await emulator.stop();
    rmSync(sharedDir, { recursive: true, force: true });
  }
}
