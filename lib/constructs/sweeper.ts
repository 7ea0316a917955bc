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
import { DEFAULTS } from '../config.js';

export interface SweeperProps {
  /** Its open-jobs index is searched for expired leases. */
  readonly jobs: IJobsTable;
  /** Expired jobs are queued here for a new worker task. */
  readonly launcher: ILauncher;
  /**
   * Time between two sweeps.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
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

/**
 * The safety net for runners that die without a word (a killed dispatcher, a lost task event):
 * on a schedule, a function finds unfinished jobs whose lease ran out in the open-jobs index and
 * re-drives them on ECS, or fails them once they have used their attempts.
 */
export class Sweeper extends Construct {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);
    const interval = props.interval ?? Duration.minutes(DEFAULTS.sweepIntervalMinutes);

    this.function = new PipelineFunction(this, 'Function', {
      entry: Entry.sweeper,
      description: 'Re-drives or fails jobs whose lease ran out',
      memorySize: 256,
      // A sweep must end before the next one starts.
      timeout: Duration.seconds(Math.min(interval.toSeconds(), 300)),
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
    });
    props.jobs.bind(this.function, JobsAccess.SWEEP);
    props.launcher.bindRequester(this.function);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Sweep jobs with expired leases',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    acknowledgeCheckov(
      this.function,
      'CKV_AWS_115',
      'Invoked only by its schedule, once per interval, with a timeout no longer than the interval; a reservation would only take concurrency from the account.',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_116',
      'A failed sweep is repeated in full by the next scheduled one, which finds the same expired leases; a dead-letter queue would hold nothing to act on.',
    );
    acknowledgeCheckov(
      this.function,
      'CKV_AWS_117',
      'It reads no pipeline data and reaches nothing in the VPC: it calls only DynamoDB (open-jobs index, job items) and SQS (the launch queue) with its scoped role, so a VPC would add ENIs without narrowing what it can do.',
    );
  }
}
