import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Event } from 'aws-lambda';

/**
 * Hands an S3 event to the dispatcher as S3 does: an asynchronous invocation, so the event gets
 * Lambda's retries and the on-failure destination, and the caller does not wait for the job.
 * Throws unless Lambda accepted the event (HTTP 202).
 */
export function dispatcherSubmitter(
  lambda: LambdaClient,
  functionName: string,
): (event: S3Event) => Promise<void> {
  return async (event) => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (out.StatusCode !== 202) {
      throw new Error(`the dispatcher ${functionName} did not accept the event (status ${out.StatusCode})`);
    }
  };
}
