import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  Env,
  INCOMING_PREFIX,
  JOBS_TTL_ATTRIBUTE,
  OPEN_JOBS_INDEX,
  WORKER_CONTAINER_NAME,
  type EnvName,
} from '../contract/names.js';
import { DEFAULTS, LAUNCHER_TIMEOUT_SECONDS } from '../lib/config.js';
import { buildRoutingPolicy, type RoutingPolicy } from '../contract/routing.js';
import { localAwsEnv, localClientConfig } from '../src/cli/local-cloud.js';

export { localAwsEnv, localClientConfig };

/** As the stack's launch queue (lib/constructs/launcher.ts). */
const LAUNCH_QUEUE_VISIBILITY_SECONDS = LAUNCHER_TIMEOUT_SECONDS * 6;

/** CPU units of the local worker task: the stack's default. */
const WORKER_CPU_UNITS = DEFAULTS.workerCpu;

/** The local stand-ins for the stack's resources, created in the emulator. */
export interface LocalCloud {
  endpoint: string;
  region: string;
  bucket: string;
  table: string;
  queueUrl: string;
  /** The emulator's notices of restores requested under incoming/, which the runner completes. */
  restoreRequestsQueueUrl: string;
  /** How long a restore takes here (S3 takes hours). */
  restoreSeconds: number;
  /** Where invocations that failed every retry end up, like the dispatcher's on-failure destination. */
  onFailureQueueUrl: string;
  /** Where jobs routed to ECS wait for a worker task; the launcher drains it. */
  launchQueueUrl: string;
  launchQueueArn: string;
  /** Worker tasks running or pending at once, at most. */
  maxRunningTasks: number;
  clusterArn: string;
  taskDefinitionArn: string;
  subnets: string[];
  securityGroups: string[];
  /** Folder standing in for the EFS mount, shared by the dispatcher and the workers. */
  sharedDir: string;
  policy: RoutingPolicy;
  lambdaTimeoutSeconds: number;
  lambdaMemoryMb: number;
  maxObjectBytes: number;
  maxAttempts: number;
  retryBaseMs: number;
}

export interface LocalCloudOptions {
  endpoint: string;
  sharedDir: string;
  /** @default DEFAULT_REGION ('us-east-1') */
  region?: string;
  /** @default 's3-pipeline-local' */
  name?: string;
  /**
   * The local dispatcher's timeout. Small on purpose: with the calibrated throughput scaled to
   * `lambdaMemoryMb`, a gzipped FASTQ of a few MB already takes the ECS route.
   * @default 12
   */
  lambdaTimeoutSeconds?: number;
  /** @default 128 */
  lambdaMemoryMb?: number;
  /** @default 100 GiB */
  maxObjectBytes?: number;
  /** Worker tasks running or pending at once, at most. @default the stack's (`DEFAULTS.maxRunningTasks`) */
  maxRunningTasks?: number;
  /** Override the routing policy entirely (tests that force a route). */
  policy?: RoutingPolicy;
  /** @default 3 */
  maxAttempts?: number;
  /** Short, so retries show within seconds. @default 200 */
  retryBaseMs?: number;
  /** How long a restore of an archived object takes (S3: hours). @default 2 */
  restoreSeconds?: number;
}

/** The local cloud's region unless told otherwise. */
const DEFAULT_REGION = 'us-east-1';

/** The clients the local cloud's resources are made with, and a way to close them all. */
function provisioningClients(endpoint: string, region: string) {
  const config = localClientConfig(endpoint, region);
  const clients = {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ddb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    ecs: new ECSClient(config),
    ec2: new EC2Client(config),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((client) => client.destroy()) };
}

/**
 * Asks each service `provisionLocalCloud` uses once, for nothing, so that the emulator loads their
 * backends now: it does so on a service's first request, 2.4 s of the 2.7 a provisioning took
 * (1.4 s for EC2 alone), which the local cloud spends while its bundles build instead. Failures
 * are left for the provisioning to meet and report.
 */
export async function warmLocalCloud(endpoint: string, region = DEFAULT_REGION): Promise<void> {
  const clients = provisioningClients(endpoint, region);
  const { s3, ddb, sqs, ecs, ec2 } = clients;
  try {
    await Promise.allSettled([
      s3.send(new ListBucketsCommand({})),
      ddb.send(new ListTablesCommand({})),
      sqs.send(new ListQueuesCommand({})),
      ecs.send(new ListClustersCommand({})),
      ec2.send(new DescribeVpcsCommand({})),
    ]);
  } finally {
    clients.destroy();
  }
}

/** As the stack's default: large inputs are read with ranged GETs. */
const S3_READ_CONCURRENCY = DEFAULTS.s3ReadConcurrency;

