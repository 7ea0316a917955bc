/**
 * Gzip decompression on a worker thread, so that inflating (most of the CPU for a gzipped
 * FASTQ) overlaps with parsing on the main thread. Worth it only with a second core.
 *
 * The worker drives zlib's engine synchronously, through the handle and write-state array that
 * Node.js's own `gunzipSync` uses (npm's tar goes through the same handle). A zlib stream would
 * hand every buffer to the thread pool and back, and copy its output once more: the same
 * gigabyte inflates in 2.1 s this way against 2.35 s through a stream. zlib keeps gzip's
 * framing: headers, multi-member files, CRC-32 and length checks. `canGunzipOnWorker` says
 * whether this Node.js has that handle; without it the caller inflates on its own thread.
 *
 * The worker's code is a string run with `eval: true` and needs only Node.js built-ins, so it
 * survives bundling: a bundle of the core is one file with no worker script beside it.
 *
 * Memory stays bounded and flat. Buffers go back and forth instead of being allocated per
 * chunk: the main thread copies the compressed input (the source may reuse its buffer) into
 * buffers the worker returns once zlib has consumed them, and zlib writes its output straight
 * into buffers the main thread returns once the consumer has asked for the next chunk. At most
 * `INPUT_WINDOW` and `OUTPUT_WINDOW` buffers are in flight; zlib waits while the consumer is
 * behind, and the main thread stops reading while zlib is.
 */
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { InputError } from './api.js';

/** Size of the buffers compressed input is sent in. */
const INPUT_BYTES = 1 << 20;
/** Input buffers sent to the worker and not yet consumed by zlib. */
const INPUT_WINDOW = 2;
/** Decompressed buffers sent by the worker and not yet returned by the consumer. */
const OUTPUT_WINDOW = 3;

/** The parts of a zlib stream the worker drives; internal to Node.js, hence checked first. */
interface SyncZlibEngine {
  _handle?: { writeSync?: unknown };
  _writeState?: unknown;
}

let engineAvailable: boolean | undefined;

/**
 * Whether this Node.js exposes the zlib handle the worker drives. It is internal, but has kept
 * its shape for years: `gunzipSync` and npm's tar depend on it, and Bun copies it.
 */
export function canGunzipOnWorker(): boolean {
  if (engineAvailable === undefined) {
    const probe = createGunzip();
    const engine = probe as unknown as SyncZlibEngine;
    engineAvailable =
      typeof engine._handle?.writeSync === 'function' && engine._writeState instanceof Uint32Array;
    probe.close();
  }
  return engineAvailable;
}

/**
 * Runs in the worker. `pump` inflates for as long as there is input and room for output, and
 * returns to the event loop to wait for either; messages restart it.
 */
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createGunzip, constants } = require('node:zlib');
const { chunkBytes, outputWindow } = workerData;
const gunzip = createGunzip();
// Errors reach us through gunzip.errored, synchronously; the stream's own event is not needed.
gunzip.on('error', () => {});
const handle = gunzip._handle;
const state = gunzip._writeState;
const NO_INPUT = new Uint8Array(0);
const inputs = [];
const spare = [];
let input = null;
let inputOffset = 0;
let inputLeft = 0;
let out = null;
let filled = 0;
let inFlight = 0;
let inputEnded = false;
// zlib stopped with input left over: the gzip data has ended and zero padding follows, which
// gunzip ignores, as Node.js's own streams do.
let dataEnded = false;
let finished = false;

function send() {
  parentPort.postMessage({ type: 'data', buffer: out.buffer, length: filled }, [out.buffer]);
  out = null;
  inFlight++;
}

function consumed() {
  parentPort.postMessage({ type: 'consumed', buffer: input.buffer }, [input.buffer]);
  input = null;
  inputOffset = 0;
  inputLeft = 0;
}

function fail(error) {
  finished = true;
  parentPort.postMessage({ type: 'error', message: error.message, code: error.code });
}

/** One call into zlib. True when it stopped because the output buffer was full. */
function inflate(flush) {
  if (out === null) {
    out = new Uint8Array(spare.pop() ?? new ArrayBuffer(chunkBytes));
    filled = 0;
  }
  const room = out.length - filled;
  handle.writeSync(flush, input ?? NO_INPUT, inputOffset, inputLeft, out, filled, room);
  if (gunzip.errored) {
    fail(gunzip.errored);
    return false;
  }
  const outputLeft = state[0];
  filled += room - outputLeft;
  inputOffset += inputLeft - state[1];
  inputLeft = state[1];
  if (filled === out.length) send();
  return outputLeft === 0;
}

function pump() {
  while (!finished && inFlight < outputWindow) {
    if (input === null) {
      const next = inputs.shift();
      if (next !== undefined) {
        input = next;
        inputOffset = 0;
        inputLeft = next.length;
      } else if (inputEnded) {
        // Z_FINISH with nothing left to read fails with "unexpected end of file" if the gzip
        // data was cut short; it stops for room only if zlib still holds output.
        if (dataEnded || !inflate(constants.Z_FINISH)) {
          finish();
          return;
        }
        continue;
      } else {
        return;
      }
    }
    if (dataEnded) {
      consumed();
      continue;
    }
    if (!inflate(constants.Z_NO_FLUSH) && !finished) {
      if (inputLeft > 0) dataEnded = true;
      else consumed();
    }
  }
}

function finish() {
  if (finished) return;
  finished = true;
  if (out !== null && filled > 0) send();
  gunzip.close();
  parentPort.postMessage({ type: 'end' });
}

parentPort.on('message', (message) => {
  if (message.type === 'input') {
    inputs.push(new Uint8Array(message.buffer, 0, message.length));
  } else if (message.type === 'end') {
    inputEnded = true;
  } else if (message.type === 'returned') {
    spare.push(message.buffer);
    inFlight--;
  }
  pump();
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
    workerData: { chunkBytes, outputWindow: OUTPUT_WINDOW },
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
