/**
 * An SDK request handler that does its socket I/O on a worker thread, so that receiving a large
 * object overlaps with parsing it on the main thread. On one thread the two take turns: the
 * stream's per-chunk work and the parser's add up, and an input read from S3 parses at about half
 * a local file's speed. With a second vCPU free (Fargate from 2 vCPU, Lambda from 3,538 MB) the
 * parser gets the main thread to itself (0.78–0.90× of a local file in BENCHMARKS.md, against an
 * emulator that shares the two cores).
 *
 * The SDK still does everything but the socket work on the main thread: endpoints, signing,
 * retries, error parsing, checksums. The worker sends the body back in buffers of
 * `CHUNK_BYTES` (transferred, not copied), which also spares the parser the many small chunks a
 * socket delivers. Flow control follows the consumer: the worker stops reading the socket while
 * the stream on the main thread is full.
 *
 * The worker's code is a string run with `eval: true` and needs only Node.js built-ins, so it
 * survives bundling (the Lambda bundle is one file with no worker script beside it).
 */
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type {
  HeaderBag,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponse,
  QueryParameterBag,
  RequestHandler,
} from '@smithy/types';

/** The body arrives in buffers of this size (the last of a response may be shorter). */
const CHUNK_BYTES = 1 << 20;
/** Buffers a response stream holds on the main thread before it takes no more. */
const STREAM_BUFFERS = 1;
/**
 * Buffers the worker sends ahead of those the stream has taken, then it stops reading the
 * socket. Every pause and resume of the socket costs the parser some idle time; 3 to 6 ran
 * equally fast on the bench's 1 GiB read, so the memory decides.
 */
const SEND_AHEAD = 3;
/**
 * Buffers handed back that the worker keeps to fill again: enough for several parallel ranged
 * GETs of 4 MiB; more are left to the garbage collector.
 */
const MAX_SPARE = 32;

const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const { chunkBytes, sendAhead, maxSpare } = workerData;
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};
const requests = new Map();
// Buffers the main thread has handed back, to fill again instead of allocating new ones.
const spare = [];
// The socket's chunks become garbage here, and this thread allocates too little to collect them
// often: a small young generation (resourceLimits) and a little garbage per buffer sent bring a
// collection every few MiB instead of tens.
let ballast = null;

function fail(id, error) {
  if (!requests.delete(id)) return;
  parentPort.postMessage({ type: 'error', id, message: error.message, code: error.code });
}

