/**
 * Is the path from S3 a bottleneck? The same plain FASTQ runs through the core from a local file
 * and from the local cloud's emulator (`runJobOnObject`, as the dispatcher and the worker read),
 * alternately; the core's own time is compared (process start-up excluded from both). As
 * deployed, a plain FASTQ is read in slices, one ranged GET each (the deployed read concurrency,
 * 4; and 2 beside it), all received and parsed on the main thread; one GET (how a gzipped or CSV
 * input is read) is measured beside it, and the local file is read both as one stream (the
 * reference) and in two slices, as the CLI reads it. The object is stored twice: without a
 * checksum (the transfer path alone) and with a full-object CRC64NVME checksum, which is what S3
 * gives new objects by default and which the SDK then verifies on every GET of the whole object. Reading the body
 * without the core, and `curl` fetching the object, show where the time goes: our reader or the
 * emulator. Where nginx is installed, the same GETs are served by it as well (static-s3.ts): S3
 * serves from other machines, the emulator from the two cores the reader and the parser share, so
 * the target is measured there; so are ranged GETs as the deployed stack makes them, which the
 * emulator serves by reading the whole object for each (without nginx they run once there, for
 * the memory figure), and the read as deployed on one vCPU (the default function, 1,769 MB, and
 * the default task): pinned to one CPU, where the code reads a plain FASTQ in slices on the main
 * thread (and in order with ranged GETs where the slices leave it), against the local file read
 * on one CPU. The reads as deployed are measured again from a server pacing each request at S3's
 * documented rate (paced-s3-server.py), where the number of connections bounds the speed, and
 * from one that also waits before each GET's first byte as S3 does, which a read pays per
 * request. The inputs read with one GET, a gzipped FASTQ and a CSV, are read as deployed at S3's
 * rate too, for their memory.
 */
import { parseCoreRun } from '../lib/core-run.js';
import { DEFAULT_PART_BYTES } from '../../src/runtime/aws/ranged-read.js';
import { emulatorInstalled, withEmulatorBucket } from '../lib/emulator-bucket.js';
import {
  nginxBinary,
  pacedServerAvailable,
  S3_BYTES_PER_SECOND_PER_REQUEST,
  S3_FIRST_BYTE_SECONDS,
  withStaticS3,
  type StaticS3,
} from '../lib/static-s3.js';
import { REPO_ROOT, type ReadyInput } from '../lib/inputs.js';
import { runTimed, type RunResult } from '../lib/measure.js';
import { maxOf, median } from '../lib/stats.js';
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
  type Contender,
  DEPLOYED_READ_CONCURRENCY,
  wholeProcessRow,
} from './context.js';

