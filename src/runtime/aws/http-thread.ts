/**
 * An SDK request handler that receives responses on a thread of its own, so that receiving a
 * large object overlaps with parsing it. On one thread the two take turns: the stream's
 * per-chunk work and the parser's add up, and an input read from S3 parses at about half a local
 * file's speed. With a second vCPU free (Fargate from 2 vCPU, Lambda from 3,538 MB) the parser
 * gets the main thread to itself (BENCHMARKS.md).
 *
 * The SDK does everything but the socket work on the main thread: endpoints, signing, retries,
 * error parsing, checksums. The HTTP thread (http-thread-entry.ts) sends the signed request with
 * the SDK's own Node.js handler (`NodeHttpHandler`, with its timeouts and agents) and sends the
 * body back over a chunk channel in 1 MiB buffers, transferred, not copied; it reads the socket
 * only while the stream here has room.
 */
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import type { Readable } from 'node:stream';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { channelError, readableFromChannel } from '../../core/chunk-channel.js';
import { startThread } from '../../core/start-thread.js';
import { nudgeCollector } from './collector-nudge.js';
import type {
  BodyUse,
  FromHttpThread,
  HttpThreadData,
  RequestFields,
  ThreadHandlerOptions,
  ToHttpThread,
} from './http-thread-protocol.js';

/** The body arrives in buffers of this size (the last of a response may be shorter). */
const CHUNK_BYTES = 1 << 20;
/**
 * Buffers of a body sent and not yet taken by the stream here before the thread stops reading
 * the socket. Every pause and resume of the socket costs the parser some idle time; 3 to 6 ran
 * equally fast on the bench's 1 GiB read, so the memory decides.
 */
const WINDOW = 3;
/** Bytes a body's stream holds here before it takes no more. */
const STREAM_BYTES = CHUNK_BYTES;
/**
 * Buffers handed back that the thread keeps to fill again: enough for several parallel ranged
 * GETs of 4 MiB; more are left to the garbage collector.
 */
const POOL_BUFFERS = 32;
/**
 * The socket's chunks become garbage on the thread, which allocates little else: a small young
 * generation collects them every MiB or so instead of every few tens.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 1 };

/** The thread each buffer received came from, for `recycleChunk` to hand it back. */
const origin = new WeakMap<ArrayBuffer, Worker>();

/**
 * Hands a chunk of a response body back to the thread that filled it, to be filled again: for a
 * consumer that is done with each chunk when it takes the next, this saves allocating (and
 * collecting) a buffer per MiB. The chunk must not be used afterwards; chunks from elsewhere
 * are ignored. True when the chunk was handed back.
 */
export function recycleChunk(chunk: Uint8Array): boolean {
  const buffer = chunk.buffer as ArrayBuffer;
  const thread = origin.get(buffer);
  if (thread === undefined) return false;
  origin.delete(buffer);
  thread.postMessage({ type: 'spare', buffer } satisfies ToHttpThread, [buffer]);
  return true;
}

/**
 * The consumer is done with a chunk of a response body: one from an HTTP thread goes back to be
 * filled again; one from a socket on this thread is garbage, and nudges the collector to take it.
 */
export function releaseChunk(chunk: Uint8Array): void {
  if (!recycleChunk(chunk)) nudgeCollector(chunk.length);
}

/** A request waiting for its response's head. */
interface Pending {
  channel: MessagePort;
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** The fields of a request that cross to the thread (its body checked to be small or none). */
function fieldsOf(request: HttpRequest): RequestFields {
  const { method, protocol, hostname, port, path, query, headers, username, password, fragment } = request;
  const body = (request.body ?? undefined) as string | Uint8Array | undefined;
  return { method, protocol, hostname, port, path, query, headers, username, password, fragment, body };
}

/**
 * Use it for the client that reads large objects:
 * `new S3Client({ requestHandler: new HttpThreadHandler() })`. It sends requests without a body
 * or with a small one (a string or bytes); a streaming upload is refused.
 */
export class HttpThreadHandler implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private thread: Worker | undefined;
  /** Requests waiting for a head, by id. */
  private readonly pending = new Map<number, Pending>();
  /** Response bodies still streaming, by id. */
  private readonly bodies = new Map<number, Readable>();
  private nextId = 1;

