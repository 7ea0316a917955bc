import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { Network, PlannedIpAddresses } from '../../lib/constructs/network.js';

describe('construct props are validated', () => {
  it('Network refuses zones of more than one region', () => {
    const stack = new Stack(new App(), 'Test');
    expect(
      () => new Network(stack, 'Network', { availabilityZones: ['us-east-1a', 'eu-west-1b'] }),
    ).toThrowError(/availabilityZones must be zones of one region, got us-east-1a, eu-west-1b/);
  });

  it('the subnet plan refuses a zone it was not given', () => {
    const plan = new PlannedIpAddresses('10.40.0.0/16', ['us-east-1a']);
    expect(plan.cidrFor('Private', 'us-east-1a')).toBe('10.40.16.0/20');
    expect(() => plan.cidrFor('Private', 'us-east-1b')).toThrowError(
      /no planned subnet for tier Private in us-east-1b/,
    );
  });
});
