import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { decodeEventKey } from '../src/runtime/keys.js';
import { receiveUntilStopped } from './long-poll.js';

export interface RestoreClockOptions {
  s3: S3Client;
  sqs: SQSClient;
  /** Where the emulator puts its notices of requested restores (`s3:ObjectRestore:Post`). */
  queueUrl: string;
  /** How long the emulator takes over each step of a restore (resources.ts sets it). */
  restoreSeconds: number;
}

/**
 * S3's side of a restore, for the moto cloud. S3 completes a restore on its own and then sends
 * `s3:ObjectRestore:Completed`; moto moves a restore on only when the object is read. So, for
 * each restore requested under incoming/, this reads the object until moto reports it done, at
 * which read moto sends the Completed event to the bucket's notification queue, as S3 would.
 */
export class RestoreClock {
  private running = false;
  private stopping = new AbortController();
  private loop?: Promise<void>;
  private readonly waiting = new Set<Promise<void>>();

  constructor(private readonly options: RestoreClockOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.receive();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled([...this.waiting]);
  }

  private async receive(): Promise<void> {
    const { sqs, queueUrl } = this.options;
    while (this.running) {
      const messages = await receiveUntilStopped(
        sqs,
        { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 },
        this.stopping.signal,
      );
      for (const message of messages) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        const event = JSON.parse(message.Body ?? '{}') as Partial<S3Event>;
        for (const record of event.Records ?? []) {
          const work = this.complete(record.s3.bucket.name, decodeEventKey(record.s3.object.key));
          this.waiting.add(work);
          void work.finally(() => this.waiting.delete(work)).catch(() => undefined);
        }
      }
    }
  }

  /**
   * Reads the object until its restore has been seen under way and then done. Moto restores the
   * latest version whatever version was asked for, so the latest is read. Gives up after a bound
   * (a restore someone else's read completed first, or the object deleted meanwhile).
   */
  private async complete(bucket: string, key: string): Promise<void> {
    const stepMs = this.options.restoreSeconds * 1000;
    const deadline = Date.now() + 10 * stepMs + 10_000;
    let underWay = false;
    while (this.running && Date.now() < deadline) {
      await sleep(Math.max(100, stepMs / 4));
      const head = await this.options.s3
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .catch(() => undefined);
      const restore = head?.Restore ?? '';
      if (restore.includes('ongoing-request="true"')) underWay = true;
      else if (underWay && restore.includes('ongoing-request="false"')) return;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
