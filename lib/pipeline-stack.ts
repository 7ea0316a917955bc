import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { buildRoutingPolicy } from '../contract/routing.js';
import { Outputs } from '../contract/names.js';
import { RESULTS_TABLE } from '../contract/result-schema.js';
import type { PipelineConfig } from './config.js';
import { Dispatcher } from './constructs/dispatcher.js';
import { JobsTable } from './constructs/jobs-table.js';
import { Launcher } from './constructs/launcher.js';
import { Monitoring } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';
import { Reconciler } from './constructs/reconciler.js';
import { ResultsQuery } from './constructs/results-query.js';
import { DataBucket, SharedFileSystem } from './constructs/storage.js';
import { Sweeper } from './constructs/sweeper.js';
import { TaskStateListener } from './constructs/task-state.js';
import { Worker } from './constructs/worker.js';

export interface PipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
}

/** S3 → dispatcher Lambda → (Lambda | Fargate worker), sharing EFS, with jobs in DynamoDB. */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays;

    const network = new Network(this, 'Network', {
      availabilityZones: config.availabilityZones,
      vpcCidr: config.vpcCidr,
      natMode: config.natMode,
      ipv6: config.ipv6,
      flowLogRetention: logRetention,
      removalPolicy,
    });

    const data = new DataBucket(this, 'DataBucket', {
      removalPolicy,
      readConcurrency: config.s3ReadConcurrency,
      inputStallSeconds: config.inputStallSeconds,
      archiveStorageClass: config.archiveStorageClass,
      archiveAfterDays: config.archiveAfterDays,
    });
    const shared = new SharedFileSystem(this, 'SharedFileSystem', {
      vpc: network.vpc,
      subnets: network.computeSubnets,
      securityGroup: network.fileSystemSecurityGroup,
      removalPolicy,
    });
    const jobs = new JobsTable(this, 'JobsTable', { removalPolicy });

    const worker = new Worker(this, 'Worker', {
      vpc: network.vpc,
      subnets: network.computeSubnets,
      securityGroup: network.workerSecurityGroup,
      dataBucket: data,
      sharedFileSystem: shared,
      jobs,
      jobTtlDays: config.jobTtlDays,
      jobTimeout: Duration.minutes(config.workerTimeoutMinutes),
      cpu: config.workerCpu,
      memoryLimitMiB: config.workerMemoryMb,
      ephemeralStorageGiB: config.workerEphemeralStorageGiB,
      architecture: config.workerArchitecture,
      imageName: config.workerImage,
      logRetention,
      removalPolicy,
    });

    const launcher = new Launcher(this, 'Launcher', {
      worker,
      jobs,
      maxRunningTasks: config.maxRunningTasks,
      concurrency: config.launcherConcurrency,
      maxAttempts: config.maxAttempts,
      retryBaseMs: config.retryBaseMs,
      logRetention,
      removalPolicy,
    });

    const dispatcher = new Dispatcher(this, 'Dispatcher', {
      vpc: network.vpc,
      subnets: network.computeSubnets,
      securityGroup: network.dispatcherSecurityGroup,
      ipv6AllowedForDualStack: network.ipv6,
      dataBucket: data,
      sharedFileSystem: shared,
      jobs,
      launcher,
      routingPolicy: buildRoutingPolicy({
        lambdaTimeoutSeconds: config.lambdaTimeoutSeconds,
        lambdaMemoryMb: config.lambdaMemoryMb,
        safetyFactor: config.routingSafetyFactor,
      }),
      maxObjectBytes: config.maxObjectBytes,
      jobTtlDays: config.jobTtlDays,
      memorySize: config.lambdaMemoryMb,
      timeout: Duration.seconds(config.lambdaTimeoutSeconds),
      reservedConcurrentExecutions: config.dispatcherReservedConcurrency,
      logRetention,
      removalPolicy,
    });

    const taskState = new TaskStateListener(this, 'TaskState', {
      worker,
      launcher,
      jobs,
      logRetention,
      removalPolicy,
    });
    const sweeper = new Sweeper(this, 'Sweeper', {
      launcher,
      jobs,
      interval: Duration.minutes(config.sweepIntervalMinutes),
      logRetention,
      removalPolicy,
    });
    const reconciler = new Reconciler(this, 'Reconciler', {
      jobs,
      dataBucket: data,
      dispatcher,
      interval: Duration.minutes(config.reconcileIntervalMinutes),
      grace: Duration.minutes(config.reconcileGraceMinutes),
      lookback: Duration.hours(config.reconcileLookbackHours),
      maxPerRun: config.reconcileMaxPerRun,
      logRetention,
      removalPolicy,
    });

    const monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: `S3Pipeline-${config.envName}`,
      dispatcher: dispatcher.function,
      taskStateFunction: taskState.function,
      sweeperFunction: sweeper.function,
      reconcilerFunction: reconciler.function,
      launcherFunction: launcher.function,
      launchQueue: launcher.queue,
      launchDeadLetterQueue: launcher.deadLetterQueue,
      taskStoppedRule: taskState.rule,
      onFailureQueue: dispatcher.onFailureQueue,
      alarmEmail: config.alarmEmail,
      removalPolicy,
    });

    const query = new ResultsQuery(this, 'ResultsQuery', {
      dataBucket: data,
      accessLogsBucket: data.accessLogsBucket,
      bytesScannedCutoffPerQuery: config.queryScanLimitBytes,
      removalPolicy,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(Outputs.DATA_BUCKET_NAME, data.bucket.bucketName, 'Upload to incoming/, read results/');
    output(Outputs.JOBS_TABLE_NAME, jobs.table.tableName, 'One item per job');
    output(Outputs.CLUSTER_ARN, worker.cluster.clusterArn, 'ECS cluster of the worker tasks');
    output(Outputs.TASK_DEFINITION_ARN, worker.taskDefinition.taskDefinitionArn, 'Worker task definition');
    output(Outputs.FILE_SYSTEM_ID, shared.fileSystem.fileSystemId, 'Shared EFS file system');
    output(Outputs.DISPATCHER_FUNCTION_NAME, dispatcher.function.functionName, 'Dispatcher Lambda');
    output(
      Outputs.ON_FAILURE_QUEUE_URL,
      dispatcher.onFailureQueue.queueUrl,
      'Events the dispatcher failed on',
    );
    output(Outputs.ALARM_TOPIC_ARN, monitoring.alarmTopic.topicArn, 'Alarm notifications');
    output(Outputs.QUERY_DATABASE_NAME, query.databaseName, `Glue database of the ${RESULTS_TABLE} table`);
    output(Outputs.QUERY_WORKGROUP_NAME, query.workGroupName, 'Athena workgroup for queries of the results');
  }
}
