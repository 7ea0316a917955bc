import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  paginateScan,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { OPEN_JOBS_INDEX } from '../../../contract/names.js';
import { INPUT_ARCHIVED } from '../archive.js';
import { TERMINAL_STATUSES, type Job, type JobStatus } from '../job.js';

/** Keys one BatchGetItem call takes at most. */
const BATCH_GET_MAX_KEYS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type ClaimOutcome = 'created' | 'reclaimed' | 'duplicate';

/** The jobs table, one item per object version, every change a conditional write. */
export class JobsTable {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(jobId: string): Promise<Job | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }),
    );
    return out.Item as Job | undefined;
  }

  /**
   * Which of `jobIds` have an item: BatchGetItem, 100 keys a call (its limit), strongly
   * consistent, fetching the key alone. Keys DynamoDB leaves unprocessed (throttled) are asked
   * again after a short pause.
   */
  async found(jobIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < jobIds.length; start += BATCH_GET_MAX_KEYS) {
      let keys: Record<string, unknown>[] | undefined = [
        ...new Set(jobIds.slice(start, start + BATCH_GET_MAX_KEYS)),
      ].map((jobId) => ({ jobId }));
      for (let round = 0; keys?.length; round++) {
        if (round > 0) await sleep(Math.min(50 * 2 ** round, 2000));
        const out: BatchGetCommandOutput = await this.ddb.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: 'jobId', ConsistentRead: true },
            },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.add(item.jobId as string);
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /**
   * Creates the job, or takes over one whose lease ran out while it was QUEUED or RUNNING (its
   * runner died without a word). Anything else is a repeat of an event already handled. Either
   * way the job is in the open-jobs index from this moment: a dispatcher that dies before its next
   * write leaves a job the sweeper finds once the lease runs out, while the event's retries, which
   * come within the lease, see a duplicate.
   */
  async claim(job: Job, now: Date): Promise<{ outcome: ClaimOutcome; job: Job }> {
    const created: Job = { ...job, open: 'OPEN' };
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: created,
          ConditionExpression: 'attribute_not_exists(jobId)',
        }),
      );
      return { outcome: 'created', job: created };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId: job.jobId },
          UpdateExpression:
            'SET #status = :queued, attempts = attempts + :one, leaseUntil = :lease, updatedAt = :now, #open = :open',
          ConditionExpression: '#status IN (:queued, :running) AND leaseUntil < :nowEpoch',
          ExpressionAttributeNames: { '#status': 'status', '#open': OPEN_JOBS_INDEX.partitionKey },
          ExpressionAttributeValues: {
            ':open': 'OPEN',
            ':queued': 'QUEUED',
            ':running': 'RUNNING',
            ':one': 1,
            ':lease': job.leaseUntil,
            ':now': now.toISOString(),
            ':nowEpoch': Math.floor(now.getTime() / 1000),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'reclaimed', job: out.Attributes as Job };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.get(job.jobId);
    if (!existing) throw new Error(`job ${job.jobId} vanished while being claimed`);
    return { outcome: 'duplicate', job: existing };
  }

  /**
   * Takes over a job that FAILED only because its input was archived, once the input has been
   * restored: a new attempt, QUEUED with `leaseUntil`, without the task of the last one (the
   * launcher starts a task only for a job that has none). Any other job is left as it is (a SUCCEEDED
   * one never runs again, one FAILED for another reason is not re-run this way): `duplicate`
   * with the job as it stands, or `undefined` when there is no job at all.
   */
  async resumeArchived(
    jobId: string,
    leaseUntil: number,
    now: Date,
  ): Promise<{ outcome: 'reclaimed' | 'duplicate'; job: Job } | undefined> {
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression:
            'SET #status = :queued, attempts = attempts + :one, leaseUntil = :lease, #open = :open, updatedAt = :now REMOVE #error, errorCode, finishedAt, taskArn',
          ConditionExpression: '#status = :failed AND errorCode = :archived',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#open': OPEN_JOBS_INDEX.partitionKey,
            '#error': 'error',
          },
          ExpressionAttributeValues: {
            ':queued': 'QUEUED',
            ':failed': 'FAILED',
            ':archived': INPUT_ARCHIVED,
            ':one': 1,
            ':lease': leaseUntil,
            ':open': 'OPEN',
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'reclaimed', job: out.Attributes as Job };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.get(jobId);
    return existing && { outcome: 'duplicate', job: existing };
  }

  /**
   * Sets fields and moves the job to `status`. A SUCCEEDED job never changes again, so a late or
   * repeated event cannot undo a result. Returns false when the job was already SUCCEEDED.
   * A finished job leaves the open-jobs index.
   */
  async transition(jobId: string, status: JobStatus, fields: Partial<Job>, now: Date): Promise<boolean> {
    const finished = TERMINAL_STATUSES.includes(status);
    const set: Record<string, unknown> = {
      ...fields,
      status,
      updatedAt: now.toISOString(),
      open: finished ? undefined : 'OPEN',
      ...(finished ? { leaseUntil: undefined } : {}),
    };
    const remove = Object.keys(set).filter((name) => set[name] === undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':succeeded': 'SUCCEEDED' };
    const assignments: string[] = [];
    for (const [name, value] of Object.entries(set)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      assignments.push(`#${name} = :${name}`);
    }
    for (const name of remove) names[`#${name}`] = name;
    const expression =
      `SET ${assignments.join(', ')}` +
      (remove.length ? ` REMOVE ${remove.map((n) => `#${n}`).join(', ')}` : '');
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(jobId) AND #status <> :succeeded',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Extends a running job's lease; false when the job is no longer RUNNING. */
  async heartbeat(jobId: string, leaseUntil: number, now: Date): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: 'SET leaseUntil = :lease, heartbeatAt = :now',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':lease': leaseUntil,
            ':now': now.toISOString(),
            ':running': 'RUNNING',
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Counts one more attempt of an unfinished job and gives it a new lease, but only if nobody else
   * re-drove it since `seenAttempts` was read: two re-drivers racing start one task, not two.
   */
  async redrive(
    jobId: string,
    seenAttempts: number,
    leaseUntil: number,
    now: Date,
  ): Promise<Job | undefined> {
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression:
            'SET #status = :queued, attempts = :next, leaseUntil = :lease, updatedAt = :now REMOVE taskArn',
          ConditionExpression: '#status IN (:queued, :running) AND attempts = :seen',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':queued': 'QUEUED',
            ':running': 'RUNNING',
            ':seen': seenAttempts,
            ':next': seenAttempts + 1,
            ':lease': leaseUntil,
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Job;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Unfinished jobs whose lease ran out before `now`, oldest first. */
  async listExpired(now: Date, limit = 100): Promise<Job[]> {
    const out = await this.ddb.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OPEN_JOBS_INDEX.name,
        KeyConditionExpression: '#open = :open AND #lease < :now',
        ExpressionAttributeNames: {
          '#open': OPEN_JOBS_INDEX.partitionKey,
          '#lease': OPEN_JOBS_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':open': 'OPEN', ':now': Math.floor(now.getTime() / 1000) },
        Limit: limit,
      }),
    );
    return (out.Items ?? []) as Job[];
  }

  /**
   * Every job, in no order, a page at a time. A scan reads the whole table: right for a console
   * over one pipeline's recent jobs (items expire after the TTL), not for a hot path.
   */
  async *list(): AsyncGenerator<Job> {
    for await (const page of paginateScan({ client: this.ddb }, { TableName: this.tableName })) {
      yield* (page.Items ?? []) as Job[];
    }
  }
}
