import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_OPTIONS } from '../bundle-options.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/names.js';
import { MANAGED_POLICY_FINDING, acknowledgeFinding } from './nag.js';
import { REPO_ROOT, repoPath } from './paths.js';
import { acknowledgeCheckov, logGroupKeyReason } from './scanners.js';

/** Adds the threads' bundles to a function's asset, built by lib/bundling.ts like the rest. */
const THREAD_HOOKS: nodejs.ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => [
    [repoPath('node_modules/.bin/tsx'), repoPath('lib/bundle-threads.ts'), outputDir]
      .map((word) => JSON.stringify(word))
      .join(' '),
  ],
};

/** Environment variables every function gets from `PipelineFunction` (besides its own). */
export const POWERTOOLS_ENV = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE'] as const;

export interface PipelineFunctionProps extends Omit<
  nodejs.NodejsFunctionProps,
  'entry' | 'runtime' | 'bundling' | 'logGroup' | 'projectRoot'
> {
  /** Entry file relative to the repository root, e.g. `Entry.dispatcher`. */
  readonly entry: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Removal policy of the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * The function runs jobs: its asset then holds the bundles of the threads a job starts beside
   * the handler's (`THREADS`, see lib/bundling.ts).
   * @default false
   */
  readonly runsJobs?: boolean;
}

/**
 * A `NodejsFunction` with the defaults every function of the pipeline shares: the newest Node.js
 * runtime, arm64, ESM bundle built by the local esbuild (never Docker) with the AWS SDK left to
 * the runtime, a log group with retention, and the Powertools service name and metric namespace
 * from the contract. No X-Ray tracing: the code is not instrumented for it, and the structured
 * logs and metrics carry the job id, route and outcome of every step (a caller may still pass
 * `tracing`).
 */
export class PipelineFunction extends nodejs.NodejsFunction {
  /** The log group, created beside the function so its retention is ours. */
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const { entry, logRetention, logRemovalPolicy, runsJobs, environment, ...rest } = props;
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    super(scope, id, {
      handler: 'handler',
      architecture: lambda.Architecture.ARM_64,
      ...rest,
      entry: repoPath(entry),
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...environment,
      },
      bundling: {
        forceDockerBundling: false,
        // The same esbuild settings as the worker and the local cloud (lib/bundling.ts).
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner.js,
        bundleAwsSDK: true,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: BUNDLE_OPTIONS.sourcemap,
        commandHooks: runsJobs ? THREAD_HOOKS : undefined,
      },
    });
    this.functionLogGroup = logGroup;
    acknowledgeCheckov(
      logGroup,
      'CKV_AWS_158',
      logGroupKeyReason('job ids, object keys, outcomes and error messages of one function'),
    );
    acknowledgeCheckov(
      this,
      'CKV_AWS_173',
      'The environment holds no secret: resource names and ARNs (contract/names.ts), Powertools names and routing thresholds, which Lambda encrypts at rest with its AWS managed key. A customer managed key would protect nothing more.',
    );

    if (this.role) {
      acknowledgeFinding(
        this.role,
        MANAGED_POLICY_FINDING.LAMBDA_BASIC,
        "AWS managed policy that only lets the function write to its own log group's streams.",
      );
      if (props.vpc) {
        acknowledgeFinding(
          this.role,
          MANAGED_POLICY_FINDING.LAMBDA_VPC,
          'AWS managed policy Lambda needs to create and delete the network interfaces of a function in a VPC.',
        );
      }
    }
  }
}
