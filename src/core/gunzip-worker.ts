/**
 * Gzip decompression on a worker thread, so that inflating (most of the CPU for a gzipped
 * FASTQ) overlaps with parsing on the main thread. Worth it only with a second core.
 *
 * The worker's code is a string run with `eval: true` and needs only Node.js built-ins, so it
 * survives bundling: a bundle of the core is one file with no worker script beside it.
 *
 * Memory stays bounded and flat. Buffers go back and forth instead of being allocated per
 * chunk: the main thread copies the compressed input (the source may reuse its buffer) into
 * buffers the worker returns once zlib has consumed them, and the worker copies zlib's output
 * into buffers the main thread returns once the consumer has asked for the next chunk. At most
 * `INPUT_WINDOW` and `OUTPUT_WINDOW` buffers are in flight; zlib pauses while the consumer is
 * behind, and the main thread stops reading while zlib is.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from './api.js';

/** Size of the buffers compressed input is sent in. */
const INPUT_BYTES = 1 << 20;
/** Input buffers sent to the worker and not yet consumed by zlib. */
const INPUT_WINDOW = 2;
/** Decompressed buffers sent by the worker and not yet returned by the consumer. */
const OUTPUT_WINDOW = 3;
/**
 * zlib's own output buffers in the worker, copied out at once. Each is a job on the thread
 * pool and a hop back to the worker: fewer, larger ones keep zlib busier.
 */
const ZLIB_CHUNK_BYTES = 1 << 20;

/** Runs in the worker: zlib's output, copied into buffers of `chunkBytes` that are sent full. */
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createGunzip } = require('node:zlib');
const { chunkBytes, zlibChunkBytes, outputWindow } = workerData;
const gunzip = createGunzip({ chunkSize: zlibChunkBytes });
const spare = [];
let inFlight = 0;
let out = null;
let filled = 0;
// V8 frees zlib's spent output buffers only when it collects this thread's heap, which the
// code here allocates too little to fill: some 30 MiB of them would pile up. A small young
// generation (resourceLimits) and 64 KiB of garbage per buffer sent bring a collection every
// few MiB instead.
let ballast = null;

function send() {
  ballast = new Array(8192).fill(0);
  const buffer = out.buffer;
  parentPort.postMessage({ type: 'data', buffer, length: filled }, [buffer]);
  out = null;
  if (++inFlight >= outputWindow) gunzip.pause();
}

