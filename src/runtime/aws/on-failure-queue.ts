import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ResubmitDeps } from '../on-failure.js';

/** The on-failure queue as `resubmitOnFailure` reads it. */
export function onFailureQueue(
  sqs: SQSClient,
  queueUrl: string,
  /** How long a received message stays hidden: longer than one run, so a run sees it once. */
  visibilitySeconds = 300,
): Pick<ResubmitDeps, 'receive' | 'delete'> {
  return {
    async receive() {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: visibilitySeconds,
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        id: m.MessageId!,
        body: m.Body ?? '',
        receiptHandle: m.ReceiptHandle!,
      }));
    },
    async delete(message) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
    },
  };
}
