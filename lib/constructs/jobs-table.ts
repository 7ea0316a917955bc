import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Env, JOBS_TTL_ATTRIBUTE, OPEN_JOBS_INDEX } from '../../contract/names.js';
import type { EnvConsumer } from './binding.js';
import { acknowledgeCheckov } from './scanners.js';

export { JOBS_TTL_ATTRIBUTE };

/** What a consumer may do with job items. */
export enum JobsAccess {
  /** Create, read and update jobs (the dispatcher). */
  READ_WRITE = 'readWrite',
  /** Read and update existing jobs only: `GetItem` and `UpdateItem` (worker, task-state listener). */
  UPDATE = 'update',
  /** `UPDATE` plus querying the open-jobs index for expired leases (the sweeper). */
  SWEEP = 'sweep',
}

const ACTIONS: Record<JobsAccess, string[]> = {
  [JobsAccess.READ_WRITE]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  [JobsAccess.UPDATE]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  [JobsAccess.SWEEP]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
};

export interface JobsTableProps {
  /**
   * What happens to the table when the stack is deleted. With `RETAIN` the table also gets
   * deletion protection.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One item per job (partition key `jobId`), on demand, point-in-time recovery, TTL on `expiresAt`,
 * and the sparse open-jobs index (`OPEN_JOBS_INDEX`) that only unfinished jobs appear in.
 */
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
    this.table.addGlobalSecondaryIndex({
      indexName: OPEN_JOBS_INDEX.name,
      partitionKey: { name: OPEN_JOBS_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OPEN_JOBS_INDEX.sortKey, type: dynamodb.AttributeType.NUMBER },
      // The sweeper re-drives straight from the query result.
      projectionType: dynamodb.ProjectionType.ALL,
    });
    acknowledgeCheckov(
      this.table,
      'CKV_AWS_119',
      'Encrypted at rest with the AWS managed key (aws/dynamodb). Items hold job state (object key and size, route, status, lease, attempts, error message), never file contents, and access is by IAM on this table alone; a customer managed key would add a second policy without a reader it keeps out.',
    );
  }

  /**
   * Grants `access` on the table's items. Item actions go to the table alone (`table.grant`
   * would add every index too); only the sweeper may query, and only the open-jobs index.
   */
  grant(grantee: iam.IGrantable, access: JobsAccess): iam.Grant {
    const items = iam.Grant.addToPrincipal({
      grantee,
      actions: ACTIONS[access],
      resourceArns: [this.table.tableArn],
    });
    if (access !== JobsAccess.SWEEP) return items;
    return items.combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: [`${this.table.tableArn}/index/${OPEN_JOBS_INDEX.name}`],
      }),
    );
  }

  /** Sets `JOBS_TABLE` on the consumer and grants it `access`. */
  bind(consumer: EnvConsumer, access: JobsAccess): iam.Grant {
    consumer.addEnvironment(Env.JOBS_TABLE, this.table.tableName);
    return this.grant(consumer, access);
  }
}
