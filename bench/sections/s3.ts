/**
 * Is the path from S3 a bottleneck? The same plain FASTQ runs through the core from a local file
 * and from the local cloud's emulator (`Objects.open`, as the dispatcher and the worker read),
 * alternately; the core's own time is compared (process start-up excluded from both). As
 * deployed where a second vCPU is there, the body is received on the HTTP thread and parsed on
 * the main one; read through the SDK's own handler and parsed on one thread, as on smaller
 * Lambdas, is measured beside it. The object is stored twice: without a checksum (the transfer
 * path alone) and with a full-object CRC64NVME checksum, which is what S3 gives new objects by
 * default and which the SDK then verifies on every GET of the whole object. Ranged GETs as the
 * deployed stack makes them run once. Reading the body without the core, and `curl` fetching the
 * object, show where the time goes: our reader or the emulator.
 */
import { parseCoreRun } from '../lib/core-run.js';
import { DEFAULT_PART_BYTES } from '../../src/runtime/aws/ranged-read.js';
import { DEFAULTS } from '../../lib/config.js';
import { emulatorInstalled, withEmulatorBucket } from '../lib/emulator-bucket.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { runTimed, type RunResult } from '../lib/measure.js';
import { median } from '../lib/stats.js';
import { throughputOf, type Check, type Measured } from '../lib/table.js';
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
  wholeProcessRow,
} from './context.js';

const GROUP = 'S3 path';
const PLAIN_KEY = 'bench/no-checksum/reads.fq';
const CHECKSUM_KEY = 'bench/crc64nvme/reads.fq';
/** What the stack sets S3_READ_CONCURRENCY to by default. */
const DEPLOYED_READ_CONCURRENCY = DEFAULTS.s3ReadConcurrency;
const RANGE_BYTES = DEFAULT_PART_BYTES;
/**
 * At least seven runs each: three processes share two cores here (the emulator, the reader and
 * the parser), and their scheduling scatters single runs far more than in the other sections
 * (1.0 to 1.5 s for the same GET).
 */
const s3Runs = (ctx: BenchContext) => (ctx.options.quick ? ctx.options.runs : Math.max(ctx.options.runs, 7));

