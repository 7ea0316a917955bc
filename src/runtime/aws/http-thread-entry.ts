/**
 * The HTTP thread (see http-thread.ts): sends the requests the main thread's SDK client built and
 * signed, with the SDK's own Node.js handler, and streams each response body back over a chunk
 * channel, reading the socket only while the consumer keeps up.
 */
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Readable } from 'node:stream';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { BufferPool, ChunkSender, channelFailure } from '../../core/chunk-channel.js';
import {
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

/**
 * The socket's chunks (64 KiB each) are garbage once copied into the channel's buffers, but
 * their memory is outside the heap, and this thread allocates too little else for even its small
 * young generation to fill: tens of MiB of them would wait for a collection. A little heap
 * garbage per chunk (an array of one element per 16 bytes received) brings one every few MiB:
 * 30 MiB less at peak for the bench's 1 GiB read, at the same speed (BENCHMARKS.md).
 */
const nudge = { garbage: [] as number[] };
function nudgeCollector(bytes: number): void {
  nudge.garbage = new Array<number>(bytes >> 4).fill(0);
}

async function send(id: number, request: RequestFields, channel: MessagePort): Promise<void> {
  const sender = new ChunkSender(channel, { chunkBytes, window, pool });
  // The handler closes the channel when it gives up on the response (an abort, a consumer that
  // stopped early): the request stops too.
  const controller = new AbortController();
  const stop = () => controller.abort();
  channel.once('close', stop);
  let body: Readable | undefined;
  try {
    const { response } = await handler.handle(new HttpRequest(request), { abortSignal: controller.signal });
    body = response.body as Readable;
    const { statusCode, reason, headers } = response;
    port.postMessage({ type: 'head', id, statusCode, reason, headers } satisfies FromHttpThread);
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      nudgeCollector(chunk.length);
      await sender.write(chunk);
      if (sender.isClosed) break;
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
  else void send(message.id, message.request, message.port);
});
