/**
 * Which pipeline a console command talks to: the local cloud `npm run local` keeps running (found
 * by the outputs file it writes), or a deployed stack named by `--stack` (found by its
 * CloudFormation outputs, with credentials and region as the AWS CLI finds them). Every way this
 * can go wrong ends in a message that says what to do, not in an SDK stack trace.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFile } from 'node:fs/promises';
import { Outputs } from '../../contract/names.js';
import { localClientConfig, localOutputsFile, type LocalOutputs } from './local-cloud.js';
import { JobsTable } from '../runtime/aws/jobs-table.js';
import { CommandError } from './command.js';

export interface TargetOptions {
  /** A deployed stack's name; without it, the local cloud. */
  stack?: string;
  /** Region of the stack. @default the SDK's (AWS_REGION, the profile's region) */
  region?: string;
  /** Where the local cloud keeps its state. @default LOCAL_STATE_DIR, else `.local` */
  stateDir?: string;
}

export interface PipelineTarget {
  /** Says which pipeline, for the console. */
  description: string;
  bucket: string;
  region: string;
  s3: S3Client;
  jobs: JobsTable;
  /** The dispatcher, for asynchronous invocations; absent when the target does not say its name. */
  dispatcher?: { lambda: LambdaClient; functionName: string };
  /** The dispatcher's on-failure destination; absent when the target does not say where it is. */
  onFailure?: { sqs: SQSClient; queueUrl: string };
  /** Where a deployed stack's results are queried with Athena; absent for the local cloud. */
  query?: { workGroup: string; database: string };
  destroy(): void;
}

/** Where the dispatcher and its on-failure queue are, when the target says. */
interface DispatcherPlace {
  functionName?: string;
  /** Lambda's API, when it is not where the other services are (the local runner plays it). */
  lambdaEndpoint?: string;
  onFailureQueueUrl?: string;
  queryWorkGroup?: string;
  queryDatabase?: string;
}

/** A target that cannot be reached; the message says what to do. */
export class TargetError extends CommandError {
  override readonly name = 'TargetError';
}

export async function connectTarget(options: TargetOptions = {}, env = process.env): Promise<PipelineTarget> {
  return options.stack !== undefined
    ? connectStack(options.stack, options.region)
    : connectLocal(options, env);
}

async function connectLocal(options: TargetOptions, env: NodeJS.ProcessEnv): Promise<PipelineTarget> {
  const file = localOutputsFile(options, env);
  let outputs: LocalOutputs;
  try {
    outputs = JSON.parse(await readFile(file, 'utf8')) as LocalOutputs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new TargetError(
      `no local cloud found (${file} does not exist): start one with \`npm run local\`, or name a deployed stack with --stack`,
    );
  }
  const config = localClientConfig(outputs.endpoint, outputs.region);
  const target = makeTarget(
    `local cloud at ${outputs.endpoint}`,
    outputs.bucket,
    outputs.table,
    {
      ...config,
      // A local cloud that is down answers at once; do not retry for seconds.
      maxAttempts: 1,
    },
    {
      functionName: outputs.dispatcherFunction,
      lambdaEndpoint: outputs.lambdaEndpoint,
      onFailureQueueUrl: outputs.onFailureQueueUrl,
    },
  );
  try {
    await target.s3.send(new HeadBucketCommand({ Bucket: outputs.bucket }));
  } catch (error) {
    target.destroy();
    throw new TargetError(
      `the local cloud in ${file} (${outputs.endpoint}) does not answer (${describeError(error)}): ` +
        'start it with `npm run local`; the file is left from an earlier run',
    );
  }
  return target;
}

async function connectStack(stack: string, region: string | undefined): Promise<PipelineTarget> {
  const cfn = new CloudFormationClient(region ? { region } : {});
  let outputs: Record<string, string | undefined>;
  try {
    const where = await cfn.config.region().catch(() => {
      throw new TargetError(
        'no AWS region: set AWS_REGION (or AWS_PROFILE with a region in its profile), or pass --region',
      );
    });
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stack })).catch((error: unknown) => {
      throw new TargetError(stackError(error, stack, where));
    });
    outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const bucket = outputs[Outputs.DATA_BUCKET_NAME];
    const table = outputs[Outputs.JOBS_TABLE_NAME];
    if (!bucket || !table) {
      throw new TargetError(
        `stack ${stack} in ${where} has no ${Outputs.DATA_BUCKET_NAME} and ${Outputs.JOBS_TABLE_NAME} outputs: is it this project's stack, fully deployed?`,
      );
    }
    return makeTarget(
      `stack ${stack} in ${where}`,
      bucket,
      table,
      { region: where },
      {
        functionName: outputs[Outputs.DISPATCHER_FUNCTION_NAME],
        onFailureQueueUrl: outputs[Outputs.ON_FAILURE_QUEUE_URL],
        queryWorkGroup: outputs[Outputs.QUERY_WORKGROUP_NAME],
        queryDatabase: outputs[Outputs.QUERY_DATABASE_NAME],
      },
    );
  } finally {
    cfn.destroy();
  }
}

/** What to do about a failed DescribeStacks, by its cause. */
function stackError(error: unknown, stack: string, region: string): string {
  const name = (error as { name?: string }).name ?? '';
  const message = describeError(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return (
      'no AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`), or ' +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
    );
  }
  if (/does not exist/i.test(message)) {
    return `stack ${stack} not found in ${region}: deploy it with \`npx cdk deploy\`, or set --stack and --region (or AWS_REGION) to where it is`;
  }
  if (/ExpiredToken|security token/i.test(`${name} ${message}`)) {
    return `the AWS credentials were refused (${message}): renew them (\`aws sso login\`) and try again`;
  }
  return `cannot read stack ${stack} in ${region}: ${message}`;
}

/** What the clients of one target share. */
interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

function makeTarget(
  description: string,
  bucket: string,
  table: string,
  config: ClientConfig,
  place: DispatcherPlace = {},
): PipelineTarget {
  // Emulators on 127.0.0.1 have no per-bucket host names.
  const emulated = Boolean(config.endpoint ?? process.env.AWS_ENDPOINT_URL);
  const s3 = new S3Client({ ...config, forcePathStyle: emulated });
  const ddbClient = new DynamoDBClient(config);
  const ddb = DynamoDBDocumentClient.from(ddbClient, { marshallOptions: { removeUndefinedValues: true } });
  const lambda = place.functionName
    ? new LambdaClient({ ...config, ...(place.lambdaEndpoint ? { endpoint: place.lambdaEndpoint } : {}) })
    : undefined;
  const sqs = place.onFailureQueueUrl ? new SQSClient(config) : undefined;
  return {
    description,
    bucket,
    region: config.region,
    s3,
    jobs: new JobsTable(ddb, table),
    dispatcher: lambda && { lambda, functionName: place.functionName! },
    onFailure: sqs && { sqs, queueUrl: place.onFailureQueueUrl! },
    query:
      place.queryWorkGroup && place.queryDatabase
        ? { workGroup: place.queryWorkGroup, database: place.queryDatabase }
        : undefined,
    destroy() {
      s3.destroy();
      ddbClient.destroy();
      lambda?.destroy();
      sqs?.destroy();
    },
  };
}

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; errors?: { code?: string }[] };
  // A refused connection arrives as an AggregateError (one per address) with an empty message.
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  return e.message || code || e.name || String(error);
}
