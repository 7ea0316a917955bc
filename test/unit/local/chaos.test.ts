import { describe, expect, it } from 'vitest';
import { chaosFromRates, parseChaos, seededRandom } from '../../../local/chaos.js';

describe('PIPELINE_CHAOS', () => {
  it('parses rates and leaves the rest at zero', () => {
    expect(parseChaos('duplicate=0.3, crash=0.2')).toEqual({ duplicate: 0.3, crash: 0.2, throttle: 0 });
    expect(parseChaos(undefined)).toEqual({ duplicate: 0, crash: 0, throttle: 0 });
  });

  it.each([
    ['explode=0.1', /not one of/],
    ['crash', /not one of/],
    ['crash=', /not one of/],
    ['crash=1.5', /between 0 and 1/],
    ['throttle=-0.1', /between 0 and 1/],
    ['duplicate=lots', /between 0 and 1/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseChaos(spec)).toThrow(message);
  });

  it('injects faults at about the rate asked, repeatably for a seed', () => {
    const draw = (seed: number) => {
      const chaos = chaosFromRates({ duplicate: 0.3, crash: 0, throttle: 1 }, seededRandom(seed));
      return Array.from({ length: 10_000 }, () => chaos.duplicate());
    };
    const hits = draw(7).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2700);
    expect(hits).toBeLessThan(3300);
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const never = chaosFromRates({ duplicate: 0, crash: 0, throttle: 0 }, seededRandom(1));
    expect(Array.from({ length: 1000 }, () => never.crash(1) || never.throttle(1))).not.toContain(true);
  });
});
