import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EventEmitter } from 'node:events';
import type { InvocationReport, LambdaPool } from './lambda-pool.js';
import { receiveUntilStopped } from './long-poll.js';

export interface SqsEventSourceOptions {
  pool: LambdaPool;
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  bundle: string;
  env: Record<string, string>;
  /** Messages per invocation, as the mapping's `batchSize`. @default 10 */
  batchSize?: number;
  /** Invocations at once, as the mapping's `maxConcurrency`. @default 2 */
  maxConcurrency?: number;
}

/**
 * Lambda's SQS event source mapping, for the launch queue: pollers receive batches and invoke the
 * function synchronously with an SQS event; the messages of a batch are deleted when it succeeds,
 * except those it reports in `batchItemFailures`, which SQS delivers again once their visibility
 * timeout (the one the function set, or the queue's) has passed. A batch whose invocation fails
 * comes back whole.
 *
 * Events: `invocation` (InvocationReport), after every invocation.
 */
export class SqsEventSource extends EventEmitter {
  private running = false;
  private stopping = new AbortController();
  private pollers: Promise<void>[] = [];

  constructor(private readonly options: SqsEventSourceOptions) {
    super();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.pollers = Array.from({ length: this.options.maxConcurrency ?? 2 }, () => this.poll());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.pollers);
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl } = this.options;
    while (this.running) {
      const messages = await receiveUntilStopped(
        sqs,
        {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: this.options.batchSize ?? 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        },
        this.stopping.signal,
      );
      if (messages.length === 0) continue;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.MessageId,
          receiptHandle: m.ReceiptHandle,
          body: m.Body,
          attributes: m.Attributes ?? {},
          messageAttributes: {},
          md5OfBody: m.MD5OfBody,
          eventSource: 'aws:sqs',
          eventSourceARN: this.options.queueArn,
          awsRegion: queueUrl.split('.')[1] ?? 'us-east-1',
        })),
      };
      const report: InvocationReport = await this.options.pool.invoke(
        this.options.functionName,
        this.options.bundle,
        this.options.env,
        event,
      );
      this.emit('invocation', report);
      if (!report.ok) continue;
      const failed = new Set(
        (
          (report.result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)
            ?.batchItemFailures ?? []
        ).map((f) => f.itemIdentifier),
      );
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  }
}