export async function provisionLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const region = options.region ?? DEFAULT_REGION;
  const name = options.name ?? 's3-pipeline-local';
  const clients = provisioningClients(options.endpoint, region);
  const { s3, ddb, sqs, ecs, ec2 } = clients;

  const bucket = `${name}-data`;
  const table = `${name}-jobs`;

  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );

  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'jobId', AttributeType: 'S' },
        { AttributeName: OPEN_JOBS_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: OPEN_JOBS_INDEX.sortKey, AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: OPEN_JOBS_INDEX.name,
          KeySchema: [
            { AttributeName: OPEN_JOBS_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: OPEN_JOBS_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30 }, { TableName: table });
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: JOBS_TTL_ATTRIBUTE, Enabled: true },
    }),
  );

  // The emulator's own S3 notifications, filtered on incoming/ like the stack's, feed this queue;
  // the notices of requested restores feed the second, where the runner plays S3's restore clock.
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-object-events` }));
  const queueUrl = queue.QueueUrl!;
  const restoreQueue = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-restore-requests` }));
  const restoreRequestsQueueUrl = restoreQueue.QueueUrl!;
  const queueArn = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
  const incoming = { Key: { FilterRules: [{ Name: 'prefix' as const, Value: INCOMING_PREFIX }] } };
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: await queueArn(queueUrl),
            Events: ['s3:ObjectCreated:*', 's3:ObjectRestore:Completed'],
            Filter: incoming,
          },
          {
            QueueArn: await queueArn(restoreRequestsQueueUrl),
            Events: ['s3:ObjectRestore:Post'],
            Filter: incoming,
          },
        ],
      },
    }),
  );
  const restoreSeconds = options.restoreSeconds ?? 2;
  await takeRestoresTime(options.endpoint, restoreSeconds);

  // RunTask checks that the task's subnets and security group exist, as on AWS.
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: DEFAULTS.vpcCidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  // As in the stack's VPC; the emulator also needs it to name the tasks' network interfaces.
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnets: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.40.${16 * (index + 1)}.0/20`,
        AvailabilityZone: `${region}${zone}`,
      }),
    );
    subnets.push(subnet.Subnet!.SubnetId!);
  }
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `${name}-worker`,
      Description: 'worker tasks',
    }),
  );

  const onFailure = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dispatch-failures` }));
  const launchQueue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-launch`,
      // As the stack's: longer than the launcher may run, so a batch is not delivered twice at once.
      Attributes: { VisibilityTimeout: String(LAUNCH_QUEUE_VISIBILITY_SECONDS) },
    }),
  );
  const launchQueueAttributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: launchQueue.QueueUrl!, AttributeNames: ['QueueArn'] }),
  );

  const cluster = await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const lambdaTimeoutSeconds = options.lambdaTimeoutSeconds ?? 12;
  const lambdaMemoryMb = options.lambdaMemoryMb ?? 128;
  const taskEnv = workerTaskEnv(table, options.sharedDir);
  const taskDefinition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${name}-worker`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(WORKER_CPU_UNITS),
      memory: String(DEFAULTS.workerMemoryMb),
      containerDefinitions: [
        {
          name: WORKER_CONTAINER_NAME,
          image: 's3-pipeline-worker:local',
          essential: true,
          // The emulator sums container-level reservations to place the task.
          cpu: WORKER_CPU_UNITS,
          memory: DEFAULTS.workerMemoryMb,
          environment: Object.entries(taskEnv).map(([k, v]) => ({ name: k, value: v })),
          stopTimeout: DEFAULTS.workerStopTimeoutSeconds,
        },
      ],
    }),
  );

  clients.destroy();
  return {
    endpoint: options.endpoint,
    region,
    bucket,
    table,
    queueUrl,
    restoreRequestsQueueUrl,
    restoreSeconds,
    onFailureQueueUrl: onFailure.QueueUrl!,
    launchQueueUrl: launchQueue.QueueUrl!,
    launchQueueArn: launchQueueAttributes.Attributes!.QueueArn!,
    maxRunningTasks: options.maxRunningTasks ?? DEFAULTS.maxRunningTasks,
    clusterArn: cluster.cluster!.clusterArn!,
    taskDefinitionArn: taskDefinition.taskDefinition!.taskDefinitionArn!,
    subnets,
    securityGroups: [group.GroupId!],
    sharedDir: options.sharedDir,
    policy:
      options.policy ??
      buildRoutingPolicy({
        lambdaTimeoutSeconds,
        lambdaMemoryMb,
        headroomSeconds: 2,
      }),
    lambdaTimeoutSeconds,
    lambdaMemoryMb,
    maxObjectBytes: options.maxObjectBytes ?? DEFAULTS.maxObjectBytes,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    retryBaseMs: options.retryBaseMs ?? 200,
  };
}

