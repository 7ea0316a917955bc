import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { DEFAULTS, FARGATE_EPHEMERAL_STORAGE_GIB, type WorkerArchitecture } from '../config.js';
import { Env, SHARED_MOUNT_PATH, WORKER_CONTAINER_NAME, type EnvName } from '../../contract/names.js';
import type { EnvConsumer } from './binding.js';
import { JobsAccess, type IJobsTable } from './jobs-table.js';
import { acknowledgeFinding, acknowledgePolicyFinding, nagResource } from './nag.js';
import { repoPath } from './paths.js';
import { acknowledgeCheckov, logGroupKeyReason } from './scanners.js';
import type { IDataBucket, ISharedFileSystem } from './storage.js';
import {
  checkWholeNumber,
  ConstructValidationError,
  describeValue,
  PropValidationError,
} from './validation.js';

/** What a place that runs jobs (the dispatcher, the worker) is given. */
export interface JobRunnerProps {
  readonly vpc: ec2.IVpc;
  /** Subnets it runs in (the private tier). */
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Jobs read their input from it and write their report to it. */
  readonly dataBucket: IDataBucket;
  /** Mounted at `SHARED_MOUNT_PATH`. */
  readonly sharedFileSystem: ISharedFileSystem;
  /** Where each job's progress and outcome are recorded. */
  readonly jobs: IJobsTable;
}

/**
 * Worker tasks start in `subnets` with `securityGroup` (handed to the launcher as
 * `WORKER_SUBNETS` and `WORKER_SECURITY_GROUPS`).
 */
