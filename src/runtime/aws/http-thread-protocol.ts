/**
 * What the HTTP thread (http-thread-entry.ts) and its handler (http-thread.ts) say to each other.
 * Each request has a channel of its own for the response body; the rest goes over the thread's
 * own port.
 */
import type { NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { HeaderBag, QueryParameterBag } from '@smithy/types';
import type { MessagePort } from 'node:worker_threads';
import type { ChannelFailure } from '../../core/chunk-channel.js';

/** The handler's settings that cross to the thread: plain values (an agent cannot). */
export type ThreadHandlerOptions = Pick<
  NodeHttpHandlerOptions,
  'connectionTimeout' | 'requestTimeout' | 'socketTimeout' | 'throwOnRequestTimeout'
>;

/** The thread's `workerData`. */
export interface HttpThreadData {
  /** Size of the buffers a body travels in. */
  chunkBytes: number;
  /** Buffers of one body sent and not yet taken before the thread stops reading its socket. */
  window: number;
  /** Empty buffers the thread keeps to fill again. */
  poolBuffers: number;
  handler: ThreadHandlerOptions;
}

/** A signed request as it crosses: the fields of the SDK's `HttpRequest`, body small or none. */
export interface RequestFields {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: QueryParameterBag;
  headers: HeaderBag;
  username?: string;
  password?: string;
  fragment?: string;
  body?: string | Uint8Array;
}

/**
 * What the thread does with a successful response's body: sends it back (`bytes`), or parses it
 * as FASTQ and sends back the parser's counts instead, `v8.serialize`d (`fastq-counts`).
 */
export type BodyUse = 'bytes' | 'fastq-counts';

export type ToHttpThread =
  /**
   * Send `request` (with the SDK's per-request `requestTimeout`, as `NodeHttpHandler` takes
   * it); after the `head`, its body comes back over `port` (a chunk channel) as `use` says.
   */
  | {
      type: 'request';
      id: number;
      request: RequestFields;
      port: MessagePort;
      use: BodyUse;
      requestTimeout?: number;
    }
  /** A body's buffer the consumer is done with, to fill again. */
  | { type: 'spare'; buffer: ArrayBuffer };

export type FromHttpThread =
  | { type: 'head'; id: number; statusCode: number; reason?: string; headers: HeaderBag }
  /** The request failed before a response arrived. */
  | { type: 'failed'; id: number; failure: ChannelFailure };
