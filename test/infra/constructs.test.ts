import { Duration, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Construct } from 'constructs';
import { Env, OPEN_JOBS_INDEX, RECONCILE_CURSOR_KEY } from '../../contract/names.js';
import { buildRoutingPolicy } from '../../contract/routing.js';
import { Dispatcher, type DispatcherProps } from '../../lib/constructs/dispatcher.js';
import { JobsAccess, JobsTable } from '../../lib/constructs/jobs-table.js';
import { Launcher, type ILauncher, type LauncherProps } from '../../lib/constructs/launcher.js';
import { acknowledgePolicyFinding } from '../../lib/constructs/nag.js';
import { Network, PlannedIpAddresses } from '../../lib/constructs/network.js';
import { Reconciler, type ReconcilerProps } from '../../lib/constructs/reconciler.js';
import { DataBucket, SharedFileSystem } from '../../lib/constructs/storage.js';
import { Sweeper } from '../../lib/constructs/sweeper.js';
import { TaskStateListener } from '../../lib/constructs/task-state.js';
import { ConstructValidationError, PropValidationError } from '../../lib/constructs/validation.js';
import { Worker, type WorkerProps } from '../../lib/constructs/worker.js';
import {
  actionsOf,
  functionEnvNames,
  nagFindings,
  resourceNamed,
  resourcesOf,
  roleStatements,
  testStack,
  type Statement,
} from './synth.js';

const ZONES = ['us-east-1a', 'us-east-1b'];
const BUCKET_NAME = 'existing-data';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/existing-jobs';
const FILE_SYSTEM_ID = 'fs-0123456789abcdef0';
const ACCESS_POINT_ID = 'fsap-0123456789abcdef0';

/**
 * Everything a Worker and a Dispatcher need, brought in rather than created: an existing VPC,
 * security groups, bucket, table and EFS access point, as a user with their own resources has.
 */
function existingResources(stack: Stack) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ZONES,
    privateSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
    privateSubnetRouteTableIds: ['rtb-0000000000000000a', 'rtb-0000000000000000b'],
  });
  const group = (id: string, hex: string) =>
    ec2.SecurityGroup.fromSecurityGroupId(stack, id, `sg-${hex.repeat(17)}`, { allowAllOutbound: false });
  const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'FileSystem', {
    fileSystemId: FILE_SYSTEM_ID,
    securityGroup: group('FileSystemGroup', 'f'),
  });
  return {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    dispatcherGroup: group('DispatcherGroup', 'd'),
    workerGroup: group('WorkerGroup', 'e'),
    dataBucket: DataBucket.fromBucket(stack, 'Data', s3.Bucket.fromBucketName(stack, 'Bucket', BUCKET_NAME), {
      readConcurrency: 8,
    }),
    jobs: JobsTable.fromTable(stack, 'Jobs', dynamodb.Table.fromTableArn(stack, 'Table', TABLE_ARN)),
    sharedFileSystem: SharedFileSystem.fromAccessPoint(
      stack,
      'Shared',
      efs.AccessPoint.fromAccessPointAttributes(stack, 'AccessPoint', {
        accessPointId: ACCESS_POINT_ID,
        fileSystem,
      }),
    ),
  };
}

type Existing = ReturnType<typeof existingResources>;

const workerProps = (r: Existing, overrides: Partial<WorkerProps> = {}): WorkerProps => ({
  vpc: r.vpc,
  subnets: r.subnets,
  securityGroup: r.workerGroup,
  dataBucket: r.dataBucket,
  sharedFileSystem: r.sharedFileSystem,
  jobs: r.jobs,
  jobTtlDays: 30,
  imageName: 'example/worker:1.0',
  ...overrides,
});

const dispatcherProps = (r: Existing, launcher: ILauncher, overrides: Partial<DispatcherProps> = {}) => ({
  vpc: r.vpc,
  subnets: r.subnets,
  securityGroup: r.dispatcherGroup,
  dataBucket: r.dataBucket,
  sharedFileSystem: r.sharedFileSystem,
  jobs: r.jobs,
  launcher,
  routingPolicy: buildRoutingPolicy({ lambdaTimeoutSeconds: 900, lambdaMemoryMb: 1769 }),
  maxObjectBytes: 1024 ** 3,
  jobTtlDays: 30,
  ...overrides,
});

