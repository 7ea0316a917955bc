/**
 * Gathers small chunks into large ones. The FASTQ parser pays a fixed cost per chunk (it checks
 * its byte tables once per chunk), so the 64 KiB chunks a socket or a pipe delivers parse at half
 * the speed of 1 MiB ones (BENCHMARKS.md).
 */

/**
 * The bytes of `chunks`, in chunks of at least `bytes` but the last. A chunk that large already
 * passes as it is; smaller ones are copied together into one reused buffer, so a chunk is valid
 * only until the next is asked for, as a `ByteSource`'s are.
 */
export async function* coalesce(
  chunks: AsyncIterable<Uint8Array>,
  bytes: number,
): AsyncGenerator<Uint8Array> {
  let buffer: Buffer | undefined;
  let filled = 0;
  for await (const chunk of chunks) {
    if (filled === 0 && chunk.length >= bytes) {
      yield chunk;
      continue;
    }
    buffer ??= Buffer.allocUnsafe(bytes);
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(chunk.length - at, bytes - filled);
      buffer.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === bytes) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0 && buffer !== undefined) yield buffer.subarray(0, filled);
}
