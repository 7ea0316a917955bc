/**
 * The parse thread (started by parse-thread.ts): receives the uncompressed input over the port in
 * `workerData` and answers with the figures, or with the error that stopped it, and the input's
 * CRC-32 when asked for it (the thread that inflated checks it); or reads part of a FASTQ file
 * itself and answers with the parser's counts (fastq-slices.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { receiveChunks } from './chunk-channel.js';
import { serveCsvSegments } from './csv-two-threads.js';
import { countFastq } from './fastq-slices.js';
import { fileChunks } from './file-source.js';
import { parseChunks } from './parse.js';
import { serializeError, type ParseThreadData, type ParseThreadMessage } from './parse-thread-protocol.js';

const { format, port, crc32, file } = workerData as ParseThreadData;
const answer = (message: ParseThreadMessage): void => parentPort?.postMessage(message);
if (format === 'csv') {
  serveCsvSegments(port);
} else if (file !== undefined) {
  countFastq(fileChunks(file.path, undefined, file), file).then(
    (counts) => answer({ type: 'fastq-counts', counts }),
    (error: unknown) => answer({ type: 'error', error: serializeError(error) }),
  );
} else {
  /** The input's CRC-32, once all of it has been read. */
  let read: number | undefined;
  const keep = (crc: number) => void (read = crc);
  parseChunks(format, receiveChunks(port), { verifyCrc32: crc32 ? keep : undefined }).then(
    (figures) => answer({ type: 'figures', figures, crc32: read }),
    (error: unknown) => answer({ type: 'error', error: serializeError(error), crc32: read }),
  );
}