export interface WorkerProps extends JobRunnerProps {
  /** Days a job item is kept (`JOB_TTL_DAYS`). */
  readonly jobTtlDays: number;
  /**
   * Longest the worker may spend on one job before it fails it as `TIMED_OUT` (`JOB_TIMEOUT_SECONDS`).
   * @default Duration.hours(12)
   */
  readonly jobTimeout?: Duration;
  /**
   * Time between ECS's SIGTERM (StopTask, Spot reclaim, scale-in) and its SIGKILL, in which the
   * worker aborts its job and puts it back to run again. At most 2 minutes (Fargate's limit).
   * @default Duration.seconds(30)
   */
  readonly stopTimeout?: Duration;
  /**
   * Fargate CPU units.
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Fargate memory in MiB.
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
  /**
   * Ephemeral storage of the task in GiB, from 21 to 200 (Fargate's range). It holds the image,
   * the scratch `/tmp` and anything else written outside the shared drive.
   * @default 21 - Fargate's own default; the task definition leaves the setting out
   */
  readonly ephemeralStorageGiB?: number;
  /**
   * CPU architecture of the task (the image is built for the same platform).
   * @default 'arm64'
   */
  readonly architecture?: WorkerArchitecture;
  /**
   * Folder with the Dockerfile, relative to the repository root. Synth only stages it; the image
   * is built at deploy time from the esbuild bundle in it.
   * @default 'containers/worker'
   */
  readonly imageDirectory?: string;
  /**
   * An image to run, by name, instead of building `imageDirectory` (e.g. one already published,
   * or a placeholder name on an emulator with no registry, whose runner starts the bundle).
   * @default - built from `imageDirectory` at deploy time
   */
  readonly imageName?: string;
  /**
   * Retention of the worker's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the worker's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Worker tasks as the code that starts them sees them: the cluster they run in, and the way to
 * be allowed and told how to start one. Implemented by `Worker`.
 */
export interface IWorker extends IConstruct {
  readonly cluster: ecs.ICluster;
  /** Lets the consumer start worker tasks and sets the variables it starts them with. */
  bindLauncher(consumer: EnvConsumer): iam.Grant;
}

/**
 * The ECS cluster (Container Insights enhanced) and the Fargate task definition of the worker:
 * one container named `WORKER_CONTAINER_NAME`, read-only root file system with a scratch `/tmp`,
 * the shared EFS access point mounted at `SHARED_MOUNT_PATH` with TLS and IAM authorisation, and
 * a task role that may only read `incoming/`, write `results/`, update jobs and mount the share.
 */
export class Worker extends Construct implements IWorker {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  /** The container with its task role, as something to bind resources to. */
  readonly consumer: EnvConsumer;
  private readonly subnetIds: string[];
  private readonly securityGroupIds: string[];

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    if (props.imageName !== undefined && props.imageDirectory !== undefined) {
      throw new ConstructValidationError(
        `imageName and imageDirectory exclude each other: give one; got imageName ${describeValue(props.imageName)} and imageDirectory ${describeValue(props.imageDirectory)}`,
        this,
      );
    }
    const jobTtlDays = checkWholeNumber(this, 'jobTtlDays', props.jobTtlDays, 1);
    const arm = (props.architecture ?? DEFAULTS.workerArchitecture) === 'arm64';
    const cpu = props.cpu ?? DEFAULTS.workerCpu;
    const ephemeralStorageGiB = checkWholeNumber(
      this,
      'ephemeralStorageGiB',
      props.ephemeralStorageGiB ?? DEFAULTS.workerEphemeralStorageGiB,
      FARGATE_EPHEMERAL_STORAGE_GIB.min,
      FARGATE_EPHEMERAL_STORAGE_GIB.max,
    );
    const stopTimeout = props.stopTimeout ?? Duration.seconds(DEFAULTS.workerStopTimeoutSeconds);
    if (stopTimeout.toSeconds() < 2 || stopTimeout.toSeconds() > 120) {
      throw new PropValidationError(
        'stopTimeout',
        `${stopTimeout.toSeconds()} s`,
        "between 2 and 120 seconds (Fargate's limit)",
        this,
      );
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `${Stack.of(this).stackName}-worker`,
      cpu,
      memoryLimitMiB: props.memoryLimitMiB ?? DEFAULTS.workerMemoryMb,
      // Fargate's default is left implicit, so the template only names storage someone asked for.
      ephemeralStorageGiB:
        ephemeralStorageGiB === FARGATE_EPHEMERAL_STORAGE_GIB.min ? undefined : ephemeralStorageGiB,
      runtimePlatform: {
        cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [
        {
          name: 'shared',
          efsVolumeConfiguration: {
            fileSystemId: props.sharedFileSystem.fileSystem.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: {
              accessPointId: props.sharedFileSystem.accessPoint.accessPointId,
              iam: 'ENABLED',
            },
          },
        },
        // Task storage for /tmp: the root file system is read-only.
        { name: 'tmp' },
      ],
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledgeCheckov(
      this.logGroup,
      'CKV_AWS_158',
      logGroupKeyReason('job ids, object keys, outcomes and error messages of the worker tasks'),
    );

    this.container = this.taskDefinition.addContainer('Container', {
      containerName: WORKER_CONTAINER_NAME,
      image: props.imageName
        ? ecs.ContainerImage.fromRegistry(props.imageName)
        : ecs.ContainerImage.fromAsset(repoPath(props.imageDirectory ?? 'containers/worker'), {
            platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
          }),
      essential: true,
      readonlyRootFilesystem: true,
      stopTimeout,
      // An init process as PID 1 forwards ECS's SIGTERM to Node and reaps children; Node as PID 1
      // gets no default signal handling from the kernel.
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker' }),
    });
    this.container.addMountPoints(
      { containerPath: SHARED_MOUNT_PATH, sourceVolume: 'shared', readOnly: false },
      { containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false },
    );

    const container = this.container;
    this.consumer = {
      grantPrincipal: this.taskDefinition.taskRole.grantPrincipal,
      addEnvironment: (name: EnvName, value: string) => container.addEnvironment(name, value),
    };
    this.consumer.addEnvironment(Env.JOB_TTL_DAYS, String(jobTtlDays));
    this.consumer.addEnvironment(Env.TASK_VCPUS, String(cpu / 1024));
    this.consumer.addEnvironment(
      Env.JOB_TIMEOUT_SECONDS,
      String((props.jobTimeout ?? Duration.minutes(DEFAULTS.workerTimeoutMinutes)).toSeconds()),
    );
    props.jobs.bind(this.consumer, JobsAccess.UPDATE);
    props.sharedFileSystem.bindClient(this.consumer);
    props.dataBucket.bindIncomingReader(this.consumer);
    props.dataBucket.grantWriteResults(this.consumer);

    this.subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    this.securityGroupIds = [props.securityGroup.securityGroupId];

    acknowledgeFinding(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds only non-secret settings from contract/names.ts (table name, mount path, TTL); the job itself arrives as RunTask overrides.',
    );
    // Only an image asset gives the execution role ECR permissions (and its policy).
    const pullPolicy = this.taskDefinition.obtainExecutionRole().node.tryFindChild('DefaultPolicy');
    if (pullPolicy && !props.imageName) {
      acknowledgeFinding(
        pullPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken supports no resource scoping; image pulls are limited to the CDK asset repository.',
      );
    }
  }

  /** ARN pattern of every revision of the worker's task definition family. */
  get taskDefinitionFamilyArn(): string {
    return Stack.of(this).formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${this.taskDefinition.family}:*`,
    });
  }

  /**
   * Lets the consumer start worker tasks and tells it how: sets `CLUSTER_ARN`,
   * `TASK_DEFINITION_ARN`, `WORKER_CONTAINER_NAME`, `WORKER_SUBNETS` and `WORKER_SECURITY_GROUPS`,
   * and grants `ecs:RunTask` on this task definition family in this cluster plus `iam:PassRole`
   * on the task and execution roles, for ECS tasks only. Returns the grant.
   */
  bindLauncher(consumer: EnvConsumer): iam.Grant {
    consumer.addEnvironment(Env.CLUSTER_ARN, this.cluster.clusterArn);
    consumer.addEnvironment(Env.TASK_DEFINITION_ARN, this.taskDefinition.taskDefinitionArn);
    consumer.addEnvironment(Env.WORKER_CONTAINER_NAME, WORKER_CONTAINER_NAME);
    consumer.addEnvironment(Env.WORKER_SUBNETS, this.subnetIds.join(','));
    consumer.addEnvironment(Env.WORKER_SECURITY_GROUPS, this.securityGroupIds.join(','));

    const runTask = iam.Grant.addToPrincipal({
      grantee: consumer,
      actions: ['ecs:RunTask'],
      resourceArns: [this.taskDefinitionFamilyArn],
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    });
    const passRoles = iam.Grant.addToPrincipal({
      grantee: consumer,
      actions: ['iam:PassRole'],
      resourceArns: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    acknowledgePolicyFinding(
      consumer,
      `AwsSolutions-IAM5[Resource::${nagResource(this, this.taskDefinitionFamilyArn)}]`,
      'RunTask is limited to the worker task definition family in the pipeline cluster; the revision wildcard lets a new revision deploy without a policy change.',
    );
    return runTask.combine(passRoles);
  }
}
