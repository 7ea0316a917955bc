import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JobMetric, METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/names.js';
import { ROUTES, type Route } from '../../contract/routing.js';

export interface MonitoringProps {
  /** Name of the dashboard. */
  readonly dashboardName: string;
  readonly dispatcher: lambda.IFunction;
  readonly taskStateFunction: lambda.IFunction;
  readonly sweeperFunction: lambda.IFunction;
  readonly reconcilerFunction: lambda.IFunction;
  readonly launcherFunction: lambda.IFunction;
  /** Jobs waiting for a worker task: its depth and the age of its oldest request are charted. */
  readonly launchQueue: sqs.IQueue;
  /** Launch requests received too often without a launch end here; one is an alarm. */
  readonly launchDeadLetterQueue: sqs.IQueue;
  /** Rule that fires for every stopped worker task. */
  readonly taskStoppedRule: events.IRule;
  readonly onFailureQueue: sqs.IQueue;
  /**
   * Address subscribed to the alarm topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Removal policy of the topic's key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A dashboard of jobs by route and outcome, the functions, the launch queue and the worker tasks,
 * and alarms (failed invocations parked in the on-failure queue, launch requests in the launch
 * dead-letter queue, failed jobs, errors of any function) that publish to an encrypted SNS topic.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the pipeline alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${props.dashboardName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const fiveMinutes = Duration.minutes(5);
    const jobMetric = (name: string, route: Route, statistic: string = cloudwatch.Stats.SUM) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        // Powertools adds the `service` dimension to every metric it publishes.
        dimensionsMap: { service: SERVICE_NAME, route },
        statistic,
        period: fiveMinutes,
        label: `${route}`,
      });
    const byRoute = (name: string, statistic?: string) =>
      ROUTES.map((route) => jobMetric(name, route, statistic));

    const failedJobs = new cloudwatch.MathExpression({
      expression: 'FILL(failedLambda, 0) + FILL(failedEcs, 0)',
      usingMetrics: {
        failedLambda: jobMetric(JobMetric.FAILED, 'lambda'),
        failedEcs: jobMetric(JobMetric.FAILED, 'ecs'),
      },
      label: 'failed jobs',
      period: fiveMinutes,
    });

    const functions = [
      { name: 'dispatcher', fn: props.dispatcher },
      { name: 'launcher', fn: props.launcherFunction },
      { name: 'task-state', fn: props.taskStateFunction },
      { name: 'sweeper', fn: props.sweeperFunction },
      { name: 'reconciler', fn: props.reconcilerFunction },
    ];
    const whenAboveZero = {
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const queueNotEmpty = (queue: sqs.IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });

    this.alarms = [
      new cloudwatch.Alarm(this, 'OnFailureQueueNotEmpty', {
        alarmDescription:
          'An S3 event failed the dispatcher after every retry; it waits in the on-failure queue.',
        metric: queueNotEmpty(props.onFailureQueue),
        ...whenAboveZero,
      }),
      new cloudwatch.Alarm(this, 'LaunchDeadLetterQueueNotEmpty', {
        alarmDescription:
          'A launch request was received too many times without a launch and waits in the launch dead-letter queue; once its job’s lease runs out the sweeper re-drives or fails the job.',
        metric: queueNotEmpty(props.launchDeadLetterQueue),
        ...whenAboveZero,
      }),
      new cloudwatch.Alarm(this, 'JobsFailed', {
        alarmDescription: 'At least one job failed (either route).',
        metric: failedJobs,
        ...whenAboveZero,
      }),
      // Every function: the dispatcher's errors delay jobs, the others' stop the safety nets.
      ...functions.map(
        ({ name, fn }) =>
          new cloudwatch.Alarm(this, `${pascalCase(name)}Errors`, {
            alarmDescription: `The ${name} function returned errors.`,
            metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
            ...whenAboveZero,
          }),
      ),
    ];
    const notify = new actions.SnsAction(this.alarmTopic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.Metric) =>
      functions.map(({ name, fn }) => metric(fn).with({ label: name, period: fiveMinutes }));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Jobs started by route',
        left: byRoute(JobMetric.STARTED),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Jobs succeeded by route',
        left: byRoute(JobMetric.SUCCEEDED),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Jobs failed by route',
        left: byRoute(JobMetric.FAILED),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Job duration by route (ms, p50 / p99)',
        left: [...byRoute(JobMetric.DURATION, 'p50'), ...byRoute(JobMetric.DURATION, 'p99')].map((m) =>
          m.with({ label: `${m.label} ${m.statistic}` }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        left: perFunction((fn) => fn.metricErrors()).map((m) => m.with({ label: `${m.label} errors` })),
        right: perFunction((fn) => fn.metricThrottles()).map((m) =>
          m.with({ label: `${m.label} throttles` }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration (ms, p50 / max)',
        left: [
          ...perFunction((fn) => fn.metricDuration({ statistic: 'p50' })).map((m) =>
            m.with({ label: `${m.label} p50` }),
          ),
          ...perFunction((fn) => fn.metricDuration({ statistic: cloudwatch.Stats.MAXIMUM })).map((m) =>
            m.with({ label: `${m.label} max` }),
          ),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Worker tasks: stopped and failed',
        left: [
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'Invocations',
            dimensionsMap: { RuleName: props.taskStoppedRule.ruleName },
            statistic: cloudwatch.Stats.SUM,
            period: fiveMinutes,
            label: 'tasks stopped',
          }),
          jobMetric(JobMetric.FAILED, 'ecs').with({ label: 'tasks failed (jobs failed on ecs)' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Launch queue: waiting requests, oldest (s)',
        left: [
          props.launchQueue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'waiting',
          }),
        ],
        right: [
          props.launchQueue.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'oldest request (s)',
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'On-failure queue',
        left: [
          props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'messages visible',
          }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
    );
  }
}

/** `task-state` → `TaskState`: construct ids from the functions' names. */
function pascalCase(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());
}
