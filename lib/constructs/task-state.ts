import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Entry } from '../../contract/names.js';
import { JobsAccess, type IJobsTable } from './jobs-table.js';
import { acknowledgeCheckov } from './scanners.js';
import { PipelineFunction } from './pipeline-function.js';
import type { ILauncher } from './launcher.js';
import type { IWorker } from './worker.js';

export interface TaskStateListenerProps {
  /** Only tasks of this worker's cluster are watched. */
  readonly worker: IWorker;
  /** A crashed worker's job is queued here for a new task. */
  readonly launcher: ILauncher;
  /** Where the stopped task's job is re-driven or failed. */
  readonly jobs: IJobsTable;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The EventBridge pattern of a stopped task in `clusterArn`. */
function stoppedTaskPattern(clusterArn: string): events.EventPattern {
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: { lastStatus: ['STOPPED'], clusterArn: [clusterArn] },
  };
}

/**
 * Reacts to each worker task that stops: an EventBridge rule for stopped tasks of the cluster
 * invokes a small function that starts a crashed worker's job again (within its attempts) or
 * records why it failed.
 */
export class TaskStateListener extends Construct {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: TaskStateListenerProps) {
    super(scope, id);

    this.function = new PipelineFunction(this, 'Function', {
      entry: Entry.taskState,
      description: 'Re-drives or fails the job of a worker task that stopped',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
    });
    props.jobs.bind(this.function, JobsAccess.UPDATE);
    props.launcher.bindRequester(this.function);

    this.rule = new events.Rule(this, 'TaskStoppedRule', {
      description: 'Worker task stopped',
      eventPattern: stoppedTaskPattern(props.worker.cluster.clusterArn),
      targets: [
        new targets.LambdaFunction(this.function, { retryAttempts: 8, maxEventAge: Duration.hours(6) }),
      ],
    });

    acknowledgeCheckov(
      this.function,
      'CKV_AWS_115',
      'Invoked once per stopped worker task, so its concurrency follows the tasks the dispatcher starts; a reservation would only take concurrency from the account.',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_116',
      "An event it still fails on after Lambda's retries leaves the job's lease to run out, and the sweeper re-drives or fails the job; a dead-letter queue would hold nothing to act on.",
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_117',
      'It reads no pipeline data and reaches nothing in the VPC: it calls only DynamoDB (job items) and ECS (RunTask) with its scoped role, so a VPC would add ENIs without narrowing what it can do.',
    );
  }
}
