import { describe, expect, it } from 'vitest';
import { InputStalledError, withStallWatchdog } from '../../../src/runtime/stall-watchdog.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* chunks(delaysMs: number[]): AsyncGenerator<number> {
  for (const [i, delay] of delaysMs.entries()) {
    await sleep(delay);
    yield i;
  }
}

describe('withStallWatchdog', () => {
  it('passes every chunk of a source that keeps sending', async () => {
    const seen: number[] = [];
    for await (const chunk of withStallWatchdog(chunks([10, 10, 10]), 0.2)) seen.push(chunk);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('does not count the time the consumer spends on a chunk', async () => {
    const seen: number[] = [];
    for await (const chunk of withStallWatchdog(chunks([0, 0]), 0.05)) {
      seen.push(chunk);
      await sleep(150);
    }
    expect(seen).toEqual([0, 1]);
  });

  it('fails with INPUT_STALLED once the source sends nothing for the bound, and aborts it first', async () => {
    let stalls = 0;
    const started = Date.now();
    const read = async () => {
      for await (const chunk of withStallWatchdog(chunks([0, 10_000]), 0.1, () => stalls++)) void chunk;
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputStalledError);
    expect(error).toMatchObject({
      code: 'INPUT_STALLED',
      message: expect.stringMatching(/no bytes for 0.1 s/),
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stalls).toBe(1);
  });
});
