import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { cdkJsonContext, synthPipeline } from './synth.js';

const load = (context: Record<string, unknown> = {}) => loadConfig((key) => context[key]);

describe('config defaults', () => {
  it('documents a sandbox in us-east-1 with two AZs and no NAT', () => {
    expect(load()).toEqual({
      envName: 'sandbox',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natMode: 'none',
      vpcCidr: '10.40.0.0/16',
      ipv6: false,
      lambdaMemoryMb: 1769,
      lambdaTimeoutSeconds: 900,
      dispatcherReservedConcurrency: undefined,
      workerCpu: 1024,
      workerMemoryMb: 2048,
      workerArchitecture: 'arm64',
      workerEphemeralStorageGiB: 21,
      routingSafetyFactor: 2,
      s3ReadConcurrency: 4,
      inputStallSeconds: 120,
      maxObjectBytes: 100 * 1024 ** 3,
      jobTtlDays: 30,
      maxAttempts: 3,
      retryBaseMs: 1000,
      workerTimeoutMinutes: 720,
      sweepIntervalMinutes: 5,
      reconcileIntervalMinutes: 30,
      reconcileGraceMinutes: 10,
      reconcileLookbackHours: 48,
      reconcileMaxPerRun: 500,
      logRetentionDays: 30,
      archiveStorageClass: 'GLACIER_IR',
      archiveAfterDays: 30,
      maxRunningTasks: 20,
      launcherConcurrency: 2,
      queryScanLimitBytes: 1_000_000_000,
      removalPolicy: 'destroy',
      alarmEmail: undefined,
    });
  });

  it('reads cdk.json context into the same defaults', () => {
    expect(load(cdkJsonContext())).toEqual(load());
  });

  it('retains data by default outside the sandbox', () => {
    expect(load({ envName: 'prod' }).removalPolicy).toBe('retain');
    expect(load({ envName: 'prod', removalPolicy: 'destroy' }).removalPolicy).toBe('destroy');
  });

  it('accepts numbers and lists as the strings `cdk -c key=value` passes', () => {
    const config = load({
      azCount: '3',
      lambdaMemoryMb: '3008',
      routingSafetyFactor: '1.5',
      dispatcherReservedConcurrency: '10',
      workerEphemeralStorageGiB: '200',
      region: 'eu-west-1',
    });
    expect(config.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(config.lambdaMemoryMb).toBe(3008);
    expect(config.routingSafetyFactor).toBe(1.5);
    expect(config.dispatcherReservedConcurrency).toBe(10);
    expect(config.workerEphemeralStorageGiB).toBe(200);
    expect(load({ availabilityZones: 'us-east-1d, us-east-1f' }).availabilityZones).toEqual([
      'us-east-1d',
      'us-east-1f',
    ]);
  });

  it('turns IPv6 on from a JSON boolean or the string `cdk -c ipv6=true` passes', () => {
    expect(load({ ipv6: true }).ipv6).toBe(true);
    expect(load({ ipv6: 'true' }).ipv6).toBe(true);
    expect(load({ ipv6: ' TRUE ' }).ipv6).toBe(true);
    expect(load({ ipv6: 'false' }).ipv6).toBe(false);
    expect(load({ ipv6: false }).ipv6).toBe(false);
    expect(load({ ipv6: '' }).ipv6).toBe(false);
  });

  it('takes explicit zones, up to six', () => {
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];
    expect(load({ availabilityZones: zones }).availabilityZones).toEqual(zones);
    expect(load({ availabilityZones: zones.slice(0, 4), azCount: 4 }).availabilityZones).toHaveLength(4);
  });
});

