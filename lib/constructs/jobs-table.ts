import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Env } from '../contract.js';
import type { EnvConsumer } from './binding.js';

/** Name of the attribute DynamoDB's TTL reads (epoch seconds; see src/runtime/job.ts `expiresAt`). */
export const JOBS_TTL_ATTRIBUTE = 'expiresAt';

/** What a consumer may do with job items. */
export enum JobsAccess {
  /** Create, read and update jobs (the dispatcher). */
  READ_WRITE = 'readWrite',
  /** Read and update existing jobs only: `GetItem` and `UpdateItem` (worker, task-state listener). */
  UPDATE = 'update',
}

export interface JobsTableProps {
  /**
   * What happens to the table when the stack is deleted. With `RETAIN` the table also gets
   * deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One item per job (partition key `jobId`), on demand, point-in-time recovery, TTL on `expiresAt`. */
export class JobsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: JobsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new dynamodb.Table(this, 'Resource', {
      partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: JOBS_TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
  }

  /** Grants `access` on the table's items without telling the consumer the table name. */
  grant(grantee: iam.IGrantable, access: JobsAccess): iam.Grant {
    return access === JobsAccess.READ_WRITE
      ? this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem')
      : this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /** Sets `JOBS_TABLE` on the consumer and grants it `access`. */
  bind(consumer: EnvConsumer, access: JobsAccess): iam.Grant {
    consumer.addEnvironment(Env.JOBS_TABLE, this.table.tableName);
    return this.grant(consumer, access);
  }
}