/** A launcher on a worker of its own, in `scope`. */
function launcherOf(scope: Construct, r: Existing, overrides: Partial<LauncherProps> = {}): Launcher {
  const worker = new Worker(scope, 'W', workerProps(r));
  return new Launcher(scope, 'Launcher', { worker, jobs: r.jobs, ...overrides });
}

/** A reconciler over the existing bucket and table, handing uploads to a dispatcher of its own. */
function reconcilerOf(
  scope: Construct,
  overrides: Partial<ReconcilerProps> = {},
  dispatcher: Partial<DispatcherProps> = {},
): Reconciler {
  const r = existingResources(scope as Stack);
  const d = new Dispatcher(scope, 'Dispatcher', dispatcherProps(r, launcherOf(scope, r), dispatcher));
  return new Reconciler(scope, 'Reconciler', {
    jobs: r.jobs,
    dataBucket: r.dataBucket,
    dispatcher: d,
    ...overrides,
  });
}

/** The error `build` throws (the test fails when it throws none). */
function errorOf(build: () => unknown): ConstructValidationError {
  try {
    build();
  } catch (error) {
    return error as ConstructValidationError;
  }
  throw new Error('expected an error, got none');
}

describe('construct props are validated', () => {
  const zones = (...letters: string[]) => letters.map((l) => `us-east-1${l}`);
  const cases: { name: string; prop: string; path: string; build: (s: Stack) => unknown; message: string }[] =
    [
      {
        name: 'Network refuses zones of more than one region',
        prop: 'availabilityZones',
        path: 'Network',
        build: (s) => new Network(s, 'Network', { availabilityZones: ['us-east-1a', 'eu-west-1b'] }),
        message:
          "availabilityZones must be one or more zones of one region, such as ['us-east-1a', 'us-east-1b']; got ['us-east-1a', 'eu-west-1b']",
      },
      {
        name: 'Network refuses no zones',
        prop: 'availabilityZones',
        path: 'Network',
        build: (s) => new Network(s, 'Network', { availabilityZones: [] }),
        message:
          "availabilityZones must be one or more zones of one region, such as ['us-east-1a', 'us-east-1b']; got []",
      },
      {
        name: 'Network refuses a zone named twice',
        prop: 'availabilityZones',
        path: 'Network',
        build: (s) => new Network(s, 'Network', { availabilityZones: zones('a', 'a') }),
        message:
          "availabilityZones must be a list that names each zone once; got ['us-east-1a', 'us-east-1a']",
      },
      {
        name: 'Network refuses more zones than the subnet plan has room for',
        prop: 'availabilityZones',
        path: 'Network',
        build: (s) => new Network(s, 'Network', { availabilityZones: zones(...'abcdefg') }),
        message: `availabilityZones must be at most 6 zones (the subnet plan has room for 6); got [${zones(
          ...'abcdefg',
        )
          .map((z) => `'${z}'`)
          .join(', ')}]`,
      },
      {
        name: 'Network refuses a VPC CIDR that is not a /16',
        prop: 'vpcCidr',
        path: 'Network',
        build: (s) => new Network(s, 'Network', { availabilityZones: ZONES, vpcCidr: '10.0.0.0/20' }),
        message:
          "vpcCidr must be an IPv4 /16 such as '10.40.0.0/16' (the subnet plan carves /16s); got '10.0.0.0/20'",
      },
      {
        name: 'DataBucket refuses a read concurrency of 0',
        prop: 'readConcurrency',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { readConcurrency: 0 }),
        message: 'readConcurrency must be a whole number from 1 to 32; got 0',
      },
      {
        name: 'DataBucket refuses a fractional read concurrency',
        prop: 'readConcurrency',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { readConcurrency: 2.5 }),
        message: 'readConcurrency must be a whole number from 1 to 32; got 2.5',
      },
      {
        name: 'DataBucket.fromBucket refuses a read concurrency above 32',
        prop: 'readConcurrency',
        path: 'Data',
        build: (s) =>
          DataBucket.fromBucket(s, 'Data', s3.Bucket.fromBucketName(s, 'B', BUCKET_NAME), {
            readConcurrency: 33,
          }),
        message: 'readConcurrency must be a whole number from 1 to 32; got 33',
      },
      {
        name: 'DataBucket refuses a storage class that is not an archive class',
        prop: 'archiveStorageClass',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { archiveStorageClass: 'STANDARD_IA' as never }),
        message:
          "archiveStorageClass must be one of 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'none'; got 'STANDARD_IA'",
      },
      {
        name: 'DataBucket refuses to archive inputs on the day they arrive',
        prop: 'archiveAfterDays',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { archiveAfterDays: 0 }),
        message: 'archiveAfterDays must be a whole number of at least 1; got 0',
      },
      {
        name: 'DataBucket refuses to expire noncurrent versions after 0 days',
        prop: 'noncurrentVersionExpirationDays',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { noncurrentVersionExpirationDays: 0 }),
        message: 'noncurrentVersionExpirationDays must be a whole number of at least 1; got 0',
      },
      {
        name: 'DataBucket refuses a fractional access log expiry',
        prop: 'accessLogExpirationDays',
        path: 'DataBucket',
        build: (s) => new DataBucket(s, 'DataBucket', { accessLogExpirationDays: 1.5 }),
        message: 'accessLogExpirationDays must be a whole number of at least 1; got 1.5',
      },
      {
        name: 'SharedFileSystem refuses a relative access point path',
        prop: 'path',
        path: 'SharedFileSystem',
        build: (s) => {
          const r = existingResources(s);
          return new SharedFileSystem(s, 'SharedFileSystem', {
            vpc: r.vpc,
            subnets: r.subnets,
            securityGroup: r.workerGroup,
            path: 'shared',
          });
        },
        message: "path must be an absolute path such as '/shared'; got 'shared'",
      },
      {
        name: 'Launcher refuses no attempts',
        prop: 'maxAttempts',
        path: 'Launcher',
        build: (s) => launcherOf(s, existingResources(s), { maxAttempts: 0 }),
        message: 'maxAttempts must be a whole number of at least 1; got 0',
      },
      {
        name: 'Launcher refuses a negative retry delay',
        prop: 'retryBaseMs',
        path: 'Launcher',
        build: (s) => launcherOf(s, existingResources(s), { retryBaseMs: -1 }),
        message: 'retryBaseMs must be a whole number of at least 0; got -1',
      },
      {
        name: 'Launcher refuses a cap of no running tasks',
        prop: 'maxRunningTasks',
        path: 'Launcher',
        build: (s) => launcherOf(s, existingResources(s), { maxRunningTasks: 0 }),
        message: 'maxRunningTasks must be a whole number of at least 1; got 0',
      },
      {
        name: 'Launcher refuses a concurrency its event source cannot have',
        prop: 'concurrency',
        path: 'Launcher',
        build: (s) => launcherOf(s, existingResources(s), { concurrency: 1 }),
        message: 'concurrency must be a whole number of at least 2; got 1',
      },
      {
        name: 'Worker refuses a stop timeout longer than Fargate allows',
        prop: 'stopTimeout',
        path: 'Worker',
        build: (s) =>
          new Worker(s, 'Worker', workerProps(existingResources(s), { stopTimeout: Duration.minutes(3) })),
        message: "stopTimeout must be between 2 and 120 seconds (Fargate's limit); got '180 s'",
      },
      {
        name: 'Worker refuses less ephemeral storage than Fargate gives every task',
        prop: 'ephemeralStorageGiB',
        path: 'Worker',
        build: (s) => new Worker(s, 'Worker', workerProps(existingResources(s), { ephemeralStorageGiB: 20 })),
        message: 'ephemeralStorageGiB must be a whole number from 21 to 200; got 20',
      },
      {
        name: 'Worker refuses more ephemeral storage than Fargate allows',
        prop: 'ephemeralStorageGiB',
        path: 'Worker',
        build: (s) =>
          new Worker(s, 'Worker', workerProps(existingResources(s), { ephemeralStorageGiB: 201 })),
        message: 'ephemeralStorageGiB must be a whole number from 21 to 200; got 201',
      },
      {
        name: 'Worker refuses a job TTL of 0 days',
        prop: 'jobTtlDays',
        path: 'Worker',
        build: (s) => new Worker(s, 'Worker', workerProps(existingResources(s), { jobTtlDays: 0 })),
        message: 'jobTtlDays must be a whole number of at least 1; got 0',
      },
      {
        name: 'Dispatcher refuses a largest object of 0 bytes',
        prop: 'maxObjectBytes',
        path: 'Dispatcher',
        build: (s) => {
          const r = existingResources(s);
          return new Dispatcher(s, 'Dispatcher', dispatcherProps(r, launcherOf(s, r), { maxObjectBytes: 0 }));
        },
        message: 'maxObjectBytes must be a whole number of at least 1; got 0',
      },
      {
        name: 'Dispatcher refuses a fractional job TTL',
        prop: 'jobTtlDays',
        path: 'Dispatcher',
        build: (s) => {
          const r = existingResources(s);
          return new Dispatcher(s, 'Dispatcher', dispatcherProps(r, launcherOf(s, r), { jobTtlDays: 0.5 }));
        },
        message: 'jobTtlDays must be a whole number of at least 1; got 0.5',
      },
      {
        name: 'Reconciler refuses a lookback no longer than the grace period',
        prop: 'lookback',
        path: 'Reconciler',
        build: (s) => reconcilerOf(s, { grace: Duration.hours(2), lookback: Duration.hours(2) }),
        message: "lookback must be longer than grace (7200 s), or no upload is ever looked at; got '7200 s'",
      },
      {
        name: "Reconciler refuses a lookback as long as the dispatcher's job TTL",
        prop: 'lookback',
        path: 'Reconciler',
        build: (s) => reconcilerOf(s, { lookback: Duration.days(2) }, { jobTtlDays: 2 }),
        message:
          "lookback must be shorter than the dispatcher's job TTL (2 days), or an upload whose job item expired would run again; got '172800 s'",
      },
      {
        name: 'Reconciler refuses a grace period of part of a second',
        prop: 'grace',
        path: 'Reconciler',
        build: (s) => reconcilerOf(s, { grace: Duration.millis(1500) }),
        message: "grace must be a whole number of seconds, at least 0; got '1.5 s'",
      },
      {
        name: 'Reconciler refuses to hand on no uploads per run',
        prop: 'maxPerRun',
        path: 'Reconciler',
        build: (s) => reconcilerOf(s, { maxPerRun: 0 }),
        message: 'maxPerRun must be a whole number of at least 1; got 0',
      },
      {
        name: 'Reconciler refuses an interval EventBridge cannot run',
        prop: 'interval',
        path: 'Reconciler',
        build: (s) => reconcilerOf(s, { interval: Duration.seconds(90) }),
        message:
          "interval must be a whole number of minutes, at least 1 (a rate EventBridge can run); got '90 s'",
      },
      {
        name: 'Sweeper refuses an interval under a minute',
        prop: 'interval',
        path: 'Sweeper',
        build: (s) => {
          const r = existingResources(s);
          return new Sweeper(s, 'Sweeper', {
            launcher: launcherOf(s, r),
            jobs: r.jobs,
            interval: Duration.seconds(30),
          });
        },
        message:
          "interval must be a whole number of minutes, at least 1 (a rate EventBridge can run); got '30 s'",
      },
    ];

  it.each(cases)(
    '$name, naming the construct, the prop and what is allowed',
    ({ prop, path, build, message }) => {
      const error = errorOf(() => build(testStack()));
      expect(error).toBeInstanceOf(PropValidationError);
      expect(error).toMatchObject({ prop, constructPath: `Test/${path}` });
      expect(error.message).toBe(`[Test/${path}] ${message}`);
    },
  );

  it('Worker refuses an image name together with an image directory', () => {
    const stack = testStack();
    const props = workerProps(existingResources(stack), { imageDirectory: 'containers/worker' });
    const error = errorOf(() => new Worker(stack, 'Worker', props));
    expect(error).toBeInstanceOf(ConstructValidationError);
    expect(error.constructPath).toBe('Test/Worker');
    expect(error.message).toBe(
      "[Test/Worker] imageName and imageDirectory exclude each other: give one; got imageName 'example/worker:1.0' and imageDirectory 'containers/worker'",
    );
  });

  it('the subnet plan used on its own names the value but no construct', () => {
    const error = errorOf(() => new PlannedIpAddresses('10.0.0.0/16', zones(...'abcdefg')));
    expect(error).toBeInstanceOf(PropValidationError);
    expect(error.constructPath).toBeUndefined();
    expect(error.message).toMatch(/^availabilityZones must be at most 6 zones .*; got \['us-east-1a', /);
    expect(() => new PlannedIpAddresses('10.40.1.0/16', ZONES)).toThrowError(/^vpcCidr must be an IPv4 \/16/);
  });

  it('the subnet plan refuses a zone it was not given', () => {
    const plan = new PlannedIpAddresses('10.40.0.0/16', ['us-east-1a']);
    expect(plan.cidrFor('Private', 'us-east-1a')).toBe('10.40.16.0/20');
    expect(() => plan.cidrFor('Private', 'us-east-1b')).toThrowError(
      /no planned subnet for tier Private in us-east-1b/,
    );
  });

  it('acknowledging a policy finding for a grantee without a default policy names the grantee', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const error = errorOf(() => acknowledgePolicyFinding(role, 'AwsSolutions-IAM5[Resource::*]', 'a reason'));
    expect(error).toBeInstanceOf(ConstructValidationError);
    expect(error.message).toMatch(/^\[Test\/Role\] has no default policy to acknowledge AwsSolutions-IAM5/);
  });
});

