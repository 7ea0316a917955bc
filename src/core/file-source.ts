import { fstatSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Default read size: large reads keep per-chunk overhead low. */
export const FILE_CHUNK_BYTES = 1 << 20;

/**
 * The bytes of a local file, read into one buffer that is reused for every chunk. This is safe
 * for `runJob`, which is done with a chunk once it asks for the next, and it keeps memory flat:
 * no chunk is left for the garbage collector.
 */
export async function* fileChunks(path: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Standard input. A pipe or a redirected file is read like a file, into one reused buffer, so a
 * stream of any length leaves no garbage behind; anything else (a socket, a terminal) through
 * `process.stdin`, the only reader that copes with a non-blocking descriptor.
 */
export function stdinChunks(chunkBytes = FILE_CHUNK_BYTES): AsyncIterable<Uint8Array> {
  const stat = fstatSync(0);
  if (stat.isFIFO() || stat.isFile()) return fileChunks('/dev/stdin', chunkBytes);
  return process.stdin;
}
