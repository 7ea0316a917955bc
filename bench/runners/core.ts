/**
 * Runs the job core once and prints one JSON line: the seconds `runJob` took (from opening the
 * source to the report, process start-up excluded), the bytes it saw and the figures the bench
 * compares with the reference tools.
 *
 *   node scripts/bundled.mjs bench/runners/core.ts --file F [--format fastq|csv]
 *   … | node scripts/bundled.mjs bench/runners/core.ts --stdin --format fastq     (any length, streamed)
 *   node scripts/bundled.mjs bench/runners/core.ts --s3 s3://bucket/key [--read-concurrency N]
 *       (Objects.open against AWS_ENDPOINT_URL; N > 1 reads with that many ranged GETs in flight)
 *
 * `--parse-thread yes|no` parses on the core's parse thread or on the main thread. By default
 * as the runtime chooses (src/runtime/wiring.ts): the core's default where `hasSecondCpu` says
 * the quota allows two CPUs, the main thread where it does not.
 * `--slices yes|no`: read a plain FASTQ in slices (`runJobInSlices`), or as one stream. By
 * default a file as one stream (the reference the S3 rows are compared with) and an S3 object as
 * the runtime reads it (`runJobOnObject`: in slices, all received and parsed on the main thread).
 * `--drain` reads the source to the end without running the core, to time the source alone.
 */
import { parseArgs } from 'node:util';
import {
  fileChunks,
  runJob,
  runJobOnFile,
  stdinChunks,
  type ByteSource,
  type Format,
} from '../../src/core/index.js';
import { summarize, type CoreRun } from '../lib/core-run.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    stdin: { type: 'boolean', default: false },
    s3: { type: 'string' },
    format: { type: 'string' },
    drain: { type: 'boolean', default: false },
    'read-concurrency': { type: 'string', default: '1' },
    'parse-thread': { type: 'string' },
    slices: { type: 'string' },
  },
});

/** `--slices`, or undefined for the default. */
function slicesFlag(): boolean | undefined {
  const given = values.slices;
  if (given === 'yes' || given === 'no') return given === 'yes';
  if (given !== undefined) throw new Error(`--slices takes yes or no, not ${given}`);
  return undefined;
}

/** s3://bucket/key → [bucket, key]. */
function s3Location(url: string): [string, string] {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`--s3 takes s3://bucket/key, not ${url}`);
  return [match[1] as string, match[2] as string];
}

/** Reads from S3 with the clients and settings the runtime would use here (see the header). */
async function s3Objects() {
  // Loaded only here, so the file and stdin runs do not pay for the SDK's import.
  const { createClients } = await import('../../src/runtime/aws/clients.js');
  const { Objects } = await import('../../src/runtime/aws/objects.js');
  return new Objects(createClients(process.env).s3, { readConcurrency: Number(values['read-concurrency']) });
}

/** Opens the source; the clock starts here, as a file's read starts at its open. */
interface Opened {
  source: ByteSource;
  name: string;
  started: bigint;
  /** When the first byte arrived (S3 only): the emulator's wait before it streams. */
  firstByte?: { at?: bigint };
}

async function* timingFirstByte(body: AsyncIterable<Uint8Array>, firstByte: { at?: bigint }) {
  for await (const chunk of body) {
    firstByte.at ??= process.hrtime.bigint();
    yield chunk;
  }
}

async function open(): Promise<Opened> {
  if (values.file !== undefined) {
    const started = process.hrtime.bigint();
    return {
      // As one stream, 1 MiB buffers reused (the CLI reads a plain FASTQ file in two slices: runJobOnFile).
      source: fileChunks(values.file),
      name: values.file,
      started,
    };
  }
  if (values.stdin) {
    const started = process.hrtime.bigint();
    return {
      source: stdinChunks(),
      name: 'stdin',
      started,
    };
  }
  if (values.s3 !== undefined) {
    const [bucket, key] = s3Location(values.s3);
    const objects = await s3Objects();
    // The pipeline knows the size from its HEAD before it opens the object.
    const { size } = await objects.head(bucket, key);
    const started = process.hrtime.bigint();
    const opened = await objects.open(bucket, key, null, { size });
    const firstByte: { at?: bigint } = {};
    return { source: timingFirstByte(opened.body, firstByte), name: key, started, firstByte };
  }
  throw new Error('give --file, --stdin or --s3');
}

/** `--parse-thread`, or what the deployed code chooses (see the header). */
async function parseThread(): Promise<boolean | undefined> {
  const given = values['parse-thread'];
  if (given === 'yes' || given === 'no') return given === 'yes';
  if (given !== undefined) throw new Error(`--parse-thread takes yes or no, not ${given}`);
  if (values.s3 === undefined) return undefined;
  const { hasSecondCpu } = await import('../../src/runtime/settings.js');
  return hasSecondCpu(process.env) ? undefined : false;
}

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** The core's run as the runtime makes it on an S3 object (`runJobOnObject`). */
async function runOnObject(url: string): Promise<CoreRun> {
  const [bucket, key] = s3Location(url);
  const objects = await s3Objects();
  const { runJobOnObject } = await import('../../src/runtime/execute.js');
  const { size } = await objects.head(bucket, key);
  const started = process.hrtime.bigint();
  const format = values.format as Format | undefined;
  const { report } = await runJobOnObject(
    objects,
    { bucket, key, versionId: null, size },
    { name: key, ...(format ? { format } : {}), parseOnThread: await parseThread() },
  );
  return summarize(report, elapsed(started));
}

/** The core's run on a file, in slices where it can (`runJobOnFile`). */
async function runOnFile(path: string): Promise<CoreRun> {
  const started = process.hrtime.bigint();
  const format = values.format as Format | undefined;
  const report = await runJobOnFile(path, { name: path, ...(format ? { format } : {}) });
  return summarize(report, elapsed(started));
}

async function runOnStream(): Promise<CoreRun> {
  const { source, name, started, firstByte } = await open();
  let run: CoreRun;
  if (values.drain) {
    let bytes = 0;
    for await (const chunk of source as AsyncIterable<Uint8Array>) bytes += chunk.length;
    run = { seconds: elapsed(started), bytes, uncompressedBytes: bytes, gzip: false };
  } else {
    const format = values.format as Format | undefined;
    const report = await runJob(source, {
      name,
      ...(format ? { format } : {}),
      parseOnThread: await parseThread(),
    });
    run = summarize(report, elapsed(started));
  }
  if (firstByte?.at !== undefined) run.firstByteSeconds = Number(firstByte.at - started) / 1e9;
  return run;
}

const slices = slicesFlag();
const run =
  values.drain || slices === false
    ? await runOnStream()
    : values.s3 !== undefined
      ? await runOnObject(values.s3)
      : values.file !== undefined && slices === true
        ? await runOnFile(values.file)
        : await runOnStream();
process.stdout.write(`${JSON.stringify(run)}\n`);
