/**
 * The parse thread (started by parse-thread.ts): receives the uncompressed input over the port in
 * `workerData` and answers with the figures, or with the error that stopped it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { receiveChunks } from './chunk-channel.js';
import { serveCsvSegments } from './csv-two-threads.js';
import { parseChunks } from './parse.js';
import { serializeError, type ParseThreadData, type ParseThreadMessage } from './parse-thread-protocol.js';

const { format, port } = workerData as ParseThreadData;
const answer = (message: ParseThreadMessage): void => parentPort?.postMessage(message);
if (format === 'csv') {
  serveCsvSegments(port);
} else {
  parseChunks(format, receiveChunks(port)).then(
    (figures) => answer({ type: 'figures', figures }),
    (error: unknown) => answer({ type: 'error', error: serializeError(error) }),
  );
}
