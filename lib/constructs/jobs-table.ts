import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { Env, JOBS_TTL_ATTRIBUTE, OPEN_JOBS_INDEX } from '../../contract/names.js';
import type { EnvConsumer } from './binding.js';
import { acknowledgeCheckov } from './scanners.js';

/** What a consumer may do with job items. */
export enum JobsAccess {
  /** Read jobs only: `GetItem` and `BatchGetItem` (the reconciler, which asks whether uploads have a job). */
  READ = 'read',
  /** Create, read and update jobs (the dispatcher). */
  READ_WRITE = 'readWrite',
  /** Read and update existing jobs only: `GetItem` and `UpdateItem` (worker, task-state listener). */
  UPDATE = 'update',
  /** `UPDATE` plus querying the open-jobs index for expired leases (the sweeper). */
  SWEEP = 'sweep',
}

const ACTIONS: Record<JobsAccess, string[]> = {
  [JobsAccess.READ]: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
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
 * The jobs table as its users reach it: item access by `JobsAccess`, the table name in `JOBS_TABLE`.
 * `JobsTable` creates one; `JobsTable.fromTable` wraps a table of your own.
 */
export interface IJobsTable extends IConstruct {
  readonly table: dynamodb.ITable;
  /** Grants `access` on the table's items (and, for `SWEEP`, queries of the open-jobs index). */
  grant(grantee: iam.IGrantable, access: JobsAccess): iam.Grant;
  /** Sets `JOBS_TABLE` on the consumer and grants it `access`. */
  bind(consumer: EnvConsumer, access: JobsAccess): iam.Grant;
}

/** The grants, for a table created here or brought in. */
abstract class JobsTableBase extends Construct implements IJobsTable {
  abstract readonly table: dynamodb.ITable;

  /**
   * Grants `access` on the table's items. Item actions go to the table alone (`table.grant`
   * would add every index too); only the sweeper may query, and only the open-jobs index. A table
   * under a customer managed key also gets the key's decrypt, and its encrypt for every access
   * but `READ`, as those write.
   */
  grant(grantee: iam.IGrantable, access: JobsAccess): iam.Grant {
    let grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ACTIONS[access],
      resourceArns: [this.table.tableArn],
    });
    if (access === JobsAccess.SWEEP) {
      grant = grant.combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['dynamodb:Query'],
          resourceArns: [`${this.table.tableArn}/index/${OPEN_JOBS_INDEX.name}`],
        }),
      );
    }
    const key = this.table.encryptionKey;
    if (!key) return grant;
    return grant.combine(
      access === JobsAccess.READ ? key.grantDecrypt(grantee) : key.grantEncryptDecrypt(grantee),
    );
  }

  /** Sets `JOBS_TABLE` on the consumer and grants it `access`. */
  bind(consumer: EnvConsumer, access: JobsAccess): iam.Grant {
    consumer.addEnvironment(Env.JOBS_TABLE, this.table.tableName);
    return this.grant(consumer, access);
  }
}

/**
 * One item per job (partition key `jobId`), on demand, point-in-time recovery, TTL on `expiresAt`,
 * and the sparse open-jobs index (`OPEN_JOBS_INDEX`) that only unfinished jobs appear in.
 */
export class JobsTable extends JobsTableBase {
  /**
   * A table of your own as the jobs table. It needs the schema `JobsTable` creates: partition key
   * `jobId` (string), TTL on `JOBS_TTL_ATTRIBUTE`, and the `OPEN_JOBS_INDEX` index with its keys.
   */
  static fromTable(scope: Construct, id: string, table: dynamodb.ITable): IJobsTable {
    class Import extends JobsTableBase {
      readonly table = table;
    }
    return new Import(scope, id);
  }

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
}