const GROUP = 'S3 path';
const PLAIN_KEY = 'bench/no-checksum/reads.fq';
/** Inputs read with one GET, as a gzipped or CSV input is: served by the paced server only. */
const GZIP_KEY = 'bench/no-checksum/reads.fq.gz';
const CSV_KEY = 'bench/no-checksum/table.csv';
const CHECKSUM_KEY = 'bench/crc64nvme/reads.fq';
const RANGE_BYTES = DEFAULT_PART_BYTES;
/** The CPU a run is pinned to where it plays a function or task of one vCPU. */
const ONE_CPU = '0';
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
  const gzipped = await input(ctx, ctx.inputs.fastqGz);
  const csv = await input(ctx, ctx.inputs.csv);
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
    const stream = ['--slices', 'no'];
    const twoSlices = ['--read-concurrency', '2'];
    const objects = { [PLAIN_KEY]: file.path, [GZIP_KEY]: gzipped.path, [CSV_KEY]: csv.path };
    const served = await withStaticS3IfInstalled(ctx, objects, (servers) => {
      const { server, atS3Rate, withFirstByte } = servers ?? {};
      const fromServerAt = (
        { endpoint, bucket }: StaticS3,
        key: string,
        format: string,
        ...extra: string[]
      ) => ({
        argv: coreRunnerCommand('--s3', `s3://${bucket}/${key}`, '--format', format, ...extra),
        options: { env: { ...process.env, ...env, AWS_ENDPOINT_URL: endpoint } },
      });
      // The same reads from nginx: S3's side of the transfer off this machine's cores.
      const fromServer = (served: StaticS3, ...extra: string[]) =>
        fromServerAt(served, PLAIN_KEY, 'fastq', ...extra);
      return alternate(
        ctx,
        [
          { name: 'local file', argv: coreRunnerCommand('--file', file.path, '--format', 'fastq') },
          {
            name: 'local file, two slices',
            argv: coreRunnerCommand('--file', file.path, '--format', 'fastq', '--slices', 'yes'),
          },
          { name: 'as deployed', ...fromS3(PLAIN_KEY, ...ranged) },
          { name: 'one GET', ...fromS3(PLAIN_KEY, ...stream) },
          { name: 'one GET, CRC64NVME', ...fromS3(CHECKSUM_KEY, ...stream) },
          { name: 'one GET, drained', ...fromS3(PLAIN_KEY, '--drain') },
          // curl prints when the first byte came: the emulator's wait, for comparison with ours.
          {
            name: 'curl',
            argv: [...curl.slice(0, -1), '-w', '%{time_starttransfer}', curl.at(-1) as string],
          },
          ...(server
            ? [
                { name: 'nginx, as deployed', ...fromServer(server, ...ranged) },
                { name: 'nginx, two slices', ...fromServer(server, ...twoSlices) },
                { name: 'nginx, one GET', ...fromServer(server, ...stream) },
                { name: 'nginx, ranged GETs', ...fromServer(server, ...stream, ...ranged) },
                // Pinned to one CPU, the runner makes the deployed code's own choices for one vCPU.
                {
                  name: 'local file, one CPU',
                  argv: coreRunnerCommand('--file', file.path, '--format', 'fastq'),
                  options: { cpus: ONE_CPU },
                },
                onOneCpu({ name: 'nginx, one vCPU, as deployed', ...fromServer(server, ...ranged) }),
                onOneCpu({ name: 'nginx, one vCPU, one GET', ...fromServer(server) }),
                onOneCpu({
                  name: 'nginx, one vCPU, ranged GETs',
                  ...fromServer(server, ...stream, ...ranged),
                }),
                ...(atS3Rate && withFirstByte
                  ? [
                      { name: "S3's rate, as deployed", ...fromServer(atS3Rate, ...ranged) },
                      onOneCpu({
                        name: "S3's rate, one vCPU, as deployed",
                        ...fromServer(atS3Rate, ...ranged),
                      }),
                      { name: "S3's first byte, as deployed", ...fromServer(withFirstByte, ...ranged) },
                      onOneCpu({
                        name: "S3's first byte, one vCPU, as deployed",
                        ...fromServer(withFirstByte, ...ranged),
                      }),
                      onOneCpu({
                        name: "S3's first byte, one vCPU, ranged GETs",
                        ...fromServer(withFirstByte, ...stream, ...ranged),
                      }),
                      // Read as deployed, with one GET (the read concurrency does not apply).
                      {
                        name: "S3's rate, gzipped FASTQ",
                        ...fromServerAt(atS3Rate, GZIP_KEY, 'fastq', ...ranged),
                      },
                      onOneCpu({
                        name: "S3's rate, gzipped FASTQ, one vCPU",
                        ...fromServerAt(atS3Rate, GZIP_KEY, 'fastq', ...ranged),
                      }),
                      { name: "S3's rate, CSV", ...fromServerAt(atS3Rate, CSV_KEY, 'csv', ...ranged) },
                      onOneCpu({
                        name: "S3's rate, CSV, one vCPU",
                        ...fromServerAt(atS3Rate, CSV_KEY, 'csv', ...ranged),
                      }),
                    ]
                  : []),
                {
                  name: 'nginx, curl',
                  argv: [
                    'curl',
                    '-sSf',
                    '-o',
                    '/dev/null',
                    `${server.endpoint}/${server.bucket}/${PLAIN_KEY}`,
                  ],
                },
              ]
            : []),
        ],
        s3Runs(ctx),
      );
    });
    const [
      local = [],
      localSlices = [],
      deployed = [],
      streamed = [],
      checked = [],
      drained = [],
      transfer = [],
      nginxDeployed,
      nginxTwoSlices,
      nginxStreamed,
      nginxRanged,
      localOneCpu,
      nginxOneCpu,
      nginxOneCpuOneGet,
      nginxOneCpuRanged,
      atS3RateDeployed,
      atS3RateOneCpu,
      firstByteDeployed,
      firstByteOneCpu,
      firstByteOneCpuRanged,
      gzipDeployed,
      gzipOneCpu,
      csvDeployed,
      csvOneCpu,
      nginxCurl,
    ] = served;
    // The emulator serves each ranged GET by reading the whole object, so ranged reads of a large
    // object take minutes there whatever the reader does. nginx serves ranges as S3 does; without
    // it, run once against the emulator for the memory figure, and time one range with curl to
    // show why the time is not the reader's.
    let rangedRuns = nginxRanged;
    if (rangedRuns === undefined) {
      ctx.log(`  ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight from the emulator, once`);
      rangedRuns = [
        await runTimed(fromS3(CHECKSUM_KEY, ...stream, ...ranged).argv, {
          cwd: REPO_ROOT,
          ...fromS3(CHECKSUM_KEY).options,
        }),
      ];
    }
    const rangedFromEmulator = nginxRanged === undefined;
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
        'object for every range, so ranged GETs are read from nginx where it is installed' +
        (rangedFromEmulator
          ? '; it is not, so the ranged row measures the emulator, not the reader. Its peak RSS stands.'
          : '.'),
      `S3 path: before the first byte of a GET of the whole object the emulator waits ${curlFirstByte.toFixed(2)} s ` +
        `for curl and ${firstByte(streamed).toFixed(2)} s for the core (median; it reads the object before it answers). ` +
        `S3's own wait (${S3_FIRST_BYTE_SECONDS * 1000} ms where played) is shorter, and routing counts it apart ` +
        '(`startupSeconds`), so the "after the first byte" rows are the streaming rate the target is about.',
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
    const onMainThread = 'received and parsed on the main thread';
    // Ranged GETs read only a plain FASTQ whose slices failed (a bad input).
    const slicesLeftIt = 'a plain FASTQ the slices leave to one reading';
    const inSlices = `as deployed with a second vCPU: a plain FASTQ in ${DEPLOYED_READ_CONCURRENCY} slices, all ${onMainThread}`;
    const fromNginx = "from nginx (S3's side off this machine's cores)";
    const localRow = core('core, local file as one stream (in-process time)', local, { reference: true });
    const localSlicesRow = core(
      'core, local file in two slices, one on each thread, as the CLI reads it (in-process time)',
      localSlices,
    );
    // Three ranged GETs, each answered at once: the whole time is the one compared.
    const deployedRow = core(`core, runJobOnObject, ${inSlices} (in-process time)`, deployed);
    const streamedRow = core(
      `core, Objects.open, one GET ${onMainThread} (as a gzipped or CSV input is read; s3ReadConcurrency 1 for this plain FASTQ) (in-process time)`,
      streamed,
    );
    const streamedStreamingRow = core(`… the same, after the first byte`, streamed, { streaming: true });
    const checkedRow = core(
      `core, Objects.open, one GET ${onMainThread}, CRC64NVME verified by the SDK, after the first byte`,
      checked,
      { streaming: true },
    );
    const rangedRow = rangedFromEmulator
      ? core(
          `core, Objects.open, ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight (${slicesLeftIt}), ${onMainThread} (in-process time)`,
          rangedRuns,
        )
      : core(
          `core, Objects.open, ${DEPLOYED_READ_CONCURRENCY} ranged GETs in flight ${fromNginx} (${slicesLeftIt}), ${onMainThread}, after the first byte`,
          rangedRuns,
          { streaming: true },
        );
    const drainedRow: Measured = {
      ...core('Objects.open, one GET, body read to the end, no core, after the first byte', drained, {
        streaming: true,
      }),
      agrees: undefined,
    };
    const nginxDeployedRow =
      nginxDeployed &&
      core(`core, runJobOnObject, ${fromNginx}, ${inSlices} (in-process time)`, nginxDeployed);
    const nginxTwoSlicesRow =
      nginxTwoSlices &&
      core(
        `core, runJobOnObject, ${fromNginx}, a plain FASTQ in 2 slices (read concurrency 2), both ${onMainThread} (in-process time)`,
        nginxTwoSlices,
      );
    // The whole time too, for a fair look at the slices, whose time includes their GETs' waits.
    const nginxStreamedWholeRow =
      nginxStreamed &&
      core(`core, Objects.open, one GET ${fromNginx}, ${onMainThread} (in-process time)`, nginxStreamed);
    const nginxStreamedRow =
      nginxStreamed &&
      core(`… the same, after the first byte`, nginxStreamed, {
        streaming: true,
      });
    const oneVcpu = 'a function below 3,538 MB or a task of 1 vCPU, pinned to one CPU here';
    const inSlicesHere = `a plain FASTQ in ${DEPLOYED_READ_CONCURRENCY} slices, all received and parsed on the main thread`;
    // How a plain FASTQ was read on one vCPU before the slices, and still is where they leave it.
    const rangedHere = `${DEPLOYED_READ_CONCURRENCY} ranged GETs of ${RANGE_BYTES / 2 ** 20} MiB in flight, in order, read and parsed on the main thread (${slicesLeftIt})`;
    const localOneCpuRow =
      localOneCpu && core('core, local file as one stream, on one CPU (in-process time)', localOneCpu);
    const nginxOneCpuRow =
      nginxOneCpu &&
      core(
        `core, runJobOnObject, ${fromNginx}, as deployed on one vCPU (${oneVcpu}): ${inSlicesHere} (in-process time)`,
        nginxOneCpu,
      );
    const nginxOneCpuRangedRow =
      nginxOneCpuRanged &&
      core(`core, Objects.open, ${fromNginx}, one vCPU, ${rangedHere} (in-process time)`, nginxOneCpuRanged);
    const nginxOneCpuOneGetRow =
      nginxOneCpuOneGet &&
      core(
        `core, runJobOnObject, ${fromNginx}, one vCPU, one GET read and parsed on the main thread (as a gzip or CSV input is read there; s3ReadConcurrency 1 for this plain FASTQ) (in-process time)`,
        nginxOneCpuOneGet,
      );
    const atS3Rate = `from a server pacing each request at S3's rate, ${S3_BYTES_PER_SECOND_PER_REQUEST / 1e6} MB/s`;
    const atS3RateDeployedRow =
      atS3RateDeployed &&
      core(`core, runJobOnObject, ${atS3Rate}, ${inSlices} (in-process time)`, atS3RateDeployed);
    const atS3RateOneCpuRow =
      atS3RateOneCpu &&
      core(
        `core, runJobOnObject, ${atS3Rate}, as deployed on one vCPU (${oneVcpu}): ${inSlicesHere} (in-process time)`,
        atS3RateOneCpu,
      );
    const withWait = `${atS3Rate}, each GET answering after ${S3_FIRST_BYTE_SECONDS * 1000} ms (S3's wait for a first byte)`;
    const firstByteDeployedRow =
      firstByteDeployed &&
      core(`core, runJobOnObject, ${withWait}, ${inSlices} (in-process time)`, firstByteDeployed);
    const firstByteOneCpuRow =
      firstByteOneCpu &&
      core(
        `core, runJobOnObject, ${withWait}, as deployed on one vCPU: ${inSlicesHere} (in-process time)`,
        firstByteOneCpu,
      );
    const firstByteOneCpuRangedRow =
      firstByteOneCpuRanged &&
      core(
        `core, Objects.open, ${withWait}, one vCPU, ${rangedHere} (in-process time)`,
        firstByteOneCpuRanged,
      );
    // The inputs read with one GET, each in a group of its own (no reference: the target is their
    // memory), as deployed: received on the main thread, a gzipped FASTQ parsed on the parse thread.
    const oneGetRow = (
      group: string,
      tool: string,
      check: string,
      read: ReadyInput,
      runs: RunResult[] | undefined,
    ) =>
      runs && {
        check: `${group} ${check}`,
        row: {
          group,
          tool: `core, runJobOnObject, ${atS3Rate}, ${tool} (in-process time)`,
          input: label(read),
          bytes: read.uncompressedBytes,
          seconds: runs.map((r) => parseCoreRun(r.stdout).seconds),
          peakRssKiB: peakOf(runs),
        } satisfies Measured,
      };
    const gzipGroup = 'S3 path, gzipped FASTQ';
    const csvGroup = 'S3 path, CSV';
    const withSecondVcpu = 'as deployed with a second vCPU';
    const oneGetRows = [
      oneGetRow(
        gzipGroup,
        `${withSecondVcpu}: one GET received and inflated on the main thread, parsed on the parse thread`,
        'as deployed',
        gzipped,
        gzipDeployed,
      ),
      oneGetRow(gzipGroup, `as deployed on one vCPU (${oneVcpu})`, 'on one vCPU', gzipped, gzipOneCpu),
      oneGetRow(
        csvGroup,
        `${withSecondVcpu}: one GET received and profiled on the main thread`,
        'as deployed',
        csv,
        csvDeployed,
      ),
      oneGetRow(csvGroup, `as deployed on one vCPU (${oneVcpu})`, 'on one vCPU', csv, csvOneCpu),
    ].filter((row) => row !== undefined);
    const nginxCurlRow =
      nginxCurl &&
      wholeProcessRow(
        {
          group: GROUP,
          tool: 'curl GET from nginx, no parsing (whole process)',
          input: label(file),
          bytes: file.uncompressedBytes,
        },
        nginxCurl,
      );
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
      localSlicesRow,
      deployedRow,
      streamedRow,
      streamedStreamingRow,
      checkedRow,
      drainedRow,
      curlRow,
      ...[
        nginxDeployedRow,
        nginxTwoSlicesRow,
        nginxStreamedWholeRow,
        nginxStreamedRow,
        localOneCpuRow,
        nginxOneCpuRow,
        nginxOneCpuOneGetRow,
        nginxOneCpuRangedRow,
        atS3RateDeployedRow,
        atS3RateOneCpuRow,
        firstByteDeployedRow,
        firstByteOneCpuRow,
        firstByteOneCpuRangedRow,
        nginxCurlRow,
      ].filter((row) => row !== undefined),
      rangedRow,
      ...oneGetRows.map(({ row }) => row),
    );
    const versus = (row: Measured, reference = localRow) => throughputOf(row) / throughputOf(reference);
    const informative = (check: Check): Check => ({ ...check, met: undefined });
    // The target is the reader's: measured against nginx where it is installed, the emulator's
    // own share of the two cores left out (see static-s3.ts); against the emulator otherwise.
    const target = nginxDeployedRow ?? deployedRow;
    const where = nginxDeployedRow ? 'from nginx' : 'from the emulator';
    ctx.checks.push(
      atLeast(
        `S3 path as deployed (a plain FASTQ in slices) ${where} ÷ local file as one stream`,
        versus(target),
        0.8,
      ),
      informative(
        atLeast(
          `S3 path as deployed (a plain FASTQ in slices) ${where} ÷ local file in two slices`,
          versus(target, localSlicesRow),
          0.8,
        ),
      ),
      ...(nginxTwoSlicesRow
        ? [
            informative(
              atLeast(
                'S3 path, 2 slices from nginx ÷ local file as one stream',
                versus(nginxTwoSlicesRow),
                0.8,
              ),
            ),
            informative(
              atMost(
                'S3 path, 2 slices from nginx: peak RSS',
                rssMiB(nginxTwoSlicesRow.peakRssKiB),
                MEMORY_LIMIT_MIB,
                'MiB',
              ),
            ),
          ]
        : []),
      ...(nginxDeployedRow
        ? [
            informative(
              atLeast(
                'S3 path as deployed, from the emulator ÷ local file as one stream',
                versus(deployedRow),
                0.8,
              ),
            ),
          ]
        : []),
      informative(
        atLeast(
          `S3 path, one GET ${nginxStreamedRow ? 'from nginx ' : ''}÷ local file, after the first byte`,
          versus(nginxStreamedRow ?? streamedStreamingRow),
          0.8,
        ),
      ),
      ...(nginxOneCpuRow && localOneCpuRow && nginxOneCpuOneGetRow
        ? [
            atLeast(
              `S3 path as deployed on one vCPU (${DEPLOYED_READ_CONCURRENCY} slices, main thread) from nginx ÷ local file, both on one CPU`,
              versus(nginxOneCpuRow, localOneCpuRow),
              0.8,
            ),
            atMost(
              'S3 path as deployed on one vCPU: peak RSS',
              rssMiB(
                maxOf([
                  nginxOneCpuRow.peakRssKiB,
                  atS3RateOneCpuRow?.peakRssKiB,
                  firstByteOneCpuRow?.peakRssKiB,
                ]),
              ),
              MEMORY_LIMIT_MIB,
              'MiB',
            ),
            informative(
              atLeast(
                'S3 path, one vCPU, one GET (as a gzip or CSV input is read there) from nginx ÷ local file, both on one CPU',
                versus(nginxOneCpuOneGetRow, localOneCpuRow),
                0.8,
              ),
            ),
            informative(
              atMost(
                'S3 path, one vCPU, one GET (as a gzip or CSV input is read there): peak RSS',
                rssMiB(nginxOneCpuOneGetRow.peakRssKiB),
                MEMORY_LIMIT_MIB,
                'MiB',
              ),
            ),
          ]
        : []),
      // What S3's rate per request leaves of the speed: a bound of the connections' number.
      ...(atS3RateDeployedRow && atS3RateOneCpuRow && localOneCpuRow
        ? [
            informative(
              atLeast(
                `S3 path as deployed (a plain FASTQ in slices) at S3's rate per request ÷ local file as one stream`,
                versus(atS3RateDeployedRow),
                0.8,
              ),
            ),
            informative(
              atLeast(
                `S3 path as deployed on one vCPU at S3's rate per request ÷ local file, both on one CPU`,
                versus(atS3RateOneCpuRow, localOneCpuRow),
                0.8,
              ),
            ),
          ]
        : []),
      // What S3's wait for a first byte costs a read that pays it per slice, or per part.
      ...(firstByteDeployedRow && firstByteOneCpuRow && firstByteOneCpuRangedRow && localOneCpuRow
        ? [
            informative(
              atLeast(
                `S3 path as deployed (a plain FASTQ in slices) at S3's rate and first byte ÷ local file as one stream`,
                versus(firstByteDeployedRow),
                0.8,
              ),
            ),
            informative(
              atLeast(
                `S3 path as deployed on one vCPU at S3's rate and first byte ÷ local file, both on one CPU`,
                versus(firstByteOneCpuRow, localOneCpuRow),
                0.8,
              ),
            ),
            informative(
              atLeast(
                `S3 path, one vCPU, ${DEPLOYED_READ_CONCURRENCY} ranged GETs at S3's rate and first byte ÷ local file, both on one CPU`,
                versus(firstByteOneCpuRangedRow, localOneCpuRow),
                0.8,
              ),
            ),
          ]
        : []),
      informative(
        atLeast(
          'S3 path, one GET, CRC64NVME verified ÷ local file, after the first byte',
          versus(checkedRow),
          0.8,
        ),
      ),
      atMost(
        'S3 path as deployed (a plain FASTQ in slices): peak RSS',
        rssMiB(
          maxOf([
            deployedRow.peakRssKiB,
            nginxDeployedRow?.peakRssKiB,
            atS3RateDeployedRow?.peakRssKiB,
            firstByteDeployedRow?.peakRssKiB,
          ]),
        ),
        MEMORY_LIMIT_MIB,
        'MiB',
      ),
      atMost(
        'S3 path, one GET: peak RSS',
        rssMiB(maxOf([streamedRow.peakRssKiB, nginxStreamedRow?.peakRssKiB])),
        MEMORY_LIMIT_MIB,
        'MiB',
      ),
      rangedFromEmulator
        ? {
            ...atLeast(
              `S3 path, ${DEPLOYED_READ_CONCURRENCY} ranged GETs ÷ local file`,
              versus(rangedRow),
              0.8,
            ),
            met: undefined,
            measured: `${versus(rangedRow).toFixed(2)}× (emulator-bound, see notes)`,
          }
        : informative(
            atLeast(
              `S3 path, ${DEPLOYED_READ_CONCURRENCY} ranged GETs from nginx ÷ local file, after the first byte`,
              versus(rangedRow),
              0.8,
            ),
          ),
      informative(
        atMost(
          `S3 path, ${DEPLOYED_READ_CONCURRENCY} ranged GETs: peak RSS`,
          rssMiB(rangedRow.peakRssKiB),
          MEMORY_LIMIT_MIB,
          'MiB',
        ),
      ),
      ...oneGetRows.map(({ check, row }) =>
        atMost(`${check} at S3's rate: peak RSS`, rssMiB(row.peakRssKiB), MEMORY_LIMIT_MIB, 'MiB'),
      ),
    );
  });
}

