import { randomBytes } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BufferPool, ChunkSender, receiveChunks } from '../../../src/core/chunk-channel.js';

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

  it('stops a sender waiting for room when the receiver closes its end', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new ChunkSender(port1, { chunkBytes: 4, window: 1 });
    const writing = sender.write(Buffer.from('ACGTACGT'));
    port2.close();
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
