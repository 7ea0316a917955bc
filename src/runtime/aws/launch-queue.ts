import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A job waiting for a worker task: which job, and which of its attempts the task is for. */
export interface LaunchRequest {
  jobId: string;
  attempt: number;
}

/** SQS's longest delay of a new message, in seconds. */
const MAX_DELAY_SECONDS = 900;

/** The launch request in a message body; throws on anything else (the body crossed a process). */
export function parseLaunchRequest(body: string): LaunchRequest {
  const value = JSON.parse(body) as Partial<LaunchRequest>;
  if (typeof value.jobId !== 'string' || !/^[0-9a-f]{32}$/.test(value.jobId))
    throw new Error(`not a launch request (jobId): ${body.slice(0, 200)}`);
  if (!Number.isInteger(value.attempt) || value.attempt! < 1)
    throw new Error(`not a launch request (attempt): ${body.slice(0, 200)}`);
  return { jobId: value.jobId, attempt: value.attempt! };
}

/**
 * The launch queue: where a job routed to ECS waits for a worker task, between the dispatcher (or
 * a re-driver) that asks and the launcher that starts tasks as fast as ECS and the cap allow.
 */
export class LaunchQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
  ) {}

  /** Asks for a task for this attempt of the job, after `delaySeconds` (a backoff, at most 15 min). */
  async request(request: LaunchRequest, delaySeconds = 0): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(request),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }

  /** A request received but not served yet comes back after `seconds` instead of the queue's timeout. */
  async defer(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.round(seconds)),
      }),
    );
  }
}
