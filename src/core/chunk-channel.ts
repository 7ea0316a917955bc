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
import type { MessagePort } from 'node:worker_threads';

/** Sender to receiver. */
type Forward = { type: 'chunk'; buffer: ArrayBuffer; length: number } | { type: 'end' };
/** Receiver to sender: a chunk was taken and its buffer is free (the window has room again). */
interface Taken {
  type: 'taken';
  buffer: ArrayBuffer;
}

/** Empty buffers to fill again instead of allocating new ones. */
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
    this.pool = new BufferPool(options.window);
    port.on('message', (message: Taken) => {
      this.pool.give(message.buffer);
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
  port.on('message', (message: Forward) => {
    if (message.type === 'chunk') queue.push(Buffer.from(message.buffer, 0, message.length));
    else ended = true;
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
      if (closed) throw new Error('the sender closed the channel before the end of the input');
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  } finally {
    port.close();
  }
}
