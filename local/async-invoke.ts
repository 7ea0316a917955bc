import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { InvocationRecord } from '../src/runtime/on-failure.js';
import type { InvocationReport, LambdaPool } from './lambda-pool.js';

export interface AsyncInvokerOptions {
  pool: LambdaPool;
  sqs: SQSClient;
  /** The on-failure destination: events that failed every attempt. */
  onFailureQueueUrl: string;
  /** Lambda retries a failed asynchronous invocation this many times. @default 2 */
  retries?: number;
  /** Delay before each retry, shorter than Lambda's minutes so a local run stays quick. @default 500 */
  retryDelayMs?: number;
  /** Region in the functions' ARNs. @default 'us-east-1' */
  region?: string;
}

/**
 * Lambda's asynchronous invocation: run, retry on error after a growing delay, and send what
 * still fails to the on-failure destination.
 *
 * Events: `invocation` (InvocationReport), after every attempt.
 */
export class AsyncInvoker extends EventEmitter {
  /** Invocations under way, their retries included. */
  active = 0;
  retried = 0;

  constructor(private readonly options: AsyncInvokerOptions) {
    super();
  }

  async invoke(
    functionName: string,
    bundle: string,
    env: Record<string, string>,
    event: unknown,
  ): Promise<void> {
    const retries = this.options.retries ?? 2;
    this.active++;
    try {
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        const report: InvocationReport = await this.options.pool.invoke(
          functionName,
          bundle,
          env,
          event,
          attempt,
        );
        this.emit('invocation', report);
        if (report.ok) return;
        if (attempt <= retries) {
          this.retried++;
          await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 500) * attempt));
          continue;
        }
        await this.options.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.options.onFailureQueueUrl,
            MessageBody: JSON.stringify(
              invocationRecord(functionArn(functionName, this.options.region), event, attempt, report.error),
            ),
          }),
        );
      }
    } finally {
      this.active--;
    }
  }
}

/** A local function's ARN, in the emulators' account. */
export function functionArn(functionName: string, region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
}

/**
 * The record Lambda sends an on-failure destination after the last retry, field for field
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
export function invocationRecord(
  arn: string,
  event: unknown,
  attempts: number,
  error: string | undefined,
  now = new Date(),
): InvocationRecord {
  return {
    version: '1.0',
    timestamp: now.toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `${arn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: error ?? 'unknown error' },
  };
}