gunzip.on('data', (chunk) => {
  let at = 0;
  while (at < chunk.length) {
    if (out === null) {
      out = new Uint8Array(spare.pop() ?? new ArrayBuffer(chunkBytes));
      filled = 0;
    }
    const n = Math.min(chunk.length - at, out.length - filled);
    out.set(chunk.subarray(at, at + n), filled);
    filled += n;
    at += n;
    if (filled === out.length) send();
  }
});
gunzip.on('end', () => {
  if (out !== null && filled > 0) send();
  parentPort.postMessage({ type: 'end' });
});
gunzip.on('error', (error) => {
  parentPort.postMessage({ type: 'error', message: error.message, code: error.code });
});
parentPort.on('message', (message) => {
  if (message.type === 'input') {
    gunzip.write(new Uint8Array(message.buffer, 0, message.length), (error) => {
      if (!error) parentPort.postMessage({ type: 'consumed', buffer: message.buffer }, [message.buffer]);
    });
  } else if (message.type === 'end') {
    gunzip.end();
  } else if (message.type === 'returned') {
    spare.push(message.buffer);
    if (--inFlight < outputWindow) gunzip.resume();
  }
});
`;

type FromWorker =
  | { type: 'data'; buffer: ArrayBuffer; length: number }
  | { type: 'consumed'; buffer: ArrayBuffer }
  | { type: 'end' }
  | { type: 'error'; message: string; code?: string };

/**
 * The decompressed content of `compressed` (gzip, one or more members), inflated on a worker
 * thread, in buffers of `chunkBytes` (the last may be shorter). A buffer is valid until the
 * next one is asked for: it then goes back to the worker. Stopping the iteration early stops
 * the worker and the reading of `compressed`.
 */
export async function* gunzipOnWorker(
  compressed: AsyncIterable<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the parent's flags: a loader the parent runs under (tsx, say) would load here too.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
    workerData: { chunkBytes, zlibChunkBytes: ZLIB_CHUNK_BYTES, outputWindow: OUTPUT_WINDOW },
  });
  const output: Buffer[] = [];
  const spare: ArrayBuffer[] = [];
  let ended = false;
  let failure: unknown;
  let unconsumed = 0;
  let stopped = false;
  // The consumer waits for output, the feeder for room in the input window.
  let consumerWaiting: (() => void) | undefined;
  let feederWaiting: (() => void) | undefined;
  const wakeConsumer = (): void => {
    const resolve = consumerWaiting;
    consumerWaiting = undefined;
    resolve?.();
  };
  const wakeFeeder = (): void => {
    const resolve = feederWaiting;
    feederWaiting = undefined;
    resolve?.();
  };

  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'data':
        output.push(Buffer.from(message.buffer, 0, message.length));
        break;
      case 'consumed':
        spare.push(message.buffer);
        unconsumed--;
        wakeFeeder();
        break;
      case 'end':
        ended = true;
        break;
      case 'error':
        failure ??= message.code?.startsWith('Z_')
          ? new InputError(`corrupt or truncated gzip data: ${message.message}`, 'GZIP_CORRUPT')
          : new Error(`gzip worker: ${message.message}`);
        wakeFeeder();
        break;
    }
    wakeConsumer();
  });
  worker.on('error', (error) => {
    failure ??= error;
    wakeFeeder();
    wakeConsumer();
  });
  worker.on('exit', (code) => {
    if (!ended && !stopped) failure ??= new Error(`gzip worker stopped unexpectedly (exit code ${code})`);
    wakeFeeder();
    wakeConsumer();
  });

  // Compressed chunks are copied (the source may reuse its buffer) into buffers of
  // `INPUT_BYTES`, each sent once full, so small chunks from a network source cost no more
  // messages than large ones.
  let filling: Uint8Array | undefined;
  let filled = 0;
  const post = async (): Promise<void> => {
    const buffer = (filling as Uint8Array).buffer as ArrayBuffer;
    unconsumed++;
    worker.postMessage({ type: 'input', buffer, length: filled }, [buffer]);
    filling = undefined;
    while (unconsumed >= INPUT_WINDOW && !stopped && failure === undefined) {
      await new Promise<void>((resolve) => (feederWaiting = resolve));
    }
  };
  const feed = async (): Promise<void> => {
    try {
      for await (const chunk of compressed) {
        for (let at = 0; at < chunk.length;) {
          if (stopped || failure !== undefined) return;
          if (filling === undefined) {
            filling = new Uint8Array(spare.pop() ?? new ArrayBuffer(INPUT_BYTES));
            filled = 0;
          }
          const n = Math.min(chunk.length - at, filling.length - filled);
          filling.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === filling.length) await post();
        }
      }
      if (stopped || failure !== undefined) return;
      if (filling !== undefined && filled > 0) await post();
      worker.postMessage({ type: 'end' });
    } catch (error) {
      failure ??= error;
      wakeConsumer();
    }
  };
  // Not awaited when the consumer stops: it may be waiting on a slow read, which the caller
  // cuts short by releasing the source.
  void feed();

  try {
    for (;;) {
      const next = output.shift();
      if (next !== undefined) {
        yield next;
        const buffer = next.buffer as ArrayBuffer;
        worker.postMessage({ type: 'returned', buffer }, [buffer]);
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) break;
      await new Promise<void>((resolve) => (consumerWaiting = resolve));
    }
  } finally {
    stopped = true;
    wakeFeeder();
    await worker.terminate();
  }
}
