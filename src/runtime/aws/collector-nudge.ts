/**
 * A socket's chunks (64 KiB each) are garbage once the consumer has copied or parsed them, but
 * their memory is outside the heap, and a thread that allocates little else (the HTTP thread, a
 * parser) does not fill even a small young generation before tens of MiB of them wait for a
 * collection. A little heap garbage per chunk (an array of one element per 16 bytes received)
 * brings one every few MiB: 30 MiB less at peak for the bench's 1 GiB read through the HTTP
 * thread, at the same speed (BENCHMARKS.md).
 */
const nudge = { garbage: [] as number[] };

/** The chunks of `body`, each one nudging the garbage collector (see above). */
export async function* nudgingCollector(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    nudge.garbage = new Array<number>(chunk.length >> 4).fill(0);
    yield chunk;
  }
}
