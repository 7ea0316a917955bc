import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EventEmitter } from 'node:events';
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
            MessageBody: JSON.stringify({
              version: '1.0',
              timestamp: new Date().toISOString(),
              requestContext: {
                functionArn: functionName,
                condition: 'RetriesExhausted',
                approximateInvokeCount: attempt,
              },
              requestPayload: event,
              responsePayload: { errorMessage: report.error },
            }),
          }),
        );
      }
    } finally {
      this.active--;
    }
  }
}
