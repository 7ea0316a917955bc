import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../local/token-bucket.js';

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refuses', () => {
    const bucket = new TokenBucket(100, 20, clock().now);
    const taken = Array.from({ length: 101 }, () => bucket.take());
    expect(taken.filter(Boolean)).toHaveLength(100);
    expect(taken[100]).toBe(false);
  });

  it('refills at its sustained rate', () => {
    const time = clock();
    const bucket = new TokenBucket(100, 20, time.now);
    while (bucket.take());
    time.advance(49); // 0.98 of a token
    expect(bucket.take()).toBe(false);
    time.advance(1);
    expect(bucket.take()).toBe(true);
    time.advance(1000);
    expect(Array.from({ length: 25 }, () => bucket.take()).filter(Boolean)).toHaveLength(20);
  });

  it('never holds more than its capacity', () => {
    const time = clock();
    const bucket = new TokenBucket(5, 20, time.now);
    time.advance(60_000);
    expect(bucket.available).toBe(5);
  });

  it('takes several tokens at once, or none', () => {
    const bucket = new TokenBucket(10, 1, clock().now);
    expect(bucket.take(8)).toBe(true);
    expect(bucket.take(3)).toBe(false);
    expect(bucket.available).toBe(2);
  });

  it.each([
    [0, 20, /capacity of at least 1/],
    [10, -1, /refill must be 0 or more/],
    [Number.NaN, 1, /capacity of at least 1/],
  ])('rejects capacity %s with refill %s', (capacity, refill, message) => {
    expect(() => new TokenBucket(capacity, refill)).toThrow(message);
  });
});
