/** Small statistics over repeated runs. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Largest value, or undefined when none is known. */
export function maxOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

/** Decimal megabytes per second. */
export function mbPerSecond(bytes: number, seconds: number): number {
  if (!(seconds > 0)) throw new RangeError(`seconds must be positive, got ${seconds}`);
  return bytes / 1e6 / seconds;
}
