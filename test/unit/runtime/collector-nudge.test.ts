import { afterEach, describe, expect, it, vi } from 'vitest';

/** The module as a process started with or without the collector exposed loads it. */
async function load(collector?: (options: { type: 'minor' }) => void) {
  vi.resetModules();
  vi.stubGlobal('gc', collector);
  return import('../../../src/runtime/aws/collector-nudge.js');
}

afterEach(() => vi.unstubAllGlobals());

describe('nudgeCollector', () => {
  it('asks an exposed collector for a young-generation collection every COLLECT_EVERY_BYTES', async () => {
    const collections: { type: string }[] = [];
    const { nudgeCollector, COLLECT_EVERY_BYTES } = await load((options) => collections.push(options));
    const chunk = 64 * 1024;
    for (let received = 0; received < 3 * COLLECT_EVERY_BYTES - chunk; received += chunk)
      nudgeCollector(chunk);
    expect(collections).toEqual([{ type: 'minor' }, { type: 'minor' }]);
    nudgeCollector(chunk);
    expect(collections).toHaveLength(3);
  });

  it('leaves heap garbage instead where the collector is not exposed', async () => {
    const { nudgeCollector, nudgingCollector } = await load(undefined);
    expect(() => nudgeCollector(64 * 1024)).not.toThrow();
    const chunks = [new Uint8Array(3), new Uint8Array(5)];
    async function* body() {
      yield* chunks;
    }
    const seen: Uint8Array[] = [];
    for await (const chunk of nudgingCollector(body())) seen.push(chunk);
    expect(seen).toEqual(chunks);
  });
});
