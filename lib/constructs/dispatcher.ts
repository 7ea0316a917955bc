import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Entry, Env, SHARED_MOUNT_PATH } from '../../contract/names.js';
import type { RoutingPolicy } from '../../contract/routing.js';
import { JobsAccess } from './jobs-table.js';
import { acknowledgePolicyFinding } from './nag.js';
import { acknowledgeCheckov } from './scanners.js';
import { PipelineFunction } from './pipeline-function.js';
import { checkWholeNumber } from './validation.js';
import type { EnvConsumer } from './binding.js';
import type { ILauncher } from './launcher.js';
import type { JobRunnerProps } from './worker.js';
import { DEFAULTS } from '../config.js';

/**
 * Uploads under `incoming/` invoke the dispatcher. It runs in `subnets` with `securityGroup`, reads
 * inputs from `dataBucket` and writes reports back, mounts `sharedFileSystem` at
 * `SHARED_MOUNT_PATH` and records each job in `jobs`.
 */
export interface DispatcherProps extends JobRunnerProps {
  /** Jobs routed to ECS wait in its queue for a worker task. */
  readonly launcher: ILauncher;
  /** Passed to the function as `ROUTING_POLICY` JSON; built for the same memory and timeout. */
  readonly routingPolicy: RoutingPolicy;
  /** Largest object accepted (`MAX_OBJECT_BYTES`). */
  readonly maxObjectBytes: number;
  /** Days a job item is kept (`JOB_TTL_DAYS`). */
  readonly jobTtlDays: number;
  /**
   * Lets the function's network interfaces use IPv6 as well; every subnet in `subnets` must be
   * dual stack.
   * @default false
   */
  readonly ipv6AllowedForDualStack?: boolean;
  /**
   * Memory in MB.
   * @default 1769
   */
  readonly memorySize?: number;
  /**
   * Timeout; also the routing budget's base.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency.
   * @default - none
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the log group and the failure queues.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The dispatcher as those who hand it S3 events of their own see it (the reconciler). */
export interface IDispatcher {
  /** Days a job item it records is kept; an upload older than this may have lost its job item. */
  readonly jobTtlDays: number;
  /**
   * Lets the consumer invoke the dispatcher function (`lambda:InvokeFunction` on its ARN, no
   * version or alias) and sets `DISPATCHER_FUNCTION` to that ARN.
   */
  bindInvoker(consumer: EnvConsumer): iam.Grant;
}

/**
 * The dispatcher: invoked by S3 for each upload under `incoming/`, it records the job, runs small
 * ones itself and starts a worker task for the rest. Events it still fails on after two retries
 * go to `onFailureQueue`.
 */
export class Dispatcher extends Construct implements IDispatcher {
  readonly function: PipelineFunction;
  readonly jobTtlDays: number;
  /** Asynchronous invocations that failed every attempt (the S3 event is in the record). */
  readonly onFailureQueue: sqs.Queue;
  /** Where messages go that nobody could process from `onFailureQueue`. */
  readonly onFailureDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    const maxObjectBytes = checkWholeNumber(this, 'maxObjectBytes', props.maxObjectBytes, 1);
    const jobTtlDays = checkWholeNumber(this, 'jobTtlDays', props.jobTtlDays, 1);
    this.jobTtlDays = jobTtlDays;

    this.onFailureDeadLetterQueue = new sqs.Queue(this, 'OnFailureDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.onFailureQueue = new sqs.Queue(this, 'OnFailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.onFailureDeadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: props.removalPolicy,
    });
    for (const queue of [this.onFailureQueue, this.onFailureDeadLetterQueue]) {
      acknowledgeCheckov(
        queue,
        'CKV_AWS_27',
        'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled); the check only recognises KmsMasterKeyId. The messages are S3 event records (bucket, key, size) with the error, no file contents.',
      );
    }

    this.function = new PipelineFunction(this, 'Function', {
      entry: Entry.dispatcher,
      runsJobs: true,
      description: 'Records a job for each upload under incoming/ and runs it here or on Fargate',
      memorySize: props.memorySize ?? DEFAULTS.lambdaMemoryMb,
      timeout: props.timeout ?? Duration.seconds(DEFAULTS.lambdaTimeoutSeconds),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      // Left out when off, so that an IPv4-only template stays as it was.
      ipv6AllowedForDualStack: props.ipv6AllowedForDualStack || undefined,
      allowPublicSubnet: false,
      filesystem: lambda.FileSystem.fromEfsAccessPoint(props.sharedFileSystem.accessPoint, SHARED_MOUNT_PATH),
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(this.onFailureQueue),
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      environment: {
        [Env.ROUTING_POLICY]: JSON.stringify(props.routingPolicy),
        [Env.MAX_OBJECT_BYTES]: String(maxObjectBytes),
        [Env.JOB_TTL_DAYS]: String(jobTtlDays),
      },
    });

    props.jobs.bind(this.function, JobsAccess.READ_WRITE);
    props.sharedFileSystem.bindClient(this.function);
    props.launcher.bindRequester(this.function);
    props.dataBucket.bindIncomingReader(this.function);
    props.dataBucket.grantWriteResults(this.function);
    props.dataBucket.notifyOnIncoming(this.function);

    acknowledgeCheckov(
      this.function,
      'CKV_AWS_116',
      'Failed asynchronous invocations go to the on-failure destination (onFailureQueue, with its own dead-letter queue and an alarm), which records the event with the error; a dead-letter queue would duplicate it.',
    );
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledgeCheckov(
        this.function,
        'CKV_AWS_115',
        'No reservation unless context dispatcherReservedConcurrency sets one: a reservation is taken out of the account pool and cannot be deployed in accounts at the minimum limit. Production sets it to cap the cost of a flood of uploads (docs/threat-model.md).',
      );
    }
    acknowledgePolicyFinding(
      this.function,
      'AwsSolutions-IAM5[Resource::*]',
      "The Lambda EFS integration adds elasticfilesystem:ClientMount on * conditioned on this access point's ARN.",
    );
  }

  /**
   * Lets the consumer invoke the function by its ARN and sets `DISPATCHER_FUNCTION` to it. Not
   * `function.grantInvoke`, which adds every version and alias (`<arn>:*`): the consumer invokes
   * the unqualified function and nothing else.
   */
  bindInvoker(consumer: EnvConsumer): iam.Grant {
    consumer.addEnvironment(Env.DISPATCHER_FUNCTION, this.function.functionArn);
    return iam.Grant.addToPrincipal({
      grantee: consumer,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.function.functionArn],
    });
  }
}
