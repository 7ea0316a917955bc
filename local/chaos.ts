/**
 * Fault injection for the local cloud, switched on with `PIPELINE_CHAOS`, e.g.
 * `duplicate=0.3,crash=0.2,throttle=0.2`:
 * - duplicate: an S3 event is delivered to the dispatcher twice (S3 and Lambda are at-least-once);
 * - lostevent: an S3 event is never delivered (S3 loses one in rare cases); the reconciler finds
 *   the upload on its next pass;
 * - crash: a worker process is killed mid-job (SIGKILL, exit 137), as a lost Fargate task would be;
 * - interrupt: a worker process is told to stop mid-job (SIGTERM, then SIGKILL after the stop
 *   timeout), as in a Spot reclaim;
 * - throttle: ECS RunTask answers ThrottlingException;
 * - ratelimit: ECS RunTask answers `InvalidParameterException: Rate exceeded`, the throttling
 *   ECS has been seen to wrap in a client error;
 * - lostanswer: ECS RunTask starts the task but its answer is lost (the connection is reset), so
 *   the caller repeats the call with the same clientToken.
 * The RunTask faults are answered by the local ECS (ecs-proxy.ts), so the SDK sees real
 * responses.
 * `PIPELINE_CHAOS_SEED` makes a run repeatable.
 */
export interface ChaosRates {
  duplicate: number;
  lostevent: number;
  crash: number;
  interrupt: number;
  throttle: number;
  ratelimit: number;
  lostanswer: number;
}

/** Deciders the runner and the local ECS ask; tests may pass their own instead of rates. */
export interface Chaos {
  /** Deliver this event twice? */
  duplicate(): boolean;
  /** Never deliver this event? */
  loseEvent(): boolean;
  /** Kill this worker mid-job? `taskNumber` counts the tasks run for the same job, from 1. */
  crash(taskNumber: number): boolean;
  /** Stop this worker mid-job as a Spot reclaim does? Counted like `crash`. */
  interrupt(taskNumber: number): boolean;
  /** Throttle this RunTask call? `call` counts RunTask calls, from 1. */
  throttle(call: number): boolean;
  /** Answer this RunTask call with `InvalidParameterException: Rate exceeded`? */
  rateExceeded(call: number): boolean;
  /** Start the task of this RunTask call but lose the answer? */
  loseAnswer(call: number): boolean;
}

export const NO_CHAOS: Chaos = {
  duplicate: () => false,
  loseEvent: () => false,
  crash: () => false,
  interrupt: () => false,
  throttle: () => false,
  rateExceeded: () => false,
  loseAnswer: () => false,
};

export function parseChaos(spec: string | undefined): ChaosRates {
  const rates: ChaosRates = {
    duplicate: 0,
    lostevent: 0,
    crash: 0,
    interrupt: 0,
    throttle: 0,
    ratelimit: 0,
    lostanswer: 0,
  };
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    const rate = Number(value);
    if (!name || !(name in rates) || rest.length || value === undefined || value.trim() === '') {
      const names = Object.keys(rates).map((n) => `${n}=`);
      throw new Error(`PIPELINE_CHAOS: "${part}" is not one of ${names.join(', ')} with a rate`);
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
    loseEvent: () => random() < rates.lostevent,
    crash: () => random() < rates.crash,
    interrupt: () => random() < rates.interrupt,
    throttle: () => random() < rates.throttle,
    rateExceeded: () => random() < rates.ratelimit,
    loseAnswer: () => random() < rates.lostanswer,
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
