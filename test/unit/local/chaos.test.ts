import { describe, expect, it } from 'vitest';
import {
  chaosFromRates,
  chaosSettings,
  describeChaos,
  parseChaos,
  seededRandom,
} from '../../../local/chaos.js';
import { chaosFor } from '../../../local/emulators.js';

const OFF = { duplicate: 0, lostevent: 0, crash: 0, interrupt: 0, throttle: 0, ratelimit: 0, lostanswer: 0 };

describe('PIPELINE_CHAOS', () => {
  it('parses rates and leaves the rest at zero', () => {
    expect(parseChaos('duplicate=0.3, crash=0.2, lostanswer=0.1')).toEqual({
      duplicate: 0.3,
      lostevent: 0,
      crash: 0.2,
      interrupt: 0,
      throttle: 0,
      ratelimit: 0,
      lostanswer: 0.1,
    });
    expect(parseChaos(undefined)).toEqual(OFF);
  });

  it.each([
    [
      'explode=0.1',
      /not one of duplicate=, lostevent=, crash=, interrupt=, throttle=, ratelimit=, lostanswer= with a rate/,
    ],
    ['crash', /not one of/],
    ['crash=', /not one of/],
    ['crash=1.5', /between 0 and 1/],
    ['throttle=-0.1', /between 0 and 1/],
    ['duplicate=lots', /between 0 and 1/],
    ['ratelimit=2', /ratelimit must be a rate between 0 and 1/],
    ['lostanswer=x', /lostanswer must be a rate between 0 and 1/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseChaos(spec)).toThrow(message);
  });

  it('injects faults at about the rate asked, repeatably for a seed', () => {
    const draw = (seed: number) => {
      const chaos = chaosFromRates({ ...OFF, duplicate: 0.3, throttle: 1 }, seededRandom(seed));
      return Array.from({ length: 10_000 }, () => chaos.duplicate());
    };
    const hits = draw(7).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2700);
    expect(hits).toBeLessThan(3300);
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const never = chaosFromRates(OFF, seededRandom(1));
    expect(
      Array.from(
        { length: 1000 },
        () => never.crash(1) || never.throttle(1) || never.rateExceeded(1) || never.loseAnswer(1),
      ),
    ).not.toContain(true);
    const always = chaosFromRates({ ...OFF, ratelimit: 1, lostanswer: 1 }, seededRandom(1));
    expect([always.rateExceeded(1), always.loseAnswer(1), always.throttle(1)]).toEqual([true, true, false]);
  });

  it('is off when no fault is asked for, and draws a seed when none is given', () => {
    expect(chaosSettings(undefined, undefined)).toBeUndefined();
    expect(chaosSettings('crash=0', '5')).toBeUndefined();
    expect(chaosSettings('crash=0.2', undefined, () => 4321)).toMatchObject({ seed: 4321 });
    expect(chaosSettings('crash=0.2', ' 77 ')).toMatchObject({ seed: 77, rates: { crash: 0.2 } });
  });

  it.each(['abc', '1.5'])('rejects the seed %s', (seed) => {
    expect(() => chaosSettings('crash=0.2', seed)).toThrow(/PIPELINE_CHAOS_SEED must be a whole number/);
  });

  it('repeats the same faults for the same seed', () => {
    const draws = (seed: string) => {
      const { chaos } = chaosSettings('duplicate=0.5', seed)!;
      return Array.from({ length: 100 }, () => chaos.duplicate());
    };
    expect(draws('9')).toEqual(draws('9'));
  });

  it('says at start-up which faults are on, with their rates and the seed', () => {
    const settings = chaosSettings('duplicate=0.3,crash=0.2', '1234')!;
    expect(describeChaos(settings)).toBe(
      'chaos: duplicate 30%, lostevent off, crash 20%, interrupt off, throttle off, ratelimit off, lostanswer off (seed 1234; PIPELINE_CHAOS_SEED repeats it)',
    );
    expect(
      describeChaos({
        ...settings,
        rates: { ...OFF, duplicate: 0.125, crash: 1, ratelimit: 0.05, lostanswer: 0.5 },
      }),
    ).toMatch(
      /^chaos: duplicate 12.5%, lostevent off, crash 100%, interrupt off, throttle off, ratelimit 5%, lostanswer 50% \(seed 1234;/,
    );
  });

  it('is for the moto cloud, whose runner injects the faults, and not for LocalStack', () => {
    const env = { PIPELINE_CHAOS: 'crash=0.2', PIPELINE_CHAOS_SEED: '3' };
    expect(chaosFor('moto', env)).toMatchObject({ seed: 3 });
    expect(() => chaosFor('localstack', env)).toThrow(/LocalStack runs the functions itself/);
    expect(chaosFor('localstack', {})).toBeUndefined();
    expect(() => chaosFor('moto', { PIPELINE_CHAOS: 'crash=2' })).toThrow(/between 0 and 1/);
  });
});
