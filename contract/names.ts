/**
 * Names that cross the boundary between the infrastructure (CDK stack, local cloud) and the
 * runtime code (dispatcher, worker, task-state handler). Both sides import them from here, so
 * a renamed variable or prefix cannot drift between what is deployed and what the code reads.
 *
 * This module has no imports: the Lambda and worker bundles include it as it is.
 */

/** Names of the stack's outputs (the `pipeline` CLI, scripts and the e2e tests read them). */
export const Outputs = {
  DATA_BUCKET_NAME: 'DataBucketName',
  JOBS_TABLE_NAME: 'JobsTableName',
  CLUSTER_ARN: 'ClusterArn',
  TASK_DEFINITION_ARN: 'TaskDefinitionArn',
  FILE_SYSTEM_ID: 'FileSystemId',
  DISPATCHER_FUNCTION_NAME: 'DispatcherFunctionName',
  ON_FAILURE_QUEUE_URL: 'OnFailureQueueUrl',
  ALARM_TOPIC_ARN: 'AlarmTopicArn',
  QUERY_DATABASE_NAME: 'QueryDatabaseName',
  QUERY_WORKGROUP_NAME: 'QueryWorkGroupName',
} as const;

/** Uploads land here; only this prefix triggers the dispatcher. */
export const INCOMING_PREFIX = 'incoming/';

/** A result for `incoming/<path>` is written to `results/<path>.json`. */
export const RESULTS_PREFIX = 'results/';

/**
 * The one object outside `incoming/` and `results/` the pipeline writes: where the scheduled
 * reconciler stopped listing, so its next run goes on from there (JSON, `ReconcileCursorDocument`).
 */
export const RECONCILE_CURSOR_KEY = 'pipeline-state/reconcile-cursor.json';

/** Name of the job item attribute DynamoDB's TTL reads (epoch seconds; `Job.expiresAt`). */
export const JOBS_TTL_ATTRIBUTE = 'expiresAt';

/** Custom metrics the runtime publishes (EMF via Powertools) and the dashboard and alarms read. */
export const JobMetric = {
  STARTED: 'JobsStarted',
  SUCCEEDED: 'JobsSucceeded',
  FAILED: 'JobsFailed',
  DURATION: 'JobDuration',
} as const;

/**
 * Object metadata that overrides the routing policy (`x-amz-meta-pipeline-route: ecs`), for an
 * operator who knows better than the prediction, and for tests that run one file both ways.
 */
export const FORCED_ROUTE_METADATA = 'pipeline-route';

/** Where the shared EFS access point is mounted in the Lambda and in the worker container. */
export const SHARED_MOUNT_PATH = '/mnt/shared';

/** Folder under the shared mount that mirrors `results/` as files. */
export const SHARED_RESULTS_DIR = 'results';

/** Name of the worker container in the task definition (RunTask overrides address it by name). */
export const WORKER_CONTAINER_NAME = 'worker';

