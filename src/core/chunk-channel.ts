/**
 * Streams bytes to another thread over a `MessagePort` in bounded memory, without a copy on the
 * receiving side: the sender copies its chunks into buffers of a fixed size and transfers each
 * one once full; the receiver hands a buffer back as soon as its consumer asks for the next
 * chunk, and the sender fills it again. At most `window` buffers are away at once, so a slow
 * receiver stops the sender (and through it the source) instead of piling bytes up.
 *
 * Copying into large buffers also spares the receiver the many small chunks a socket or a pipe
 * delivers: one message per MiB, whatever the source.
 */
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';

/** Why the sender gave up, as it crosses the channel (an `Error` does not keep its code). */
export interface ChannelFailure {
  message: string;
  name?: string;
  code?: string;
}

/** Sender to receiver. */
type Forward =
  | { type: 'chunk'; buffer: ArrayBuffer; length: number }
  | { type: 'end' }
  | { type: 'error'; failure: ChannelFailure };
/** Receiver to sender: a chunk was taken (the window has room again), with its buffer when done with it. */
interface Taken {
  type: 'taken';
  buffer?: ArrayBuffer;
}

/**
 * Empty buffers to fill again instead of allocating new ones. Senders on one thread may share a
 * pool, so that buffers handed back after their channel closed (see `readableFromChannel`) are
 * used again by the next one.
 */
export class BufferPool {
  private readonly buffers: ArrayBuffer[] = [];

  /** @param max buffers kept; more are left to the garbage collector. */
  constructor(private readonly max: number) {}

  /** A buffer of at least `bytes` bytes. */
  take(bytes: number): ArrayBuffer {
    for (let buffer = this.buffers.pop(); buffer !== undefined; buffer = this.buffers.pop()) {
      if (buffer.byteLength >= bytes) return buffer;
    }
    return new ArrayBuffer(bytes);
  }

  give(buffer: ArrayBuffer): void {
    if (this.buffers.length < this.max && buffer.byteLength > 0) this.buffers.push(buffer);
  }
}

export interface ChunkSenderOptions {
  /** Size of the buffers sent (the last may be partly filled). */
  chunkBytes: number;
  /** Buffers sent and not yet taken by the receiver before `write` waits. */
  window: number;
  /** Where buffers handed back go, and new ones come from. @default a pool of `window` buffers */
  pool?: BufferPool;
}

/** The sending end. `write` and `end` must not be called concurrently. */
export class ChunkSender {
  private readonly pool: BufferPool;
  private away = 0;
  private filling: Uint8Array | undefined;
  private filled = 0;
  private closed = false;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly options: ChunkSenderOptions,
  ) {
    this.pool = options.pool ?? new BufferPool(options.window);
    port.on('message', (message: Taken) => {
      if (message.buffer) this.pool.give(message.buffer);
      this.away--;
      this.wake();
    });
    // The receiver gave up (closed its end): stop, and wake a write waiting for room.
    port.on('close', () => this.close());
  }

  /** True once `close` was called: writes are then dropped. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Copies `bytes` (which the caller may reuse once this resolves) and sends every buffer it
   * fills. Resolves when the window has room for more, or at once when closed.
   */
  async write(bytes: Uint8Array): Promise<void> {
    const { chunkBytes } = this.options;
    for (let at = 0; at < bytes.length && !this.closed;) {
      if (this.filling === undefined) {
        this.filling = new Uint8Array(this.pool.take(chunkBytes), 0, chunkBytes);
        this.filled = 0;
      }
      const n = Math.min(bytes.length - at, chunkBytes - this.filled);
      this.filling.set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === chunkBytes) await this.send();
    }
  }

  /** Sends what is left and tells the receiver that nothing follows. */
  async end(): Promise<void> {
    if (this.filling !== undefined && this.filled > 0) await this.send();
    if (!this.closed) this.post({ type: 'end' });
  }

  /** Tells the receiver that the input failed (with the error's name and code), and closes. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.post({ type: 'error', failure: channelFailure(error) });
    this.close();
  }

  /** Stops sending, wakes a waiting `write`, and closes the port. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.port.close();
  }

  private async send(): Promise<void> {
    const buffer = (this.filling as Uint8Array).buffer as ArrayBuffer;
    this.filling = undefined;
    if (this.closed) return;
    this.post({ type: 'chunk', buffer, length: this.filled }, [buffer]);
    this.away++;
    while (this.away >= this.options.window && !this.closed) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private post(message: Forward, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }

  private wake(): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.();
  }
}

/**
 * The receiving end: the chunks sent on `port`, in order, until the sender ends. A chunk is
 * valid until the next one is asked for; its buffer then goes back to the sender. Stopping the
 * iteration closes the port.
 */
