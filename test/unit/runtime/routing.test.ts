import { describe, expect, it } from 'vitest';
import { FORCED_ROUTE_METADATA } from '../../../contract/names.js';
import {
  applyForcedRoute,
  buildRoutingPolicy,
  decideRoute,
  lambdaMaxBytes,
  parseRoutingPolicy,
  type RoutingPolicy,
} from '../../../contract/routing.js';

const MB = 1e6;
const GB = 1e9;

const policy: RoutingPolicy = {
  lambdaBudgetSeconds: 840,
  safetyFactor: 2,
  startupSeconds: 2,
  throughput: {
    fastq: { bytesPerSecond: 200 * MB, gzipBytesPerSecond: 100 * MB, gzipExpansion: 4 },
    csv: { bytesPerSecond: 40 * MB, gzipBytesPerSecond: 30 * MB, gzipExpansion: 5 },
  },
  source: 'test',
};

describe('decideRoute', () => {
  it('runs a small FASTQ in Lambda', () => {
    const d = decideRoute(50 * MB, { format: 'fastq', gzip: false }, policy);
    expect(d.route).toBe('lambda');
    expect(d.predictedSeconds).toBeCloseTo(2.25);
  });

  it('routes a 20 GB gzip to ECS', () => {
    const d = decideRoute(20 * GB, { format: 'fastq', gzip: true }, policy);
    expect(d.route).toBe('ecs');
    // 20 GB × 4 expansion ÷ 100 MB/s + 2 s startup
    expect(d.predictedSeconds).toBeCloseTo(802);
    expect(d.reason).toContain('> budget 840s');
  });

  it('counts gzip expansion: the same size goes further plain than gzipped', () => {
    const size = 50 * GB;
    expect(
      decideRoute(size / 1000, { format: 'fastq', gzip: true }, policy).predictedSeconds,
    ).toBeGreaterThan(decideRoute(size / 1000, { format: 'fastq', gzip: false }, policy).predictedSeconds);
  });

  it('applies the safety factor at the boundary', () => {
    const kind = { format: 'csv', gzip: false } as const;
    const max = lambdaMaxBytes(kind, policy);
    expect(max).toBe(Math.floor((840 / 2 - 2) * 40 * MB));
    expect(decideRoute(max, kind, policy).route).toBe('lambda');
    expect(decideRoute(max + 1000, kind, policy).route).toBe('ecs');
  });

  it('refuses a negative size', () => {
    expect(() => decideRoute(-1, { format: 'csv', gzip: false }, policy)).toThrow(/invalid object size/);
  });
});

describe('buildRoutingPolicy', () => {
  it('keeps headroom from the timeout for the hand-off', () => {
    const p = buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 1769 });
    expect(p.lambdaBudgetSeconds).toBe(840);
    expect(p.safetyFactor).toBe(2);
  });

  it('scales throughput with the CPU share of smaller functions and not beyond one vCPU', () => {
    const full = buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 1769 });
    const half = buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 884 });
    const big = buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 4096 });
    expect(half.throughput.fastq.bytesPerSecond / full.throughput.fastq.bytesPerSecond).toBeCloseTo(0.5, 2);
    expect(big.throughput.fastq.bytesPerSecond).toBe(full.throughput.fastq.bytesPerSecond);
  });

  it('rejects a safety factor below 1', () => {
    expect(() =>
      buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 1769, safetyFactor: 0.5 }),
    ).toThrow(/safetyFactor must be ≥ 1/);
  });
});

describe('parseRoutingPolicy (the policy as it crosses into the dispatcher)', () => {
  const deployed = buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 1769 });

  it('reads back the policy the stack writes', () => {
    expect(parseRoutingPolicy(JSON.stringify(deployed))).toEqual(deployed);
  });

  it.each([
    ['text that is not JSON', '{', /not valid JSON/],
    ['an array', '[]', /the policy must be an object/],
    [
      'a missing format',
      JSON.stringify({ ...deployed, throughput: { fastq: deployed.throughput.fastq } }),
      /throughput\.csv must be an object/,
    ],
    [
      'a throughput given as text',
      JSON.stringify({
        ...deployed,
        throughput: { ...deployed.throughput, csv: { ...deployed.throughput.csv, bytesPerSecond: '5e6' } },
      }),
      /throughput\.csv\.bytesPerSecond must be a number > 0, got "5e6"/,
    ],
    [
      'a safety factor below 1',
      JSON.stringify({ ...deployed, safetyFactor: 0.5 }),
      /safetyFactor must be a number ≥ 1, got 0\.5/,
    ],
    ['no source', JSON.stringify({ ...deployed, source: undefined }), /source must be a string/],
  ])('refuses %s, naming the field', (_name, json, message) => {
    expect(() => parseRoutingPolicy(json)).toThrowError(message);
  });
});

describe('applyForcedRoute', () => {
  const predicted = decideRoute(50 * MB, { format: 'fastq', gzip: false }, policy);

  it('takes the route the object asks for, in any case, and says so', () => {
    const forced = applyForcedRoute(predicted, ' ECS ');
    expect(forced).toMatchObject({ route: 'ecs', predictedSeconds: predicted.predictedSeconds });
    expect(forced.reason).toBe(`forced by object metadata; ${predicted.reason}`);
    expect(applyForcedRoute(predicted, 'lambda').route).toBe('lambda');
  });

  it('leaves the decision alone without metadata', () => {
    expect(applyForcedRoute(predicted, undefined)).toBe(predicted);
  });

  it('ignores any other value, and the reason names it', () => {
    const ignored = applyForcedRoute(predicted, 'fargate');
    expect(ignored.route).toBe(predicted.route);
    expect(ignored.reason).toBe(
      `object metadata ${FORCED_ROUTE_METADATA}="fargate" ignored (expected lambda or ecs); ${predicted.reason}`,
    );
  });
});
