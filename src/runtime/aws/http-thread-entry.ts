/**
 * The HTTP thread (see http-thread.ts): sends the requests the main thread's SDK client built and
 * signed, with the SDK's own Node.js handler, and streams each response body back over a chunk
 * channel, reading the socket only while the consumer keeps up; or parses a body as FASTQ itself
 * and sends back the counts.
 */
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Readable } from 'node:stream';
import { serialize } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { BufferPool, ChunkSender, channelFailure } from '../../core/chunk-channel.js';
import { countFastq } from '../../core/fastq-slices.js';
import { nudgingCollector } from './collector-nudge.js';
import {
  type BodyUse,
  type FromHttpThread,
  type HttpThreadData,
  type RequestFields,
  type ToHttpThread,
} from './http-thread-protocol.js';

const { chunkBytes, window, poolBuffers, handler: handlerOptions } = workerData as HttpThreadData;
const handler = new NodeHttpHandler(handlerOptions);
// Shared by every response: the buffers of one read are filled again for the next.
const pool = new BufferPool(poolBuffers);
const port = parentPort as MessagePort;

/** Headers that describe the bytes, which a body of counts is not. */
const BYTES_HEADERS = /^(?:content-length|content-range|content-md5|x-amz-checksum-.*)$/i;

/** Whether a response's body runs to the object's end: a whole object, or the last range of it. */
function endsObject(headers: Record<string, string>): boolean {
  const range = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-range')?.[1];
  const match = /^bytes \d+-(\d+)\/(\d+)$/.exec(range ?? '');
  return match === null || Number(match[1]) + 1 === Number(match[2]);
}

async function send(
  id: number,
  request: RequestFields,
  channel: MessagePort,
  use: BodyUse,
  requestTimeout: number | undefined,
): Promise<void> {
  const sender = new ChunkSender(channel, { chunkBytes, window, pool });
  // The handler closes the channel when it gives up on the response (an abort, a consumer that
  // stopped early): the request stops too.
  const controller = new AbortController();
  const stop = () => controller.abort();
  channel.once('close', stop);
  let body: Readable | undefined;
  try {
    const { response } = await handler.handle(new HttpRequest(request), {
      abortSignal: controller.signal,
      requestTimeout,
    });
    body = response.body as Readable;
    const { statusCode, reason } = response;
    // An error's body is always sent back: the SDK reads the error from it.
    const counting = use === 'fastq-counts' && statusCode >= 200 && statusCode < 300;
    const headers = counting
      ? Object.fromEntries(Object.entries(response.headers).filter(([name]) => !BYTES_HEADERS.test(name)))
      : response.headers;
    port.postMessage({ type: 'head', id, statusCode, reason, headers } satisfies FromHttpThread);
    if (counting) {
      const counts = await countFastq(nudgingCollector(body as AsyncIterable<Uint8Array>), {
        toEnd: endsObject(response.headers),
      });
      await sender.write(serialize(counts));
    } else {
      for await (const chunk of nudgingCollector(body as AsyncIterable<Uint8Array>)) {
        await sender.write(chunk);
        if (sender.isClosed) break;
      }
    }
    // Done: closing the channel now must not abort the request (its socket goes back to the pool).
    channel.off('close', stop);
    await sender.end();
  } catch (error) {
    channel.off('close', stop);
    if (body === undefined)
      port.postMessage({ type: 'failed', id, failure: channelFailure(error) } satisfies FromHttpThread);
    else sender.fail(error);
  }
}

port.on('message', (message: ToHttpThread) => {
  if (message.type === 'spare') pool.give(message.buffer);
  else void send(message.id, message.request, message.port, message.use, message.requestTimeout);
});
