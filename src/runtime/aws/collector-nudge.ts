/**
 * A socket's chunks (64 KiB each) are garbage once the consumer has copied or parsed them, but
 * their memory is outside the heap, and a thread that allocates little else (the HTTP thread, a
 * parser) does not fill even a small young generation before tens of MiB of them wait for a
 * collection. A little heap garbage per chunk (an array of one element per 16 bytes received)
 * brings one every few MiB: 30 MiB less at peak for the bench's 1 GiB read through the HTTP
 * thread, at the same speed. On the main thread, a 1 GiB GET then takes one full collection
 * instead of dozens: faster on one CPU, and about 40 MiB less at peak on Node 24. One element per
 * 32 bytes was too little on Node 24 (the full collections came back), one per 8 too much
 * (BENCHMARKS.md).
 */
const nudge = { garbage: [] as number[] };

/** Leaves garbage on the heap in proportion to `bytes` just received (see above). */
export function nudgeCollector(bytes: number): void {
  nudge.garbage = new Array<number>(bytes >> 4).fill(0);
}

/** The chunks of `body`, each one nudging the garbage collector (see above). */
export async function* nudgingCollector(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    nudgeCollector(chunk.length);
    yield chunk;
  }
}