  /** @param options the SDK handler's timeouts, as `NodeHttpHandler` takes them. */
  constructor(private readonly options: ThreadHandlerOptions = {}) {}

  handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    return this.send(request, options, 'bytes');
  }

  /**
   * A handler that sends its requests through this one's thread, where a successful response's
   * body is parsed as FASTQ instead of being sent back: the body the SDK gets is the parser's
   * counts (`FastqState`, `v8.serialize`d, headers that describe bytes left out), and a body
   * that is not FASTQ fails with the `InputError`'s message, name and code. A range that ends
   * before the object does is counted as a slice of it (`countFastq`). For the client that reads
   * half of an object's slices (object-slices.ts).
   */
  fastqCounter(): RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> {
    return {
      metadata: this.metadata,
      handle: (request, options = {}) => this.send(request, options, 'fastq-counts'),
    };
  }

  private send(
    request: HttpRequest,
    options: HttpHandlerOptions,
    use: BodyUse,
  ): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as AbortSignal | undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    const body: unknown = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new Error('HttpThreadHandler sends only requests with no body or a small one'));
    }
    const thread = this.start();
    const id = this.nextId++;
    const { port1: channel, port2 } = new MessageChannel();
    return new Promise<HttpResponse>((resolve, reject) => {
      const onAbort = (): void => {
        const error = abortError();
        if (this.pending.delete(id)) reject(error);
        // Closing the channel stops the request on the thread, or the body's stream if it has one.
        this.bodies.get(id)?.destroy(error);
        channel.close();
        this.idle();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      channel.once('close', () => signal?.removeEventListener('abort', onAbort));
      this.pending.set(id, { channel, resolve, reject });
      thread.ref();
      const message: ToHttpThread = {
        type: 'request',
        id,
        request: fieldsOf(request),
        port: port2,
        use,
        requestTimeout: options.requestTimeout,
      };
      thread.postMessage(message, [port2]);
    }).then((response) => ({ response }));
  }

  /** Stops the thread; requests still open fail. */
  destroy(): void {
    const thread = this.thread;
    if (!thread) return;
    this.failAll(thread, new Error('request handler destroyed'));
    this.thread = undefined;
    void thread.terminate();
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const data: HttpThreadData = {
      chunkBytes: CHUNK_BYTES,
      window: WINDOW,
      poolBuffers: POOL_BUFFERS,
      handler: this.options,
    };
    const thread = startThread('http', { resourceLimits: THREAD_LIMITS, workerData: data });
    thread.on('message', (message: FromHttpThread) => this.onMessage(thread, message));
    thread.on('error', (error) => this.failAll(thread, new Error(`HTTP thread failed: ${error.message}`)));
    thread.on('exit', () => {
      this.failAll(thread, Object.assign(new Error('HTTP thread exited'), { code: 'ECONNRESET' }));
      if (this.thread === thread) this.thread = undefined;
    });
    // An idle thread does not keep the process alive.
    thread.unref();
    this.thread = thread;
    return thread;
  }

  private onMessage(thread: Worker, message: FromHttpThread): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') {
      entry.channel.close();
      entry.reject(channelError(message.failure));
      this.idle();
      return;
    }
    const body = readableFromChannel(entry.channel, {
      highWaterMark: STREAM_BYTES,
      onChunk: (buffer) => origin.set(buffer, thread),
    });
    this.bodies.set(message.id, body);
    body.once('close', () => {
      this.bodies.delete(message.id);
      this.idle();
    });
    const { statusCode, reason, headers } = message;
    entry.resolve({ statusCode, reason, headers, body });
  }

  /** Lets the process exit once no request is open. */
  private idle(): void {
    if (this.pending.size === 0 && this.bodies.size === 0) this.thread?.unref();
  }

  private failAll(thread: Worker, error: Error): void {
    if (this.thread !== thread) return;
    for (const [id, entry] of [...this.pending]) {
      this.pending.delete(id);
      entry.channel.close();
      entry.reject(error);
    }
    for (const body of [...this.bodies.values()]) body.destroy(error);
  }
}
