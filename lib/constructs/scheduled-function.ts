import { Duration, Token, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PipelineFunction } from './pipeline-function.js';
import { acknowledgeCheckov } from './scanners.js';
import { PropValidationError } from './validation.js';

/** Longest a scheduled run may take, however long its interval: enough for either, and a stuck run ends. */
const MAX_RUN_SECONDS = 300;

export interface ScheduledFunctionProps {
  /** Entry file relative to the repository root, e.g. `Entry.sweeper`. */
  readonly entry: string;
  /** Description of the function. */
  readonly description: string;
  /** Description of the schedule's rule. */
  readonly scheduleDescription: string;
  /** Time between two runs: whole minutes, at least 1. Also the timeout, up to five minutes. */
  readonly interval: Duration;
  /** Memory in MB. */
  readonly memorySize: number;
  /** Why a failed run needs no dead-letter queue (checkov CKV_AWS_116). */
  readonly whyNoDeadLetterQueue: string;
  /** Why the function is not in the VPC: what it calls (checkov CKV_AWS_117). */
  readonly whyNoVpc: string;
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

export interface ScheduledFunction {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;
}

/**
 * A function run by an EventBridge rate rule, once per `interval`, created in `scope` as `Function`
 * and `Schedule`. Its timeout is the interval, at most five minutes, so a run ends before the next
 * one starts; the rule does not retry a failed run, as the next one does the same work.
 */
export function addScheduledFunction(scope: Construct, props: ScheduledFunctionProps): ScheduledFunction {
  const intervalSeconds = props.interval.toSeconds({ integral: false });
  if (!Token.isUnresolved(intervalSeconds) && (intervalSeconds < 60 || intervalSeconds % 60 !== 0)) {
    throw new PropValidationError(
      'interval',
      `${intervalSeconds} s`,
      'a whole number of minutes, at least 1 (a rate EventBridge can run)',
      scope,
    );
  }

  const fn = new PipelineFunction(scope, 'Function', {
    entry: props.entry,
    description: props.description,
    memorySize: props.memorySize,
    timeout: Duration.seconds(Math.min(intervalSeconds, MAX_RUN_SECONDS)),
    logRetention: props.logRetention,
    logRemovalPolicy: props.removalPolicy,
  });
  const rule = new events.Rule(scope, 'Schedule', {
    description: props.scheduleDescription,
    schedule: events.Schedule.rate(props.interval),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
  });

  acknowledgeCheckov(
    fn,
    'CKV_AWS_115',
    'Invoked only by its schedule, once per interval, with a timeout no longer than the interval; a reservation would only take concurrency from the account.',
  );
  acknowledgeCheckov(fn, 'CKV_AWS_116', props.whyNoDeadLetterQueue);
  acknowledgeCheckov(fn, 'CKV_AWS_117', props.whyNoVpc);
  return { function: fn, rule };
}
