import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { HttpThreadHandler } from './http-thread.js';

/**
 * SDK clients built the same way everywhere. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL` (set by the local cloud and the tests); S3 then needs path-style addressing
 * because emulators on 127.0.0.1 have no per-bucket host names.
 */
export interface Clients {
  s3: S3Client;
  /** Reads job inputs: `s3`, or a client that receives responses on a thread of its own. */
  s3Reader: S3Client;
  /**
   * With `readOnThread`: a client whose GETs are answered with the FASTQ counts of the body
   * instead of the body (`HttpThreadHandler.fastqCounter()`), on `s3Reader`'s thread, for the
   * slices of an object (object-slices.ts).
   */
  s3FastqCounter?: S3Client;
  ddb: DynamoDBDocumentClient;
  ecs: ECSClient;
  sqs: SQSClient;
}

export interface ClientOptions {
  /**
   * Receive job inputs on a thread of their own (`HttpThreadHandler`), so that receiving
   * overlaps with parsing. Pays off only when a second CPU is free to run it.
   * @default false
   */
  readOnThread?: boolean;
  /**
   * Seconds a socket of that thread may go without a byte before its request fails (a
   * `TimeoutError`). Deployments set it from the config (`inputStallSeconds`).
   * @default - the SDK's own
   */
  readStallSeconds?: number;
}

export function createClients(env: NodeJS.ProcessEnv = process.env, options: ClientOptions = {}): Clients {
  const local = Boolean(env.AWS_ENDPOINT_URL);
  const s3 = new S3Client({ forcePathStyle: local });
  const seconds = options.readStallSeconds;
  // Started when first used.
  const thread = options.readOnThread
    ? new HttpThreadHandler(seconds === undefined ? {} : { socketTimeout: seconds * 1000 })
    : undefined;
  return {
    s3,
    s3Reader: thread ? new S3Client({ forcePathStyle: local, requestHandler: thread }) : s3,
    s3FastqCounter: thread
      ? new S3Client({ forcePathStyle: local, requestHandler: thread.fastqCounter() })
      : undefined,
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // The launcher retries a refused RunTask through the launch queue, not by sleeping here.
    ecs: new ECSClient({ maxAttempts: 1 }),
    sqs: new SQSClient({}),
  };
}