describe('constructs over resources the user brings', () => {
  let stack: Stack;
  let template: Template;
  let dispatcherRole: Statement[];
  let taskRole: Statement[];
  const summary = (statements: Statement[]) =>
    statements.map((st) => ({ actions: actionsOf(st).sort(), resource: st.Resource }));
  const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

  beforeAll(() => {
    stack = testStack();
    const r = existingResources(stack);
    const worker = new Worker(stack, 'Worker', workerProps(r));
    const launcher = new Launcher(stack, 'Launcher', { worker, jobs: r.jobs });
    const dispatcher = new Dispatcher(stack, 'Dispatcher', dispatcherProps(r, launcher));
    new Reconciler(stack, 'Reconciler', { jobs: r.jobs, dataBucket: r.dataBucket, dispatcher });
    new TaskStateListener(stack, 'TaskState', { worker, launcher, jobs: r.jobs });
    new Sweeper(stack, 'Sweeper', { launcher, jobs: r.jobs, interval: Duration.minutes(5) });
    template = Template.fromStack(stack);
    dispatcherRole = roleStatements(template, 'DispatcherFunctionServiceRole');
    taskRole = roleStatements(template, 'WorkerTaskDefinitionTaskRole');
  });

  it('creates no bucket, table, file system, access point or VPC of its own', () => {
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
      'AWS::EFS::FileSystem',
      'AWS::EFS::AccessPoint',
      'AWS::EC2::VPC',
    ]) {
      expect(resourcesOf(template, type), type).toEqual([]);
    }
  });

  it('grants the dispatcher and the worker incoming/ reads and results/ writes on the existing bucket', () => {
    for (const statements of [dispatcherRole, taskRole]) {
      expect(summary(statements)).toEqual(
        expect.arrayContaining([
          {
            actions: ['s3:GetObject', 's3:GetObjectVersion'],
            resource: partitionArn(`:s3:::${BUCKET_NAME}/incoming/*`),
          },
          {
            actions: ['s3:GetObject', 's3:PutObject'],
            resource: partitionArn(`:s3:::${BUCKET_NAME}/results/*`),
          },
        ]),
      );
    }
  });

  it('lets the reconciler list only the versions under incoming/ of the existing bucket and keep its cursor, and names it', () => {
    const onBucket = summary(roleStatements(template, 'ReconcilerFunctionServiceRole')).filter((st) =>
      st.actions.some((a) => a.startsWith('s3:')),
    );
    expect(onBucket).toEqual([
      { actions: ['s3:ListBucketVersions'], resource: partitionArn(`:s3:::${BUCKET_NAME}`) },
      {
        actions: ['s3:GetObject', 's3:PutObject'],
        resource: partitionArn(`:s3:::${BUCKET_NAME}/${RECONCILE_CURSOR_KEY}`),
      },
    ]);
    const listing = roleStatements(template, 'ReconcilerFunctionServiceRole').find((st) =>
      actionsOf(st).includes('s3:ListBucketVersions'),
    );
    expect(listing?.Condition).toEqual({ StringLike: { 's3:prefix': 'incoming/*' } });
    const [, fn] = resourceNamed(template, 'AWS::Lambda::Function', 'ReconcilerFunction');
    const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[Env.DATA_BUCKET]).toBe(BUCKET_NAME);
  });

  it('grants job access on the existing table, by role, and tells each function its name', () => {
    const ddb = (statements: Statement[]) =>
      summary(statements).filter((st) => st.actions[0]!.startsWith('dynamodb:'));
    expect(ddb(dispatcherRole)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resource: TABLE_ARN },
    ]);
    expect(ddb(taskRole)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: TABLE_ARN },
    ]);
    expect(ddb(roleStatements(template, 'SweeperFunctionServiceRole'))).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: TABLE_ARN },
      { actions: ['dynamodb:Query'], resource: `${TABLE_ARN}/index/${OPEN_JOBS_INDEX.name}` },
    ]);
    expect(ddb(roleStatements(template, 'ReconcilerFunctionServiceRole'))).toEqual([
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], resource: TABLE_ARN },
    ]);
    for (const prefix of [
      'DispatcherFunction',
      'TaskStateFunction',
      'SweeperFunction',
      'ReconcilerFunction',
    ]) {
      const [, fn] = resourceNamed(template, 'AWS::Lambda::Function', prefix);
      const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env[Env.JOBS_TABLE], prefix).toBe('existing-jobs');
    }
    expect(functionEnvNames(template, 'DispatcherFunction')).toContain(Env.S3_READ_CONCURRENCY);
    expect(functionEnvNames(template, 'DispatcherFunction')).toContain(Env.INPUT_STALL_SECONDS);
  });

  it('mounts the existing access point in the function and the task, and grants the mount through it only', () => {
    const [, fn] = resourceNamed(template, 'AWS::Lambda::Function', 'DispatcherFunction');
    expect(JSON.stringify(fn.Properties?.FileSystemConfigs)).toContain(ACCESS_POINT_ID);
    const [, task] = resourceNamed(template, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition');
    expect(task.Properties?.Volumes).toEqual(
      expect.arrayContaining([
        {
          Name: 'shared',
          EFSVolumeConfiguration: {
            FilesystemId: FILE_SYSTEM_ID,
            TransitEncryption: 'ENABLED',
            AuthorizationConfig: { AccessPointId: ACCESS_POINT_ID, IAM: 'ENABLED' },
          },
        },
      ]),
    );
    for (const statements of [dispatcherRole, taskRole]) {
      const mount = statements.find(
        (st) => actionsOf(st).length === 2 && actionsOf(st).includes('elasticfilesystem:ClientWrite'),
      )!;
      expect(actionsOf(mount).sort()).toEqual([
        'elasticfilesystem:ClientMount',
        'elasticfilesystem:ClientWrite',
      ]);
      expect(JSON.stringify(mount.Resource)).toContain(`:file-system/${FILE_SYSTEM_ID}`);
      expect(JSON.stringify(mount.Condition?.StringEquals?.['elasticfilesystem:AccessPointArn'])).toContain(
        `:access-point/${ACCESS_POINT_ID}`,
      );
    }
  });

  it('subscribes the dispatcher to uploads under incoming/ of the existing bucket', () => {
    const [, notifications] = resourcesOf(template, 'Custom::S3BucketNotifications')[0]!;
    expect(notifications.Properties?.BucketName).toBe(BUCKET_NAME);
    expect(JSON.stringify(notifications.Properties?.NotificationConfiguration)).toContain(
      '"Value":"incoming/"',
    );
  });

  it('acknowledges the prefix wildcards on the existing bucket by their exact finding', () => {
    const onBucket = (findings: { id: string }[]) =>
      findings.filter((f) => f.id.includes(`:s3:::${BUCKET_NAME}/`)).map((f) => f.id);
    expect(onBucket(nagFindings(stack))).toEqual([]);
    expect(new Set(onBucket(nagFindings(stack, { ignoreAcknowledgements: true })))).toEqual(
      new Set([
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET_NAME}/incoming/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${BUCKET_NAME}/results/*]`,
      ]),
    );
  });

  it('adds the key grants of a table and a bucket under a customer managed key, and returns them', () => {
    const s = testStack();
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
    const key = kms.Key.fromKeyArn(s, 'Key', keyArn);
    const jobs = JobsTable.fromTable(
      s,
      'Jobs',
      dynamodb.Table.fromTableAttributes(s, 'T', { tableArn: TABLE_ARN, encryptionKey: key }),
    );
    const data = DataBucket.fromBucket(
      s,
      'Data',
      s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: BUCKET_NAME, encryptionKey: key }),
    );
    const fn = new lambda.Function(s, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });
    const grants = [
      jobs.bind(fn, JobsAccess.UPDATE),
      data.bindIncomingReader(fn),
      data.grantWriteResults(fn),
    ];
    for (const grant of grants) {
      expect(grant).toBeInstanceOf(iam.Grant);
      expect(grant.success).toBe(true);
    }
    const onKey = roleStatements(Template.fromStack(s), 'FnServiceRole').filter(
      (st) => st.Resource === keyArn,
    );
    expect(new Set(onKey.flatMap(actionsOf))).toEqual(
      new Set(['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']),
    );
  });

  it('lets a reader of jobs under a customer managed key only decrypt, and a lister of versions use no key', () => {
    const s = testStack();
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
    const key = kms.Key.fromKeyArn(s, 'Key', keyArn);
    const jobs = JobsTable.fromTable(
      s,
      'Jobs',
      dynamodb.Table.fromTableAttributes(s, 'T', { tableArn: TABLE_ARN, encryptionKey: key }),
    );
    const data = DataBucket.fromBucket(
      s,
      'Data',
      s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: BUCKET_NAME, encryptionKey: key }),
    );
    const fn = new lambda.Function(s, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });
    for (const grant of [jobs.bind(fn, JobsAccess.READ), data.bindIncomingLister(fn)]) {
      expect(grant).toBeInstanceOf(iam.Grant);
      expect(grant.success).toBe(true);
    }
    const onKey = roleStatements(Template.fromStack(s), 'FnServiceRole').filter(
      (st) => st.Resource === keyArn,
    );
    expect(onKey.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
  });

  it('lets the keeper of the reconcile cursor under a customer managed key encrypt and decrypt', () => {
    const s = testStack();
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
    const key = kms.Key.fromKeyArn(s, 'Key', keyArn);
    const data = DataBucket.fromBucket(
      s,
      'Data',
      s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: BUCKET_NAME, encryptionKey: key }),
    );
    const fn = new lambda.Function(s, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });
    expect(data.grantReconcileCursor(fn).success).toBe(true);
    const onKey = roleStatements(Template.fromStack(s), 'FnServiceRole').filter(
      (st) => st.Resource === keyArn,
    );
    expect(onKey.flatMap(actionsOf)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt']));
  });

  it("lets the dispatcher's invokers invoke the unqualified function only, by the ARN they are given", () => {
    const s = testStack();
    const r = existingResources(s);
    const dispatcher = new Dispatcher(s, 'Dispatcher', dispatcherProps(r, launcherOf(s, r)));
    const fn = new lambda.Function(s, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });
    const grant = dispatcher.bindInvoker(fn);
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(s);
    const [dispatcherId] = resourceNamed(template, 'AWS::Lambda::Function', 'DispatcherFunction');
    const invoke = roleStatements(template, 'FnServiceRole').filter((st) =>
      actionsOf(st).some((a) => a.startsWith('lambda:')),
    );
    expect(invoke).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [dispatcherId, 'Arn'] } },
    ]);
    const [, fnResource] = resourceNamed(template, 'AWS::Lambda::Function', 'Fn');
    expect(
      (fnResource.Properties?.Environment as { Variables: Record<string, unknown> }).Variables[
        Env.DISPATCHER_FUNCTION
      ],
    ).toEqual({ 'Fn::GetAtt': [dispatcherId, 'Arn'] });
  });
});
