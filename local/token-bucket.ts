/**
 * A token bucket, the way AWS describes its API rate limits: the bucket holds up to `capacity`
 * tokens (the burst), gains `refillPerSecond` tokens each second (the sustained rate), and each
 * call takes one; a call that finds it empty is throttled. The clock is injected so tests need
 * no waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(capacity >= 1)) throw new Error(`a token bucket needs a capacity of at least 1, got ${capacity}`);
    if (!(refillPerSecond >= 0))
      throw new Error(`a token bucket's refill must be 0 or more, got ${refillPerSecond}`);
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes `n` tokens if the bucket holds them; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Tokens in the bucket now, whole or not. */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSecond);
  }
}
