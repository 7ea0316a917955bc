import {
  ReceiveMessageCommand,
  type Message,
  type ReceiveMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * One SQS long poll that a stop cuts short: the messages received, or none once `stopping` aborts.
 * The local cloud's pollers wait up to a second each for messages; waiting for every poll to end
 * took 2.6 s of each stop. A poll cut short may have taken messages that SQS then delivers again
 * after their visibility timeout, as it would after any lost answer.
 */
export async function receiveUntilStopped(
  sqs: SQSClient,
  input: ReceiveMessageCommandInput,
  stopping: AbortSignal,
): Promise<Message[]> {
  if (stopping.aborted) return [];
  try {
    const out = await sqs.send(new ReceiveMessageCommand(input), { abortSignal: stopping });
    return out.Messages ?? [];
  } catch (error) {
    if (stopping.aborted) return [];
    throw error;
  }
}
