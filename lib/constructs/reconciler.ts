import { Duration, Token, type RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Entry, Env } from '../../contract/names.js';
import type { IDispatcher } from './dispatcher.js';
import { JobsAccess, type IJobsTable } from './jobs-table.js';
import type { PipelineFunction } from './pipeline-function.js';
import { addScheduledFunction } from './scheduled-function.js';
import type { IDataBucket } from './storage.js';
import { checkWholeNumber, PropValidationError } from './validation.js';
import { DEFAULTS } from '../config.js';

export interface ReconcilerProps {
  /** Each listed upload's job is looked up here (read only). */
  readonly jobs: IJobsTable;
  /** Its versions under `incoming/` are listed; where a run stopped is kept in it (`RECONCILE_CURSOR_KEY`). */
  readonly dataBucket: IDataBucket;
  /** Uploads without a job are handed to it as S3 events (asynchronous invocations). */
  readonly dispatcher: IDispatcher;
  /**
   * Time between two runs (whole minutes); also the timeout, up to five minutes.
   * @default Duration.minutes(30)
   */
  readonly interval?: Duration;
  /**
   * Uploads younger than this are left to their own event (`RECONCILE_GRACE_SECONDS`).
   * @default Duration.minutes(10)
   */
  readonly grace?: Duration;
  /**
   * Uploads older than this are not looked at (`RECONCILE_LOOKBACK_SECONDS`): longer than `grace`,
   * shorter than the dispatcher's job TTL, or an upload whose job item expired would run again.
   * @default Duration.hours(48)
   */
  readonly lookback?: Duration;
  /**
   * Uploads handed to the dispatcher in one run at most; the rest wait for the next run
   * (`RECONCILE_MAX_PER_RUN`).
   * @default 500
   */
  readonly maxPerRun?: number;
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
 * The safety net for uploads whose S3 event never produced a job (S3 delivers its events at least
 * once in almost every case, not always): on a schedule, a function lists the versions under
 * `incoming/` old enough to have had their event and young enough to still have their job item,
 * and hands each one without a job to the dispatcher as an S3 event of its own. It reads no upload
 * and writes no job: the dispatcher's one path does the rest, and its claim makes a repeat harmless.
 * A run that stops early (out of time, or at `maxPerRun`) leaves a cursor object, and the next run
 * goes on from it, so a listing of any length is reached to its end.
 */
export class Reconciler extends Construct {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const graceSeconds = wholeSeconds(
      this,
      'grace',
      props.grace ?? Duration.minutes(DEFAULTS.reconcileGraceMinutes),
    );
    const lookbackSeconds = wholeSeconds(
      this,
      'lookback',
      props.lookback ?? Duration.hours(DEFAULTS.reconcileLookbackHours),
    );
    if (!Token.isUnresolved(graceSeconds) && !Token.isUnresolved(lookbackSeconds)) {
      if (lookbackSeconds <= graceSeconds) {
        throw new PropValidationError(
          'lookback',
          `${lookbackSeconds} s`,
          `longer than grace (${graceSeconds} s), or no upload is ever looked at`,
          this,
        );
      }
    }
    const ttlSeconds = props.dispatcher.jobTtlDays * 86400;
    if (
      !Token.isUnresolved(lookbackSeconds) &&
      !Token.isUnresolved(ttlSeconds) &&
      lookbackSeconds >= ttlSeconds
    ) {
      throw new PropValidationError(
        'lookback',
        `${lookbackSeconds} s`,
        `shorter than the dispatcher's job TTL (${props.dispatcher.jobTtlDays} days), or an upload whose job item expired would run again`,
        this,
      );
    }
    const maxPerRun = checkWholeNumber(this, 'maxPerRun', props.maxPerRun ?? DEFAULTS.reconcileMaxPerRun, 1);

    const scheduled = addScheduledFunction(this, {
      entry: Entry.reconciler,
      description: 'Hands uploads under incoming/ that have no job to the dispatcher',
      scheduleDescription: 'Reconcile uploads with jobs',
      interval: props.interval ?? Duration.minutes(DEFAULTS.reconcileIntervalMinutes),
      memorySize: 256,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      whyNoDeadLetterQueue:
        'A failed run is repeated in full by the next scheduled one, which lists the same uploads; the events it hands on get the dispatcher’s own retries and on-failure queue, so a dead-letter queue here would hold nothing to act on.',
      whyNoVpc:
        'It reads no object and reaches nothing in the VPC: it calls only S3 (ListObjectVersions under incoming/, its one cursor object), DynamoDB (GetItem and BatchGetItem on jobs) and Lambda (invoking the dispatcher) with its scoped role, so a VPC would add ENIs without narrowing what it can do.',
    });
    this.function = scheduled.function;
    this.rule = scheduled.rule;
    this.function.addEnvironment(Env.RECONCILE_GRACE_SECONDS, String(graceSeconds));
    this.function.addEnvironment(Env.RECONCILE_LOOKBACK_SECONDS, String(lookbackSeconds));
    this.function.addEnvironment(Env.RECONCILE_MAX_PER_RUN, String(maxPerRun));
    props.jobs.bind(this.function, JobsAccess.READ);
    props.dataBucket.bindIncomingLister(this.function);
    props.dataBucket.grantReconcileCursor(this.function);
    props.dispatcher.bindInvoker(this.function);
  }
}

/** A duration in whole seconds, at least 0 (or a token, known only at deploy time). */
function wholeSeconds(scope: Construct, prop: string, duration: Duration): number {
  const seconds = duration.toSeconds({ integral: false });
  if (!Token.isUnresolved(seconds) && (!Number.isInteger(seconds) || seconds < 0)) {
    throw new PropValidationError(prop, `${seconds} s`, 'a whole number of seconds, at least 0', scope);
  }
  return seconds;
}
