import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Entry } from '../../contract/names.js';
import { JobsAccess, type IJobsTable } from './jobs-table.js';
import type { PipelineFunction } from './pipeline-function.js';
import { addScheduledFunction } from './scheduled-function.js';
import type { ILauncher } from './launcher.js';
import { DEFAULTS } from '../config.js';

export interface SweeperProps {
  /** Its open-jobs index is searched for expired leases. */
  readonly jobs: IJobsTable;
  /** Expired jobs are queued here for a new worker task. */
  readonly launcher: ILauncher;
  /**
   * Time between two sweeps (whole minutes); also the timeout, up to five minutes.
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
    const scheduled = addScheduledFunction(this, {
      entry: Entry.sweeper,
      description: 'Re-drives or fails jobs whose lease ran out',
      scheduleDescription: 'Sweep jobs with expired leases',
      interval: props.interval ?? Duration.minutes(DEFAULTS.sweepIntervalMinutes),
      memorySize: 256,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      whyNoDeadLetterQueue:
        'A failed sweep is repeated in full by the next scheduled one, which finds the same expired leases; a dead-letter queue would hold nothing to act on.',
      whyNoVpc:
        'It reads no pipeline data and reaches nothing in the VPC: it calls only DynamoDB (open-jobs index, job items) and SQS (the launch queue) with its scoped role, so a VPC would add ENIs without narrowing what it can do.',
    });
    this.function = scheduled.function;
    this.rule = scheduled.rule;
    props.jobs.bind(this.function, JobsAccess.SWEEP);
    props.launcher.bindRequester(this.function);
  }
}
