import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseLaunchRequest } from '../../src/runtime/aws/launch-queue.js';
import { launchBatch, type LauncherDeps, type LaunchOutcome } from '../../src/runtime/launcher.js';

/**
 * What the launch queue's event source does once, in this process: a batch of requests to the
 * launcher, then the served ones deleted (a deferred one comes back after its backoff). Returns
 * the outcomes of the requests for `jobId`: tests share the queue, and others' requests may be
 * in the batch.
 */
export async function launchQueued(
  sqs: SQSClient,
  deps: LauncherDeps,
  jobId: string,
): Promise<LaunchOutcome[]> {
  const queueUrl = deps.queue.queueUrl;
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  const messages = (out.Messages ?? []).map((m) => ({
    messageId: m.MessageId!,
    body: m.Body!,
    receiptHandle: m.ReceiptHandle!,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
  }));
  const outcomes = await launchBatch(messages, deps);
  const mine: LaunchOutcome[] = [];
  for (const message of messages) {
    const outcome = outcomes.get(message.messageId)!;
    if (parseLaunchRequest(message.body).jobId === jobId) mine.push(outcome);
    if (outcome !== 'deferred') {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
    }
  }
  return mine;
}