/** Environment variables read by the runtime code. */
export const Env = {
  /** DynamoDB table holding one item per job. */
  JOBS_TABLE: 'JOBS_TABLE',
  /** Root of the shared file system as the process sees it. */
  SHARED_MOUNT_PATH: 'SHARED_MOUNT_PATH',
  /** ECS cluster ARN the dispatcher starts worker tasks on. */
  CLUSTER_ARN: 'CLUSTER_ARN',
  /** Task definition ARN (family:revision) of the worker. */
  TASK_DEFINITION_ARN: 'TASK_DEFINITION_ARN',
  /** Container name inside the task definition that receives the overrides. */
  WORKER_CONTAINER_NAME: 'WORKER_CONTAINER_NAME',
  /** Comma-separated private subnet ids for worker tasks. */
  WORKER_SUBNETS: 'WORKER_SUBNETS',
  /** Comma-separated security group ids for worker tasks. */
  WORKER_SECURITY_GROUPS: 'WORKER_SECURITY_GROUPS',
  /** Routing policy parameters as JSON (see contract/routing.ts `RoutingPolicy`). */
  ROUTING_POLICY: 'ROUTING_POLICY',
  /** Longest a worker may run one job before it stops and fails it as TIMED_OUT, in seconds. */
  JOB_TIMEOUT_SECONDS: 'JOB_TIMEOUT_SECONDS',
  /** Ranged GETs in flight when a job reads a large input (1: one stream). */
  S3_READ_CONCURRENCY: 'S3_READ_CONCURRENCY',
  /** Seconds an input read may go without receiving a byte before the job's attempt fails as INPUT_STALLED. */
  INPUT_STALL_SECONDS: 'INPUT_STALL_SECONDS',
  /**
   * vCPUs of the worker task (Fargate CPU units ÷ 1024). A task of one vCPU or less sees more
   * CPUs than its quota lets it use, so the runtime asks this before it starts a second thread.
   */
  TASK_VCPUS: 'TASK_VCPUS',
  /** Largest object the pipeline accepts, in bytes. */
  MAX_OBJECT_BYTES: 'MAX_OBJECT_BYTES',
  /** Days a finished job item is kept before DynamoDB TTL removes it. */
  JOB_TTL_DAYS: 'JOB_TTL_DAYS',
  /** How many times a job may be started in all (first run plus re-drives) before it fails. */
  MAX_ATTEMPTS: 'MAX_ATTEMPTS',
  /** First delay of the exponential backoff between retries of RunTask and re-drives, in ms. */
  RETRY_BASE_MS: 'RETRY_BASE_MS',
  /** SQS queue of jobs waiting for a worker task (the launch queue), drained by the launcher. */
  LAUNCH_QUEUE_URL: 'LAUNCH_QUEUE_URL',
  /** Worker tasks running or pending at once, at most: the launcher waits below it. */
  MAX_RUNNING_TASKS: 'MAX_RUNNING_TASKS',

  /** The data bucket's name (the reconciler lists its `incoming/` versions). */
  DATA_BUCKET: 'DATA_BUCKET',
  /** Name or ARN of the dispatcher function, invoked asynchronously with S3 events. */
  DISPATCHER_FUNCTION: 'DISPATCHER_FUNCTION',
  /** A version younger than this may still have its event on the way: the reconciler leaves it. */
  RECONCILE_GRACE_SECONDS: 'RECONCILE_GRACE_SECONDS',
  /** A version older than this may have outlived its job item: the reconciler leaves it. */
  RECONCILE_LOOKBACK_SECONDS: 'RECONCILE_LOOKBACK_SECONDS',
  /** Events the reconciler hands to the dispatcher in one run at most. */
  RECONCILE_MAX_PER_RUN: 'RECONCILE_MAX_PER_RUN',

  /** Set on the worker by RunTask overrides: the job to run. */
  JOB_ID: 'JOB_ID',
  JOB_BUCKET: 'JOB_BUCKET',
  JOB_KEY: 'JOB_KEY',
  JOB_VERSION_ID: 'JOB_VERSION_ID',
} as const;

export type EnvName = (typeof Env)[keyof typeof Env];

/** Environment variables the dispatcher Lambda must be given by its deployer. */
export const DISPATCHER_ENV: readonly EnvName[] = [
  Env.JOBS_TABLE,
  Env.SHARED_MOUNT_PATH,
  Env.LAUNCH_QUEUE_URL,
  Env.ROUTING_POLICY,
  Env.S3_READ_CONCURRENCY,
  Env.INPUT_STALL_SECONDS,
  Env.MAX_OBJECT_BYTES,
  Env.JOB_TTL_DAYS,
  Env.MAX_ATTEMPTS,
  Env.RETRY_BASE_MS,
];

