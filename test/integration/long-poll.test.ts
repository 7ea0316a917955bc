/**
 * The local cloud's SQS long polls end when the cloud stops, not when their wait is over: against
 * the emulator, which holds a receive on an empty queue for its whole wait, as SQS does.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../local/emulator.js';
import { receiveUntilStopped } from '../../local/long-poll.js';
import { localClientConfig } from '../../local/resources.js';

let emulator: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  sqs = new SQSClient(localClientConfig(emulator.endpoint, 'us-east-1'));
});
afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

async function queue(name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
}

describe('receiveUntilStopped', () => {
  // Far longer than the test may take: only the stop can end this poll in time.
  const wait = { WaitTimeSeconds: 20 };

  it('ends a poll that is waiting when the stop comes, with no messages', { timeout: 10_000 }, async () => {
    const url = await queue('poll-stopped');
    const stopping = new AbortController();
    const polled = receiveUntilStopped(sqs, { QueueUrl: url, ...wait }, stopping.signal);
    let settled = false;
    void polled.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false); // still waiting on the emulator
    stopping.abort();
    await expect(polled).resolves.toEqual([]);
  });

  it('returns the messages a poll receives', async () => {
    const url = await queue('poll-received');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    const messages = await receiveUntilStopped(sqs, { QueueUrl: url, ...wait }, new AbortController().signal);
    expect(messages.map((m) => m.Body)).toEqual(['hello']);
  });

  it('does not poll once stopped', async () => {
    const url = await queue('poll-after-stop');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'left for the next start' }));
    const messages = await receiveUntilStopped(sqs, { QueueUrl: url, ...wait }, AbortSignal.abort());
    expect(messages).toEqual([]);
    const next = await receiveUntilStopped(sqs, { QueueUrl: url }, new AbortController().signal);
    expect(next.map((m) => m.Body)).toEqual(['left for the next start']);
  });

  it('fails as the request does when the cloud is not stopping', async () => {
    await expect(
      receiveUntilStopped(
        sqs,
        { QueueUrl: `${emulator.endpoint}/123456789012/no-such-queue` },
        new AbortController().signal,
      ),
    ).rejects.toThrow(/queue/i);
  });
});