/** The worker container's environment in the task definition (the job itself comes as overrides). */
export function workerTaskEnv(table: string, sharedDir: string): Record<string, string> {
  return {
    // As the deployed task: 1 vCPU (the task definition below), so a worker reads on one thread.
    [Env.TASK_VCPUS]: String(WORKER_CPU_UNITS / 1024),
    [Env.JOBS_TABLE]: table,
    [Env.SHARED_MOUNT_PATH]: sharedDir,
    [Env.JOB_TTL_DAYS]: String(DEFAULTS.jobTtlDays),
    [Env.S3_READ_CONCURRENCY]: String(S3_READ_CONCURRENCY),
    [Env.INPUT_STALL_SECONDS]: String(DEFAULTS.inputStallSeconds),
    [Env.JOB_TIMEOUT_SECONDS]: '3600',
  };
}

/** What re-drives jobs (dispatcher, task-state handler, sweeper) needs, by the contract's names. */
function redriveEnv(cloud: LocalCloud): Partial<Record<EnvName, string>> {
  return {
    [Env.JOBS_TABLE]: cloud.table,
    [Env.LAUNCH_QUEUE_URL]: cloud.launchQueueUrl,
    [Env.MAX_ATTEMPTS]: String(cloud.maxAttempts),
    [Env.RETRY_BASE_MS]: String(cloud.retryBaseMs),
  };
}

/** The launcher's environment: the worker task settings and the cap, as the stack sets them. */
export function launcherEnv(cloud: LocalCloud): Record<string, string> {
  return {
    ...localAwsEnv(cloud.endpoint, cloud.region),
    ...redriveEnv(cloud),
    [Env.CLUSTER_ARN]: cloud.clusterArn,
    [Env.TASK_DEFINITION_ARN]: cloud.taskDefinitionArn,
    [Env.WORKER_CONTAINER_NAME]: WORKER_CONTAINER_NAME,
    [Env.WORKER_SUBNETS]: cloud.subnets.join(','),
    [Env.WORKER_SECURITY_GROUPS]: cloud.securityGroups.join(','),
    [Env.MAX_RUNNING_TASKS]: String(cloud.maxRunningTasks),
  };
}

/** The dispatcher's environment, by the same contract names the stack sets. */
export function dispatcherEnv(cloud: LocalCloud): Record<string, string> {
  return {
    ...localAwsEnv(cloud.endpoint, cloud.region),
    ...redriveEnv(cloud),
    [Env.SHARED_MOUNT_PATH]: cloud.sharedDir,
    [Env.ROUTING_POLICY]: JSON.stringify(cloud.policy),
    [Env.MAX_OBJECT_BYTES]: String(cloud.maxObjectBytes),
    [Env.S3_READ_CONCURRENCY]: String(S3_READ_CONCURRENCY),
    [Env.INPUT_STALL_SECONDS]: String(DEFAULTS.inputStallSeconds),
    [Env.JOB_TTL_DAYS]: String(DEFAULTS.jobTtlDays),
  };
}

export function taskStateEnv(cloud: LocalCloud): Record<string, string> {
  return { ...localAwsEnv(cloud.endpoint, cloud.region), ...redriveEnv(cloud) };
}

export function sweeperEnv(cloud: LocalCloud): Record<string, string> {
  return { ...localAwsEnv(cloud.endpoint, cloud.region), ...redriveEnv(cloud) };
}

/** The name the runner gives the dispatcher, in its Lambda API and its reports. */
export const LOCAL_DISPATCHER_FUNCTION = 'dispatcher';

/**
 * The reconciler's environment with the stack's defaults, but a grace period of minutes: local
 * events arrive at once, or wait only for a free environment. `lambdaEndpoint` is the runner's Lambda API, which takes its invocations.
 */
export function reconcilerEnv(
  cloud: LocalCloud,
  lambdaEndpoint: string,
  {
    graceSeconds = 120,
    maxPerRun = DEFAULTS.reconcileMaxPerRun,
  }: { graceSeconds?: number; maxPerRun?: number } = {},
): Record<string, string> {
  return {
    ...localAwsEnv(cloud.endpoint, cloud.region),
    AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
    [Env.JOBS_TABLE]: cloud.table,
    [Env.DATA_BUCKET]: cloud.bucket,
    [Env.DISPATCHER_FUNCTION]: LOCAL_DISPATCHER_FUNCTION,
    [Env.RECONCILE_GRACE_SECONDS]: String(graceSeconds),
    [Env.RECONCILE_LOOKBACK_SECONDS]: String(DEFAULTS.reconcileLookbackHours * 3600),
    [Env.RECONCILE_MAX_PER_RUN]: String(maxPerRun),
  };
}

/**
 * Moto completes a restore the moment the object is next read; S3 takes hours. Moto's state
 * manager makes its restores take `seconds` instead (a step from requested to under way, then one
 * to done, each on a read at least that long after the last): the runner's restore clock
 * (local/restores.ts) does the reading, so the restore completes, and S3's ObjectRestore:Completed
 * event is sent, without anyone else touching the object.
 */
async function takeRestoresTime(endpoint: string, seconds: number): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 's3::keyrestore', transition: { progression: 'time', seconds } }),
  });
  if (!response.ok) throw new Error(`the emulator refused the restore timing: HTTP ${response.status}`);
}
