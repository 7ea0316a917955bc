import { randomBytes } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  BufferPool,
  ChunkSender,
  readableFromChannel,
  receiveChunks,
} from '../../../src/core/chunk-channel.js';

describe('chunk channel', () => {
  it('delivers every byte in order, in buffers of the chosen size, whatever the writes', async () => {
    const data = randomBytes(1_000_003);
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 65_536, window: 2 });
    const sending = (async () => {
      // The sender may reuse its buffer once write resolves: scribble over it to prove the copy.
      const scratch = Buffer.alloc(9_973);
      for (let at = 0; at < data.length; at += scratch.length) {
        const n = data.copy(scratch, 0, at, at + scratch.length);
        await sender.write(scratch.subarray(0, n));
        scratch.fill(0);
      }
      await sender.end();
    })();
    const received: Buffer[] = [];
    const sizes: number[] = [];
    for await (const chunk of receiveChunks(port2)) {
      received.push(Buffer.from(chunk));
      sizes.push(chunk.length);
    }
    await sending;
    expect(Buffer.concat(received).equals(data)).toBe(true);
    expect(sizes.slice(0, -1).every((size) => size === 65_536)).toBe(true);
    sender.close();
  });

  it('keeps at most `window` buffers away: a receiver that does not read stops the sender', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 1_024, window: 3 });
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 10; i++) {
        await sender.write(Buffer.alloc(1_024, i));
        written++;
      }
      await sender.end();
    })();
    const chunks = receiveChunks(port2);
    // Nothing read: three buffers go out, and the third write waits for one to come back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toBe(2);
    const first = await chunks.next();
    expect(first.value?.[0]).toBe(0);
    let count = 1;
    for await (const chunk of chunks) expect(chunk[0]).toBe(count++);
    await writing;
    expect(count).toBe(10);
  });

  it('tells the receiver when the sender closed before the end', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 4, window: 2 });
    await sender.write(Buffer.from('ACGT'));
    sender.close();
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of receiveChunks(port2)) received.push(chunk.toString());
      })(),
    ).rejects.toThrow('closed the channel before the end');
  });

  it("passes the sender's failure to the receiver with its name and code", async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 4, window: 2 });
    await sender.write(Buffer.from('ACGT'));
    sender.fail({ message: 'socket hang up', name: 'TimeoutError', code: 'ECONNRESET' });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of receiveChunks(port2)) received.push(chunk.toString());
      })(),
    ).rejects.toMatchObject({ message: 'socket hang up', name: 'TimeoutError', code: 'ECONNRESET' });
    expect(received).toEqual(['ACGT']);
  });

  it('stops a sender waiting for room when the receiver closes its end', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 4, window: 1 });
    const writing = sender.write(Buffer.from('ACGTACGT'));
    port2.close();
    await writing;
    expect(sender.isClosed).toBe(true);
  });
});

describe('readableFromChannel', () => {
  it('leaves chunks to the consumer, takes no more than the stream holds, and ends with the sender', async () => {
    const { port1, port2 } = new MessageChannel();
    const pool = new BufferPool(4);
    const sender = new ChunkSender(port1, { chunkBytes: 1_024, window: 2, pool });
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 8; i++) {
        await sender.write(Buffer.alloc(1_024, i));
        written++;
      }
      await sender.end();
    })();
    const seen: ArrayBuffer[] = [];
    const stream = readableFromChannel(port2, { highWaterMark: 1_024, onChunk: (b) => seen.push(b) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nothing read: the stream holds one chunk, one more is away, and the sender waits.
    expect(written).toBeLessThan(4);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    await writing;
    // Every chunk is still the consumer's: none was handed back behind its back and refilled.
    expect(chunks.map((chunk) => chunk[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(chunks.every((chunk) => chunk.every((byte) => byte === chunk[0]))).toBe(true);
    // One read, one chunk as it arrived (not several joined into a copy), so it can go back.
    expect(chunks.map((chunk) => chunk.buffer)).toEqual(seen);
  });

  it("ends in the sender's failure, or in an error when the sender goes away before the end", async () => {
    const failing = new MessageChannel();
    const sender = new ChunkSender(failing.port1, { chunkBytes: 4, window: 2 });
    const stream = readableFromChannel(failing.port2, { highWaterMark: 4 });
    await sender.write(Buffer.from('ACGT'));
    sender.fail({ message: 'reset', code: 'ECONNRESET' });
    await expect(stream.toArray()).rejects.toMatchObject({ message: 'reset', code: 'ECONNRESET' });

    const vanishing = new MessageChannel();
    const cut = readableFromChannel(vanishing.port2, { highWaterMark: 4 });
    vanishing.port1.close();
    await expect(cut.toArray()).rejects.toThrow('closed the channel before the end');
  });

  it('closes the channel when the consumer destroys the stream, which stops the sender', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 4, window: 1 });
    const stream = readableFromChannel(port2, { highWaterMark: 4 });
    const writing = (async () => {
      for (let i = 0; i < 100 && !sender.isClosed; i++) await sender.write(Buffer.from('ACGT'));
    })();
    stream.destroy();
    await writing;
    expect(sender.isClosed).toBe(true);
  });
});

describe('BufferPool', () => {
  it('hands back buffers it was given, keeps at most its size, and ignores emptied ones', () => {
    const pool = new BufferPool(1);
    const a = new ArrayBuffer(8);
    pool.give(a);
    pool.give(new ArrayBuffer(8));
    pool.give(new ArrayBuffer(0));
    expect(pool.take(8)).toBe(a);
    expect(pool.take(8)).not.toBe(a);
  });
});