function start({ id, url, method, headers, body }) {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const req = client.request(target, { method, headers, agent: agents[target.protocol] });
  // Buffers sent and not yet taken by the stream on the main thread: the socket is read only
  // while fewer than \`sendAhead\` are.
  const state = { req, res: null, unacknowledged: 0 };
  requests.set(id, state);
  req.on('error', (error) => fail(id, error));
  req.on('response', (res) => {
    state.res = res;
    parentPort.postMessage({
      type: 'response', id, statusCode: res.statusCode, reason: res.statusMessage, headers: res.headers,
    });
    let out = null;
    let filled = 0;
    const flush = () => {
      const buffer = out.buffer;
      ballast = new Array(8192).fill(0);
      parentPort.postMessage({ type: 'data', id, buffer, length: filled }, [buffer]);
      out = null;
      filled = 0;
      if (++state.unacknowledged >= sendAhead) res.pause();
    };
    res.on('data', (chunk) => {
      let at = 0;
      while (at < chunk.length) {
        if (out === null) out = new Uint8Array(spare.pop() ?? new ArrayBuffer(chunkBytes));
        const n = Math.min(chunk.length - at, chunkBytes - filled);
        out.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === chunkBytes) flush();
      }
    });
    res.on('end', () => {
      if (out !== null && filled > 0) flush();
      if (requests.delete(id)) parentPort.postMessage({ type: 'end', id });
    });
    res.on('error', (error) => fail(id, error));
    res.on('aborted', () => fail(id, Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
  });
  if (body !== undefined) req.end(body);
  else req.end();
}

parentPort.on('message', (message) => {
  if (message.type === 'request') return start(message);
  if (message.type === 'spare') {
    if (spare.length < maxSpare) spare.push(message.buffer);
    return;
  }
  const state = requests.get(message.id);
  if (state === undefined) return;
  if (message.type === 'taken') {
    if (--state.unacknowledged < sendAhead) state.res?.resume();
  } else if (message.type === 'abort') {
    requests.delete(message.id);
    state.req.destroy();
  }
});
`;

/** The worker each buffer received came from, for `recycleChunk` to hand it back. */
const origin = new WeakMap<ArrayBuffer, Worker>();

/**
 * Hands a chunk of a response body back to the worker that filled it, to be filled again: for a
 * consumer that is done with each chunk when it takes the next, this saves allocating (and
 * collecting) a buffer per MiB. The chunk must not be used afterwards; chunks from elsewhere
 * are ignored.
 */
export function recycleChunk(chunk: Uint8Array): void {
  const buffer = chunk.buffer as ArrayBuffer;
  const worker = origin.get(buffer);
  if (worker === undefined) return;
  origin.delete(buffer);
  worker.postMessage({ type: 'spare', buffer }, [buffer]);
}

type FromWorker =
  | {
      type: 'response';
      id: number;
      statusCode: number;
      reason?: string;
      headers: Record<string, string | string[]>;
    }
  | { type: 'data'; id: number; buffer: ArrayBuffer; length: number }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; message: string; code?: string };

interface Pending {
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
  body?: Readable;
  /** Buffers received that the full stream has not taken yet, to acknowledge when it reads. */
  untaken: number;
  detach: () => void;
}

/** What the SDK's own handler does with a transport error: keep its code, so retries see it. */
function transportError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** RFC 3986 encoding, as SigV4 and the SDK's own handler encode a query. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function queryString(query: QueryParameterBag | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null) parts.push(encode(key));
    else
      for (const one of Array.isArray(value) ? value : [value]) parts.push(`${encode(key)}=${encode(one)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function urlOf(request: HttpRequest): string {
  const port = request.port ? `:${request.port}` : '';
  return `${request.protocol}//${request.hostname}${port}${request.path}${queryString(request.query)}`;
}

/** Node's header values, as the SDK's handler reports them: repeated ones joined. */
function headerBag(headers: Record<string, string | string[]>): HeaderBag {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}

/**
 * Use it for the client that reads large objects:
 * `new S3Client({ requestHandler: new WorkerThreadHttpHandler() })`. It sends requests without
 * a body or with a small one (a string or bytes); a streaming upload is refused.
 */
export class WorkerThreadHttpHandler implements RequestHandler<
  HttpRequest,
  HttpResponse,
  HttpHandlerOptions
> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as AbortSignal | undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    const body: unknown = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(
        new Error('WorkerThreadHttpHandler sends only requests with no body or a small one'),
      );
    }
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<HttpResponse>((resolve, reject) => {
      const onAbort = () => {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.finish(id);
        worker.postMessage({ type: 'abort', id });
        const error = abortError();
        if (entry.body) entry.body.destroy(error);
        else reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve,
        reject,
        untaken: 0,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      worker.ref();
      worker.postMessage({
        type: 'request',
        id,
        url: urlOf(request),
        method: request.method,
        headers: request.headers,
        body: body ?? undefined,
      });
    }).then((response) => ({ response }));
  }

  /** Stops the worker; requests still open fail. */
  destroy(): void {
    const worker = this.worker;
    if (!worker) return;
    this.failAll(worker, transportError('request handler destroyed'));
    this.worker = undefined;
    void worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the parent's flags: a loader the parent runs under (tsx, say) would load here too.
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 1 },
      workerData: { chunkBytes: CHUNK_BYTES, sendAhead: SEND_AHEAD, maxSpare: MAX_SPARE },
    });
    worker.on('message', (message: FromWorker) => this.onMessage(worker, message));
    worker.on('error', (error) =>
      this.failAll(worker, transportError(`HTTP worker failed: ${error.message}`)),
    );
    worker.on('exit', () => {
      this.failAll(worker, transportError('HTTP worker exited', 'ECONNRESET'));
      if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    switch (message.type) {
      case 'response': {
        const { id } = message;
        const body = new Readable({
          highWaterMark: STREAM_BUFFERS * CHUNK_BYTES,
          read: () => {
            for (; entry.untaken > 0; entry.untaken--) worker.postMessage({ type: 'taken', id });
          },
          destroy: (error, callback) => {
            // A consumer that stops early closes the connection.
            if (this.pending.has(id)) {
              this.finish(id);
              worker.postMessage({ type: 'abort', id });
            }
            callback(error);
          },
        });
        entry.body = body;
        entry.resolve({
          statusCode: message.statusCode,
          reason: message.reason,
          headers: headerBag(message.headers),
          body,
        });
        return;
      }
      case 'data':
        origin.set(message.buffer, worker);
        if (entry.body!.push(Buffer.from(message.buffer, 0, message.length))) {
          worker.postMessage({ type: 'taken', id: message.id });
        } else {
          entry.untaken++;
        }
        return;
      case 'end':
        this.finish(message.id);
        entry.body!.push(null);
        return;
      case 'error': {
        this.finish(message.id);
        const error = transportError(message.message, message.code);
        if (entry.body) entry.body.destroy(error);
        else entry.reject(error);
      }
    }
  }

  private finish(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.detach();
    // An idle worker does not keep the process alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    for (const [id, entry] of [...this.pending]) {
      this.finish(id);
      if (entry.body) entry.body.destroy(error);
      else entry.reject(error);
    }
  }
}