export async function s3Section(ctx: BenchContext): Promise<void> {
  ctx.log(`\n== ${GROUP}`);
  if (!emulatorInstalled()) {
    ctx.log('  the emulator is not installed (bash scripts/setup-python.sh): section skipped');
    return;
  }
  const file = await input(ctx, ctx.inputs.fastq);
  await withEmulatorBucket(async (cloud) => {
    const { env, credentials } = cloud;
    ctx.log(`  uploading ${label(file)} to the emulator, twice …`);
    const started = Date.now();
    await cloud.upload(PLAIN_KEY, file.path);
    await cloud.upload(CHECKSUM_KEY, file.path, { crc64nvme: true });
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
    const oneThread = ['--reader', 'main-thread', '--parse-thread', 'no'];
    const [local = [], deployed = [], single = [], checked = [], drained = [], transfer = []] =
      await alternate(
        ctx,
        [
          { name: 'local file', argv: coreRunnerCommand('--file', file.path, '--format', 'fastq') },
          { name: 'one GET, as deployed', ...fromS3(PLAIN_KEY) },
          { name: 'one GET, one thread', ...fromS3(PLAIN_KEY, ...oneThread) },
          { name: 'one GET, CRC64NVME', ...fromS3(CHECKSUM_KEY) },
          { name: 'one GET, drained', ...fromS3(PLAIN_KEY, '--drain') },
          // curl prints when the first byte came: the emulator's wait, for comparison with ours.
          {
            name: 'curl',
            argv: [...curl.slice(0, -1), '-w', '%{time_starttransfer}', curl.at(-1) as string],
          },
        ],
        s3Runs(ctx),
      );
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
    const curlFirstByte = median(transfer.map((r) => Number(r.stdout)));
    const firstByte = (runs: RunResult[]) =>
      median(runs.map((r) => parseCoreRun(r.stdout).firstByteSeconds ?? 0));
    ctx.notes.push(
      `S3 path: the emulator took ${oneRange.seconds.toFixed(2)} s to serve one ${RANGE_BYTES / 2 ** 20} MiB range of ` +
        `this object with curl (${median(transfer.map((r) => r.seconds)).toFixed(2)} s for all of it): it reads the whole ` +
        'object for every range, so the ranged row measures the emulator, not the reader. Its peak RSS stands.',
      `S3 path: before the first byte of a GET of the whole object the emulator waits ${curlFirstByte.toFixed(2)} s ` +
        `for curl and ${firstByte(deployed).toFixed(2)} s for the core (median; it reads the object before it answers). ` +
        'S3 answers in tens of milliseconds, and routing counts that wait apart (`startupSeconds`), so the ' +
        '"after the first byte" rows are the streaming rate the target is about.',
    );

    const reads = (runs: RunResult[]) => parseCoreRun(runs[0]?.stdout ?? '{}').fastq?.reads;
    const core = (
      tool: string,
      runs: RunResult[],
      options: { reference?: true; streaming?: true } = {},
    ): Measured => ({
      group: GROUP,
      tool,
      input: label(file),
      bytes: file.uncompressedBytes,
      // The core's own time, as the runner reports it; streaming, without the wait for the first byte.
      seconds: runs.map((r) => {
        const run = parseCoreRun(r.stdout);
        return options.streaming ? run.seconds - (run.firstByteSeconds ?? 0) : run.seconds;
      }),
      peakRssKiB: peakOf(runs),
      ...(options.reference
        ? { reference: true }
        : { agrees: reads(runs) === reads(local) ? 'yes (reads)' : 'no: reads differ' }),
    });
    const asDeployed = 'as deployed with a second vCPU (received on the HTTP thread)';
    const localRow = core('core, local file (in-process time)', local, { reference: true });
    const deployedRow = core(`core, Objects.open, one GET ${asDeployed} (in-process time)`, deployed);
    const deployedStreamingRow = core(`… the same, after the first byte`, deployed, { streaming: true });
    const singleRow = core(
      'core, Objects.open, one GET read and parsed on one thread (Lambda below 3,538 MB) (in-process time)',
      single,
    );
    const singleStreamingRow = core('… the same, after the first byte', single, { streaming: true });
    const checkedRow = core(
      `core, Objects.open, one GET ${asDeployed}, CRC64NVME verified by the SDK, after the first byte`,
      checked,
      { streaming: true },
    );
    const rangedRow = core(
      `core, Objects.open, ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight, ${asDeployed} (in-process time)`,
      [rangedRun],
    );
    const drainedRow: Measured = {
      ...core('Objects.open, one GET, body read to the end, no core, after the first byte', drained, {
        streaming: true,
      }),
      agrees: undefined,
    };
    const curlRow = wholeProcessRow(
      {
        group: GROUP,
        tool: 'curl GET from the emulator, no parsing (whole process)',
        input: label(file),
        bytes: file.uncompressedBytes,
      },
      transfer,
    );
    ctx.rows.push(
      localRow,
      deployedRow,
      deployedStreamingRow,
      singleRow,
      singleStreamingRow,
      checkedRow,
      drainedRow,
      curlRow,
      rangedRow,
    );
    const versus = (row: Measured) => throughputOf(row) / throughputOf(localRow);
    const informative = (check: Check): Check => ({ ...check, met: undefined });
    ctx.checks.push(
      atLeast(
        'S3 path, one GET as deployed ÷ local file, after the first byte',
        versus(deployedStreamingRow),
        0.8,
      ),
      informative(atLeast('S3 path, one GET as deployed ÷ local file, whole time', versus(deployedRow), 0.8)),
      informative(
        atLeast(
          'S3 path, one GET read and parsed on one thread ÷ local file, after the first byte',
          versus(singleStreamingRow),
          0.8,
        ),
      ),
      informative(
        atLeast(
          'S3 path, one GET, CRC64NVME verified ÷ local file, after the first byte',
          versus(checkedRow),
          0.8,
        ),
      ),
      atMost(
        'S3 path, one GET as deployed: peak RSS',
        rssMiB(deployedRow.peakRssKiB),
        MEMORY_LIMIT_MIB,
        'MiB',
      ),
      informative(
        atMost(
          'S3 path, one GET read and parsed on one thread: peak RSS',
          rssMiB(singleRow.peakRssKiB),
          MEMORY_LIMIT_MIB,
          'MiB',
        ),
      ),
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
  });
}