export async function* receiveChunks(port: MessagePort): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let closed = false;
  let waiting: (() => void) | undefined;
  const wake = (): void => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  };
  let failed: Error | undefined;
  port.on('message', (message: Forward) => {
    if (message.type === 'chunk') queue.push(Buffer.from(message.buffer, 0, message.length));
    else if (message.type === 'end') ended = true;
    else failed ??= channelError(message.failure);
    wake();
  });
  port.on('close', () => {
    closed = true;
    wake();
  });
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        yield chunk;
        const buffer = chunk.buffer as ArrayBuffer;
        port.postMessage({ type: 'taken', buffer } satisfies Taken, [buffer]);
        continue;
      }
      if (ended) return;
      if (failed) throw failed;
      if (closed) throw new Error('the sender closed the channel before the end of the input');
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  } finally {
    port.close();
  }
}

/** An error as it crosses a channel: its message, name and code (the SDK's retries look at the last two). */
export function channelFailure(error: unknown): ChannelFailure {
  const { message, name, code } = (error ?? {}) as { message?: unknown; name?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    name: typeof name === 'string' ? name : undefined,
    code: typeof code === 'string' ? code : undefined,
  };
}

/** A failure sent across a channel as an `Error` on this side again, with its name and code. */
export function channelError(failure: ChannelFailure): Error {
  const error = Object.assign(new Error(failure.message), failure.code ? { code: failure.code } : {});
  if (failure.name) error.name = failure.name;
  return error;
}

export interface ChannelReadableOptions {
  /** Bytes the stream holds before it takes no more from the channel. */
  highWaterMark: number;
  /** Told of every chunk's buffer as it arrives (to hand it back to a pool once consumed, say). */
  onChunk?: (buffer: ArrayBuffer) => void;
}

/**
 * The receiving end as a Node.js stream, for consumers that keep chunks as long as they like
 * (the body of an SDK response, say): a chunk is the consumer's, and is handed back only if the
 * consumer does so itself. The window follows the stream: a chunk counts as taken when the
 * stream asks for it. Destroying the stream closes the channel, which tells the sender to stop.
 */
export function readableFromChannel(port: MessagePort, options: ChannelReadableOptions): Readable {
  // Chunks arrived and not yet in the stream. A chunk goes in only when the stream asks, so that
  // a read takes one chunk, the one that arrived (a byte stream holding several would join them
  // into a new buffer, a copy whose parts never go back to the sender).
  const queue: Buffer[] = [];
  let wanted = false;
  let ended = false;
  let finished = false;
  const pump = (): void => {
    while (wanted && queue.length > 0) {
      port.postMessage({ type: 'taken' } satisfies Taken);
      wanted = stream.push(queue.shift());
    }
    if (ended && queue.length === 0 && !finished) {
      finished = true;
      stream.push(null);
    }
  };
  const stream = new Readable({
    highWaterMark: options.highWaterMark,
    read: () => {
      wanted = true;
      pump();
    },
    destroy: (error, callback) => {
      port.close();
      callback(error);
    },
  });
  port.on('message', (message: Forward) => {
    if (message.type === 'chunk') {
      options.onChunk?.(message.buffer);
      queue.push(Buffer.from(message.buffer, 0, message.length));
      pump();
    } else if (message.type === 'end') {
      ended = true;
      port.close();
      pump();
    } else {
      stream.destroy(channelError(message.failure));
    }
  });
  port.on('close', () => {
    if (!ended && !stream.destroyed) {
      stream.destroy(new Error('the sender closed the channel before the end of the input'));
    }
  });
  return stream;
}
