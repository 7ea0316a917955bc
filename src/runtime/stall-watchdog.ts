/**
 * An input that stopped sending bytes. Transient: the network or S3 stalled, not the object, so
 * the job is put back to run again rather than failed.
 */
export class InputStalledError extends Error {
  override readonly name = 'InputStalledError';
  readonly code = 'INPUT_STALLED';
  constructor(readonly seconds: number) {
    super(`the input sent no bytes for ${seconds} s: its read stalled`);
  }
}

/**
 * Yields the source's chunks, and fails with `InputStalledError` when one is awaited for longer
 * than `seconds`. Only the wait for the source counts, not the consumer's time with a chunk, so a
 * slow parser never trips it. `onStall` runs first, to abort the request that stalled; the source
 * is then closed without waiting for it.
 */
export async function* withStallWatchdog<T>(
  source: AsyncIterable<T>,
  seconds: number,
  onStall?: () => void,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const result = await withinSeconds(iterator.next(), seconds, onStall);
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // A stalled `next()` may never settle: close the source, but do not wait for it.
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** `promise`, or `InputStalledError` once `seconds` have passed without it settling. */
async function withinSeconds<T>(promise: Promise<T>, seconds: number, onStall?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onStall?.();
      reject(new InputStalledError(seconds));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a body with `open` (given a signal that aborts when the read stalls) and watches it: the
 * wait for the response and for every chunk is limited to `seconds`, after which the request is
 * aborted and the read fails with `InputStalledError`. Without `seconds`, no limit.
 */
export async function openWatched<T extends { body: AsyncIterable<Uint8Array> }>(
  open: (signal: AbortSignal | undefined) => Promise<T>,
  seconds: number | undefined,
  signal?: AbortSignal,
): Promise<T> {
  if (seconds === undefined) return open(signal);
  // A stalled GET would otherwise hold the job until its time limit, its lease kept alive by
  // the heartbeat; aborting the request frees the connection as well as the job.
  const stall = new AbortController();
  const onStall = () => stall.abort(new InputStalledError(seconds));
  const both = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
  const opened = await withinSeconds(open(both), seconds, onStall);
  return { ...opened, body: withStallWatchdog(opened.body, seconds, onStall) };
}
