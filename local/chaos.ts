import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Fault injection for the local cloud, switched on with `PIPELINE_CHAOS`, e.g.
 * `duplicate=0.3,crash=0.2,throttle=0.2`:
 * - duplicate: an S3 event is delivered to the dispatcher twice (S3 and Lambda are at-least-once);
 * - crash: a worker process is killed mid-job (SIGKILL, exit 137), as a lost Fargate task would be;
 * - interrupt: a worker process is told to stop mid-job (SIGTERM, then SIGKILL after the stop
 *   timeout), as in a Spot reclaim;
 * - throttle: ECS RunTask answers ThrottlingException, through a proxy in front of the emulator,
 *   so the SDK sees a real throttling response.
 * `PIPELINE_CHAOS_SEED` makes a run repeatable.
 */
export interface ChaosRates {
  duplicate: number;
  crash: number;
  interrupt: number;
  throttle: number;
}

/** Deciders the runner and the proxy ask; tests may pass their own instead of rates. */
export interface Chaos {
  /** Deliver this event twice? */
  duplicate(): boolean;
  /** Kill this worker mid-job? `taskNumber` counts the tasks run for the same job, from 1. */
  crash(taskNumber: number): boolean;
  /** Stop this worker mid-job as a Spot reclaim does? Counted like `crash`. */
  interrupt(taskNumber: number): boolean;
  /** Throttle this RunTask call? `call` counts RunTask calls, from 1. */
  throttle(call: number): boolean;
}

export const NO_CHAOS: Chaos = {
  duplicate: () => false,
  crash: () => false,
  interrupt: () => false,
  throttle: () => false,
};

export function parseChaos(spec: string | undefined): ChaosRates {
  const rates: ChaosRates = { duplicate: 0, crash: 0, interrupt: 0, throttle: 0 };
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    const rate = Number(value);
    if (!name || !(name in rates) || rest.length || value === undefined || value.trim() === '') {
      throw new Error(
        `PIPELINE_CHAOS: "${part}" is not one of duplicate=, crash=, interrupt=, throttle= with a rate`,
      );
    }
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new Error(`PIPELINE_CHAOS: ${name} must be a rate between 0 and 1, got "${value}"`);
    }
    rates[name as keyof ChaosRates] = rate;
  }
  return rates;
}

/** A small, seedable PRNG (mulberry32), so a chaos run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chaosFromRates(rates: ChaosRates, random: () => number = Math.random): Chaos {
  return {
    duplicate: () => random() < rates.duplicate,
    crash: () => random() < rates.crash,
    interrupt: () => random() < rates.interrupt,
    throttle: () => random() < rates.throttle,
  };
}

/** Faults asked for, with the seed that repeats their draws. */
export interface ChaosSettings {
  rates: ChaosRates;
  seed: number;
  chaos: Chaos;
}

/**
 * `PIPELINE_CHAOS` and `PIPELINE_CHAOS_SEED` (or a command's own options), checked; undefined when
 * no fault is asked for. Without a seed one is drawn, short enough to type again.
 */
export function chaosSettings(
  spec: string | undefined,
  seedText: string | undefined,
  drawSeed: () => number = () => Math.floor(Math.random() * 1e6),
): ChaosSettings | undefined {
  const rates = parseChaos(spec);
  const seed = seedText?.trim() ? Number(seedText) : drawSeed();
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`PIPELINE_CHAOS_SEED must be a whole number, got "${seedText}"`);
  }
  if (!Object.values(rates).some((rate) => rate > 0)) return undefined;
  return { rates, seed, chaos: chaosFromRates(rates, seededRandom(seed)) };
}

export function chaosFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosSettings | undefined {
  return chaosSettings(env.PIPELINE_CHAOS, env.PIPELINE_CHAOS_SEED);
}

/** The start-up line that says which faults are on, e.g. `chaos: duplicate 30%, crash off, …`. */
export function describeChaos({ rates, seed }: Pick<ChaosSettings, 'rates' | 'seed'>): string {
  const faults = (Object.keys(rates) as (keyof ChaosRates)[]).map((name) =>
    rates[name] > 0 ? `${name} ${Number((rates[name] * 100).toFixed(1))}%` : `${name} off`,
  );
  return `chaos: ${faults.join(', ')} (seed ${seed}; PIPELINE_CHAOS_SEED repeats it)`;
}

export interface ChaosProxy {
  endpoint: string;
  /** RunTask calls seen and how many were throttled. */
  stats: { runTaskCalls: number; throttled: number };
  stop(): Promise<void>;
}

/**
 * Forwards every request to the emulator, except the RunTask calls chaos picks, which get the
 * answer ECS gives when it throttles.
 */
export async function startChaosProxy(target: string, chaos: Chaos): Promise<ChaosProxy> {
  const upstream = new URL(target);
  const stats = { runTaskCalls: 0, throttled: 0 };
  const server = http.createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '');
    if (operation.endsWith('.RunTask')) {
      stats.runTaskCalls++;
      if (chaos.throttle(stats.runTaskCalls)) {
        stats.throttled++;
        req.resume();
        const body = JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' });
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'ThrottlingException',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
    }
    const forward = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