/** The contender pinned to one CPU, where `hasSecondCpu` is false and the code reads as on one vCPU. */
function onOneCpu(contender: Contender): Contender {
  return { ...contender, options: { ...contender.options, cpus: ONE_CPU } };
}

/**
 * nginx, as fast as this machine serves, and the paced server, at S3's rate per request, without
 * and with S3's wait for a first byte.
 */
interface Servers {
  server: StaticS3;
  atS3Rate: StaticS3;
  withFirstByte: StaticS3;
}

/** Runs `use` with both serving `objects` where they can run, with `undefined` elsewhere. */
function withStaticS3IfInstalled<T>(
  ctx: BenchContext,
  objects: Record<string, string>,
  use: (servers: Servers | undefined) => Promise<T>,
): Promise<T> {
  if (nginxBinary() !== undefined && pacedServerAvailable())
    return withStaticS3(objects, (server) =>
      withStaticS3(
        objects,
        (atS3Rate) =>
          withStaticS3(objects, (withFirstByte) => use({ server, atS3Rate, withFirstByte }), {
            bytesPerSecondPerRequest: S3_BYTES_PER_SECOND_PER_REQUEST,
            firstByteSeconds: S3_FIRST_BYTE_SECONDS,
          }),
        { bytesPerSecondPerRequest: S3_BYTES_PER_SECOND_PER_REQUEST },
      ),
    );
  ctx.log(
    '  nginx is not installed (apt-get install nginx-light) or the paced server cannot run (Linux only): the rows read from them are skipped',
  );
  return use(undefined);
}
