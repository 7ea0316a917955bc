import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients built the same way everywhere. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL` (set by the local cloud and the tests); S3 then needs path-style addressing
 * because emulators on 127.0.0.1 have no per-bucket host names.
 */
export interface Clients {
  s3: S3Client;
  ddb: DynamoDBDocumentClient;
  ecs: ECSClient;
  sqs: SQSClient;
}

export function createClients(env: NodeJS.ProcessEnv = process.env): Clients {
  return {
    s3: new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL) }),
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // The launcher retries a refused RunTask through the launch queue, not by sleeping here.
    ecs: new ECSClient({ maxAttempts: 1 }),
    sqs: new SQSClient({}),
  };
}