/** Environment variables the worker task definition must carry (the job itself comes as overrides). */
export const WORKER_ENV: readonly EnvName[] = [
  Env.JOBS_TABLE,
  Env.SHARED_MOUNT_PATH,
  Env.JOB_TTL_DAYS,
  Env.S3_READ_CONCURRENCY,
  Env.INPUT_STALL_SECONDS,
  Env.JOB_TIMEOUT_SECONDS,
  Env.TASK_VCPUS,
];

/** Where a job is started again (after a crash or a lost worker): the launch queue and the limits. */
const REDRIVE_ENV: readonly EnvName[] = [
  Env.JOBS_TABLE,
  Env.LAUNCH_QUEUE_URL,
  Env.MAX_ATTEMPTS,
  Env.RETRY_BASE_MS,
];

/** Environment variables the launcher Lambda must be given: the worker task settings and the cap. */
export const LAUNCHER_ENV: readonly EnvName[] = [
  Env.JOBS_TABLE,
  Env.LAUNCH_QUEUE_URL,
  Env.CLUSTER_ARN,
  Env.TASK_DEFINITION_ARN,
  Env.WORKER_CONTAINER_NAME,
  Env.WORKER_SUBNETS,
  Env.WORKER_SECURITY_GROUPS,
  Env.MAX_ATTEMPTS,
  Env.RETRY_BASE_MS,
  Env.MAX_RUNNING_TASKS,
];

/** Environment variables the task-state Lambda must be given (it re-drives crashed workers). */
export const TASK_STATE_ENV: readonly EnvName[] = REDRIVE_ENV;

/** Environment variables the scheduled sweeper Lambda must be given. */
export const SWEEPER_ENV: readonly EnvName[] = REDRIVE_ENV;

/**
 * The reconciler's limits by default, for the stack's config (lib/config.ts) and the operator's
 * `pipeline reconcile` alike.
 */
export const RECONCILE_DEFAULTS = {
  /** Uploads younger than this are left to their own event. */
  graceMinutes: 10,
  /** Uploads older than this are not looked at: their job item may have expired. */
  lookbackHours: 48,
  /** Uploads handed to the dispatcher in one run at most. */
  maxPerRun: 500,
} as const;

/** Environment variables the scheduled reconciler Lambda must be given. */
export const RECONCILER_ENV: readonly EnvName[] = [
  Env.JOBS_TABLE,
  Env.DATA_BUCKET,
  Env.DISPATCHER_FUNCTION,
  Env.RECONCILE_GRACE_SECONDS,
  Env.RECONCILE_LOOKBACK_SECONDS,
  Env.RECONCILE_MAX_PER_RUN,
];

/**
 * Sparse index of the jobs table holding only jobs that are not finished: partition key
 * `open` (always "OPEN"), sort key `leaseUntil`. The sweeper queries it for expired leases.
 */
export const OPEN_JOBS_INDEX = { name: 'open-jobs', partitionKey: 'open', sortKey: 'leaseUntil' } as const;

/** Metric namespace and service name used by Powertools in every function. */
export const METRICS_NAMESPACE = 'S3Pipeline';
export const SERVICE_NAME = 's3-pipeline';

/** Entry files of the runtime code, relative to the repository root (bundled by esbuild). */
export const Entry = {
  dispatcher: 'lambda/dispatcher.ts',
  taskState: 'lambda/task-state.ts',
  sweeper: 'lambda/sweeper.ts',
  launcher: 'lambda/launcher.ts',
  reconciler: 'lambda/reconciler.ts',
  worker: 'containers/worker/main.ts',
} as const;

/**
 * The threads a job starts, each bundled beside every bundle that runs jobs: its entry (relative
 * to the repository root) and its bundle's file name (beside the bundle that starts it).
 */
export const THREADS = {
  /** The job core's parse thread (src/core/parse-thread.ts). */
  parse: { entry: 'src/core/parse-thread-entry.ts', bundle: 'parse-thread.mjs' },
} as const;

/** Where the worker bundle is written; the Dockerfile copies it and the threads' bundles beside it. */
export const WORKER_BUNDLE = 'containers/worker/dist/main.mjs';
