import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Job, JobStatus } from '../job.js';

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
   * Creates the job, or takes over one whose lease ran out while it was QUEUED or RUNNING (its
   * runner died without a word). Anything else is a repeat of an event already handled.
   */
  async claim(job: Job, now: Date): Promise<{ outcome: ClaimOutcome; job: Job }> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: job,
          ConditionExpression: 'attribute_not_exists(jobId)',
        }),
      );
      return { outcome: 'created', job };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId: job.jobId },
          UpdateExpression:
            'SET #status = :queued, attempts = attempts + :one, leaseUntil = :lease, updatedAt = :now',
          ConditionExpression: '#status IN (:queued, :running) AND leaseUntil < :nowEpoch',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
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
   * Sets fields and moves the job to `status`. A SUCCEEDED job never changes again, so a late or
   * repeated event cannot undo a result. Returns false when the job was already SUCCEEDED.
   */
  async transition(jobId: string, status: JobStatus, fields: Partial<Job>, now: Date): Promise<boolean> {
    const set: Record<string, unknown> = { ...fields, status, updatedAt: now.toISOString() };
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
}
