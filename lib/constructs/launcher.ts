import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Entry, Env } from '../../contract/names.js';
import { DEFAULTS, LAUNCHER_TIMEOUT_SECONDS } from '../config.js';
import type { EnvConsumer } from './binding.js';
import { JobsAccess, type IJobsTable } from './jobs-table.js';
import { PipelineFunction } from './pipeline-function.js';
import { acknowledgePolicyFinding } from './nag.js';
import { acknowledgeCheckov } from './scanners.js';
import { checkWholeNumber } from './validation.js';
import type { IWorker } from './worker.js';

export interface LauncherProps {
  /** Tasks are started on this worker's cluster. */
  readonly worker: IWorker;
  /** Each request's job is read and updated here. */
  readonly jobs: IJobsTable;
  /**
   * Worker tasks running or pending at once, at most (`MAX_RUNNING_TASKS`).
   * @default 20
   */
  readonly maxRunningTasks?: number;
  /**
   * Launcher invocations at once (the event source's `maxConcurrency`, at least 2).
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Starts a job may have in all before it fails (`MAX_ATTEMPTS`, given to every requester).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * First backoff delay of re-drives and deferred launches in ms (`RETRY_BASE_MS`).
   * @default 1000
   */
  readonly retryBaseMs?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the queues and the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What asks for worker tasks: the dispatcher and the re-drivers. */
export interface ILauncher {
  /** Lets the consumer queue launch requests; sets `LAUNCH_QUEUE_URL`, `MAX_ATTEMPTS`, `RETRY_BASE_MS`. */
  bindRequester(consumer: EnvConsumer): iam.Grant;
}

/**
 * The launch queue and its launcher: a job routed to ECS waits in an SQS queue until a worker
 * task can start, and a function drains the queue with bounded concurrency, one RunTask per
 * request, holding the number of running tasks under a cap. A request that cannot be served yet
 * (the cap, a throttle, no Fargate capacity) goes back to the queue with a backoff, so a burst of
 * thousands of long files queues instead of failing, and nothing sleeps inside a function.
 */
export class Launcher extends Construct implements ILauncher {
  readonly queue: sqs.Queue;
  /** Requests delivered 1,000 times without being served (a launcher broken for many hours). */
  readonly deadLetterQueue: sqs.Queue;
  readonly function: PipelineFunction;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(scope: Construct, id: string, props: LauncherProps) {
    super(scope, id);
    const maxRunningTasks = checkWholeNumber(
      this,
      'maxRunningTasks',
      props.maxRunningTasks ?? DEFAULTS.maxRunningTasks,
      1,
    );
    const concurrency = checkWholeNumber(
      this,
      'concurrency',
      props.concurrency ?? DEFAULTS.launcherConcurrency,
      2,
    );
    this.maxAttempts = checkWholeNumber(this, 'maxAttempts', props.maxAttempts ?? DEFAULTS.maxAttempts, 1);
    this.retryBaseMs = checkWholeNumber(this, 'retryBaseMs', props.retryBaseMs ?? DEFAULTS.retryBaseMs, 0);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // AWS's advice for a Lambda event source: six times the function's timeout.
      visibilityTimeout: Duration.seconds(LAUNCHER_TIMEOUT_SECONDS * 6),
      // A deferred request comes back every minute at most: 1,000 deliveries are many hours.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 1000 },
      removalPolicy: props.removalPolicy,
    });
    for (const queue of [this.queue, this.deadLetterQueue]) {
      acknowledgeCheckov(
        queue,
        'CKV_AWS_27',
        'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled); the check only recognises KmsMasterKeyId. The messages are a job id and an attempt number.',
      );
    }

    this.function = new PipelineFunction(this, 'Function', {
      entry: Entry.launcher,
      description: 'Starts a worker task for each job in the launch queue, under the running-task cap',
      memorySize: 256,
      timeout: Duration.seconds(LAUNCHER_TIMEOUT_SECONDS),
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      environment: { [Env.MAX_RUNNING_TASKS]: String(maxRunningTasks) },
    });
    this.function.addEventSource(
      new lambdaEvents.SqsEventSource(this.queue, {
        batchSize: 10,
        maxConcurrency: concurrency,
        reportBatchItemFailures: true,
      }),
    );
    this.setRequesterEnvironment(this.function);
    this.queue.grant(this.function, 'sqs:ChangeMessageVisibility');
    props.jobs.bind(this.function, JobsAccess.UPDATE);
    props.worker.bindLauncher(this.function);
    // ListTasks is authorised on the container instances' ARN pattern, conditioned on the cluster.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': props.worker.cluster.clusterArn } },
      }),
    );

    acknowledgePolicyFinding(
      this.function,
      'AwsSolutions-IAM5[Resource::*]',
      'ecs:ListTasks takes no task or cluster resource (its resource is a container instance); the statement is conditioned on the pipeline cluster (ecs:cluster).',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_115',
      'Its concurrency is bounded by the event source (maxConcurrency), which is what keeps RunTask under its rate; a reservation would only take concurrency from the account.',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_116',
      'Invoked by an SQS event source, not asynchronously: an unserved request stays in the launch queue, which has its own dead-letter queue.',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_117',
      'It reads no pipeline data and reaches nothing in the VPC: it calls only SQS, DynamoDB and ECS (RunTask, ListTasks) with its scoped role.',
    );
  }

  bindRequester(consumer: EnvConsumer): iam.Grant {
    this.setRequesterEnvironment(consumer);
    return this.queue.grantSendMessages(consumer);
  }

  private setRequesterEnvironment(consumer: EnvConsumer): void {
    consumer.addEnvironment(Env.LAUNCH_QUEUE_URL, this.queue.queueUrl);
    consumer.addEnvironment(Env.MAX_ATTEMPTS, String(this.maxAttempts));
    consumer.addEnvironment(Env.RETRY_BASE_MS, String(this.retryBaseMs));
  }
}