describe('config rejections name the context key', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'an unknown archive storage class',
      { archiveStorageClass: 'GLACIER_FLEXIBLE' },
      /Invalid context 'archiveStorageClass': must be one of 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'none'; got 'GLACIER_FLEXIBLE'/,
    ],
    [
      'archiving after 0 days',
      { archiveAfterDays: 0 },
      /Invalid context 'archiveAfterDays': must be between 1 and 36500; got 0/,
    ],
    [
      'Deep Archive before the reconciler has looked',
      { archiveStorageClass: 'DEEP_ARCHIVE', archiveAfterDays: 2 },
      /Invalid context 'archiveAfterDays': must be longer than reconcileLookbackHours \(48 hours\) for DEEP_ARCHIVE, .*; got 2/,
    ],
    ['envName with capitals', { envName: 'Prod' }, /Invalid context 'envName': must be 1-20 lowercase/],
    [
      'a query scan limit under the minimum of Athena',
      { queryScanLimitBytes: 9_999_999 },
      /Invalid context 'queryScanLimitBytes': must be between 10000000 and \d+; got 9999999/,
    ],
    [
      'a read concurrency of 0',
      { s3ReadConcurrency: 0 },
      /Invalid context 's3ReadConcurrency': must be between 1 and 32; got 0/,
    ],
    [
      'an image name with spaces',
      { workerImage: 'my worker:1' },
      /Invalid context 'workerImage': must be an image name like 'repo\/worker:1.0'; got 'my worker:1'/,
    ],
    ['region that is not a region', { region: 'mars' }, /Invalid context 'region': must be a region name/],
    ['one AZ', { azCount: 1 }, /Invalid context 'azCount': must be between 2 and 6; got 1/],
    ['seven AZs', { azCount: 7 }, /Invalid context 'azCount': must be between 2 and 6; got 7/],
    [
      'four AZs without names',
      { azCount: 4 },
      /Invalid context 'azCount': more than 3 AZs needs their names/,
    ],
    ['a fractional AZ count', { azCount: 2.5 }, /Invalid context 'azCount': must be a whole number; got 2.5/],
    [
      'an AZ count that is not a number',
      { azCount: 'two' },
      /Invalid context 'azCount': must be a number; got "two"/,
    ],
    [
      'a zone of another region',
      { availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
      /Invalid context 'availabilityZones': 'eu-west-1a' is not a zone of region 'us-east-1'/,
    ],
    [
      'a zone listed twice',
      { availabilityZones: ['us-east-1a', 'us-east-1a'] },
      /Invalid context 'availabilityZones': lists a zone twice/,
    ],
    [
      'a single zone',
      { availabilityZones: ['us-east-1a'] },
      /Invalid context 'availabilityZones': must name 2 to 6 zones/,
    ],
    [
      'zones that are not strings',
      { availabilityZones: [1, 2] },
      /Invalid context 'availabilityZones': must be a list of zone names/,
    ],
    [
      'a count that disagrees with the zones',
      { azCount: 3, availabilityZones: ['us-east-1a', 'us-east-1b'] },
      /Invalid context 'azCount': is 3 but 'availabilityZones' names 2 zones/,
    ],
    [
      'an unknown NAT mode',
      { natMode: 'double' },
      /Invalid context 'natMode': must be one of 'none', 'single', 'perAz'; got 'double'/,
    ],
    [
      'an IPv6 switch that is not a boolean',
      { ipv6: 'yes' },
      /Invalid context 'ipv6': must be true or false; got "yes"/,
    ],
    ['an IPv6 switch given as a number', { ipv6: 1 }, /Invalid context 'ipv6': must be true or false; got 1/],
    ['a VPC CIDR that is no CIDR', { vpcCidr: 'ten' }, /Invalid context 'vpcCidr': must be an IPv4 CIDR/],
    [
      'a VPC CIDR octet above 255',
      { vpcCidr: '10.400.0.0/16' },
      /Invalid context 'vpcCidr': must be an IPv4 CIDR/,
    ],
    [
      'a VPC CIDR that is not a /16',
      { vpcCidr: '10.40.0.0/20' },
      /Invalid context 'vpcCidr': must be a \/16 network/,
    ],
    [
      'a /16 with host bits',
      { vpcCidr: '10.40.1.0/16' },
      /Invalid context 'vpcCidr': must be a \/16 network/,
    ],
    [
      'Lambda memory below 128 MB',
      { lambdaMemoryMb: 64 },
      /Invalid context 'lambdaMemoryMb': must be between 128 and 10240/,
    ],
    [
      'a Lambda timeout above 15 minutes',
      { lambdaTimeoutSeconds: 901 },
      /Invalid context 'lambdaTimeoutSeconds': must be between 1 and 900/,
    ],
    [
      'reserved concurrency of 0',
      { dispatcherReservedConcurrency: 0 },
      /Invalid context 'dispatcherReservedConcurrency': must be between 1/,
    ],
    [
      'a CPU size Fargate lacks',
      { workerCpu: 3072 },
      /Invalid context 'workerCpu': must be one of 256, 512, 1024/,
    ],
    [
      'memory that does not fit the CPU',
      { workerCpu: 1024, workerMemoryMb: 1024 },
      /Invalid context 'workerMemoryMb': must be 2048-8192 in steps of 1024 MiB for workerCpu 1024; got 1024/,
    ],
    [
      'memory off the CPU size steps',
      { workerCpu: 8192, workerMemoryMb: 18432 },
      /Invalid context 'workerMemoryMb': must be 16384-61440 in steps of 4096 MiB for workerCpu 8192/,
    ],
    [
      'an unknown architecture',
      { workerArchitecture: 'arm' },
      /Invalid context 'workerArchitecture': must be one of 'arm64', 'x86_64'/,
    ],
    [
      'ephemeral storage below what Fargate gives every task',
      { workerEphemeralStorageGiB: 20 },
      /Invalid context 'workerEphemeralStorageGiB': must be between 21 and 200; got 20/,
    ],
    [
      'ephemeral storage above Fargate’s 200 GiB',
      { workerEphemeralStorageGiB: 201 },
      /Invalid context 'workerEphemeralStorageGiB': must be between 21 and 200; got 201/,
    ],
    [
      'ephemeral storage in part of a GiB',
      { workerEphemeralStorageGiB: 30.5 },
      /Invalid context 'workerEphemeralStorageGiB': must be a whole number; got 30.5/,
    ],
    [
      'a safety factor below 1',
      { routingSafetyFactor: 0.5 },
      /Invalid context 'routingSafetyFactor': must be between 1 and 100; got 0.5/,
    ],
    [
      'an empty max object size',
      { maxObjectBytes: 0 },
      /Invalid context 'maxObjectBytes': must be between 1 and/,
    ],
    [
      'a max object size above S3’s 5 TiB',
      { maxObjectBytes: 6 * 1024 ** 4 },
      /Invalid context 'maxObjectBytes': must be between 1 and 5497558138880/,
    ],
    ['a TTL of 0 days', { jobTtlDays: 0 }, /Invalid context 'jobTtlDays': must be between 1 and 3650/],
    ['zero attempts', { maxAttempts: 0 }, /Invalid context 'maxAttempts': must be between 1 and 10; got 0/],
    [
      'a negative backoff',
      { retryBaseMs: -1 },
      /Invalid context 'retryBaseMs': must be between 0 and 60000; got -1/,
    ],
    [
      'a sweep slower than hourly',
      { sweepIntervalMinutes: 90 },
      /Invalid context 'sweepIntervalMinutes': must be between 1 and 60/,
    ],
    [
      'a reconcile lookback that outlives the job items',
      { jobTtlDays: 2, reconcileLookbackHours: 48 },
      /Invalid context 'reconcileLookbackHours': must be shorter than jobTtlDays \(2 days\)/,
    ],
    [
      'a worker with no time at all',
      { workerTimeoutMinutes: 0 },
      /Invalid context 'workerTimeoutMinutes': must be between 1 and 10080/,
    ],
    [
      'a retention CloudWatch Logs lacks',
      { logRetentionDays: 31 },
      /Invalid context 'logRetentionDays': must be one of 1, 3, 5/,
    ],
    [
      'an unknown removal policy',
      { removalPolicy: 'keep' },
      /Invalid context 'removalPolicy': must be one of 'destroy', 'retain'; got 'keep'/,
    ],
    [
      'an alarm e-mail without @',
      { alarmEmail: 'ops.example.com' },
      /Invalid context 'alarmEmail': must be an e-mail address/,
    ],
    [
      'an alarm e-mail that is not a string',
      { alarmEmail: 42 },
      /Invalid context 'alarmEmail': must be a string; got 42/,
    ],
  ];

  it.each(cases)('rejects %s', (_name, context, message) => {
    expect(() => load(context)).toThrowError(message);
    expect(() => load(context)).toThrowError(ConfigError);
  });

  it('fails synth with the same message', () => {
    expect(() => synthPipeline({ natMode: 'nat' })).toThrowError(/Invalid context 'natMode'/);
  });
});
