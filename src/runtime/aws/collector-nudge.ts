import { isMainThread } from 'node:worker_threads';

/**
 * A socket's chunks (64 KiB each) are garbage once the consumer has copied or parsed them, but
 * their memory is outside the heap, and a reader that allocates little else (a parser) does not
 * fill its young generation before tens of MiB of them wait for a collection. That generation
 * is sized by whoever starts `node`: Lambda's Node.js runtimes give it a tenth of the function's
 * memory (their bootstrap). They also expose V8's collector (`COLLECTOR_FLAG`), as the worker
 * image does, and there the reader asks for a young-generation collection every
 * `COLLECT_EVERY_BYTES` received: a 1 GiB read on one vCPU peaked at 76-120 MiB with them,
 * 140-211 without (BENCHMARKS.md). Where the collector is not exposed (a `node` started without
 * the flag, a worker thread), a little heap garbage per chunk (an array of one element per 16
 * bytes received) fills a small young generation every MiB or two: one element per 32 bytes was
 * too little on Node 24, one per 8 too much.
 */
const nudge = { garbage: [] as number[] };

/** The `node` flag that exposes the collector: Lambda's runtimes pass it, the worker image too. */
export const COLLECTOR_FLAG = '--expose-gc';

/** Bytes received between two asked-for young-generation collections. */
export const COLLECT_EVERY_BYTES = 4 << 20;

/** V8's collector, where `COLLECTOR_FLAG` exposes it, on the main thread (see above). */
const collector = isMainThread ? (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc : undefined;
let receivedSinceCollection = 0;

/** Has the collector take what `bytes` just received leave behind, soon (see above). */
export function nudgeCollector(bytes: number): void {
  if (collector === undefined) {
    nudge.garbage = new Array<number>(bytes >> 4).fill(0);
    return;
  }
  receivedSinceCollection += bytes;
  if (receivedSinceCollection < COLLECT_EVERY_BYTES) return;
  receivedSinceCollection = 0;
  collector({ type: 'minor' });
}

/** The chunks of `body`, each one nudging the garbage collector (see above). */
export async function* nudgingCollector(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    nudgeCollector(chunk.length);
    yield chunk;
  }
}
