import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RESULTS_PREFIX } from '../../contract/names.js';
import { RESULT_DOCUMENT, RESULT_SCHEMA_VERSION, RESULTS_TABLE } from '../../contract/result-schema.js';
import { DEFAULTS, MIN_QUERY_SCAN_LIMIT_BYTES } from '../config.js';
import { glueColumns } from '../hive-types.js';
import { acknowledgePolicyFinding, nagResource } from './nag.js';
import { acknowledgeCheckov } from './scanners.js';
import type { IDataBucket } from './storage.js';
import { checkWholeNumber, PropValidationError } from './validation.js';

export interface ResultsQueryProps {
  /** The bucket whose `results/` the table reads. */
  readonly dataBucket: IDataBucket;
  /** Receives the server access logs of the query-output bucket, under `query-results/`. */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * Name of the Glue database holding the results table (Athena wants lower case, digits and `_`).
   * @default - the stack name in lower case, other characters as `_` (`s3pipeline_sandbox`)
   */
  readonly databaseName?: string;
  /**
   * Name of the Athena workgroup queries run in.
   * @default - `<stack name>-results`
   */
  readonly workGroupName?: string;
  /**
   * Bytes one query may scan before Athena cancels it (at least 10,000,000), a bound on its cost.
   * @default 1,000,000,000 (context key `queryScanLimitBytes` in lib/config.ts)
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Days Athena's query outputs are kept in the query-output bucket.
   * @default 7
   */
  readonly queryOutputExpirationDays?: number;
  /**
   * What happens to the database, table, workgroup (with its query history) and the query-output
   * bucket when the stack is deleted. `DESTROY` also empties the bucket.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The results, queryable where they lie: a Glue table over `results/` whose columns are the
 * result schema's (contract/result-schema.ts), and an Athena workgroup that enforces its own
 * settings: encrypted outputs in a private, TLS-only, access-logged bucket, and a per-query limit
 * on bytes scanned.
 *
 * The table has no partitions: result keys are the uploaders' own paths, with no fixed level
 * (a date, a run) to project, and a result is a few kilobytes, so a query of every result costs
 * little; the per-query limit bounds it.
 */
export class ResultsQuery extends Construct {
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;
  /** Where Athena writes query outputs. */
  readonly outputBucket: s3.Bucket;
  readonly databaseName: string;
  readonly workGroupName: string;
  private readonly dataBucket: IDataBucket;

  constructor(scope: Construct, id: string, props: ResultsQueryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.dataBucket = props.dataBucket;
    const cutoff = checkWholeNumber(
      this,
      'bytesScannedCutoffPerQuery',
      props.bytesScannedCutoffPerQuery ?? DEFAULTS.queryScanLimitBytes,
      MIN_QUERY_SCAN_LIMIT_BYTES,
    );
    const expirationDays = checkWholeNumber(
      this,
      'queryOutputExpirationDays',
      props.queryOutputExpirationDays ?? 7,
      1,
    );
    this.databaseName = props.databaseName ?? stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    if (!Token.isUnresolved(this.databaseName) && !/^[a-z0-9_]{1,255}$/.test(this.databaseName)) {
      throw new PropValidationError(
        'databaseName',
        this.databaseName,
        '1 to 255 lower-case letters, digits or _',
        this,
      );
    }
    this.workGroupName = props.workGroupName ?? `${stack.stackName}-results`;
    if (!Token.isUnresolved(this.workGroupName) && !/^[a-zA-Z0-9._-]{1,128}$/.test(this.workGroupName)) {
      throw new PropValidationError(
        'workGroupName',
        this.workGroupName,
        '1 to 128 letters, digits, ., _ or -',
        this,
      );
    }

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'Results of the S3 pipeline' },
    });
    this.database.applyRemovalPolicy(removalPolicy);

    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      // The database's name by reference, so the table is created after it.
      databaseName: this.database.ref,
      tableInput: {
        name: RESULTS_TABLE,
        description: `One row per result document under ${RESULTS_PREFIX} (docs/result-schema.md)`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          EXTERNAL: 'TRUE',
          'pipeline.resultSchemaVersion': String(RESULT_SCHEMA_VERSION),
        },
        storageDescriptor: {
          location: `s3://${props.dataBucket.bucket.bucketName}/${RESULTS_PREFIX}`,
          // One document per line (the runtime writes a result as one line).
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // Hive's names are lower case; the documents' are camelCase.
            parameters: { 'case.insensitive': 'TRUE' },
          },
          columns: glueColumns(RESULT_DOCUMENT),
        },
      },
    });
    this.table.applyRemovalPolicy(removalPolicy);

    this.outputBucket = new s3.Bucket(this, 'QueryOutput', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'query-results/',
      lifecycleRules: [
        { id: 'expire-query-output', expiration: Duration.days(expirationDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledgeCheckov(
      this.outputBucket,
      'CKV_AWS_21',
      'Athena writes each query output once, under a new key, and it expires within days: versions would keep nothing anyone reads.',
    );

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Queries of the ${RESULTS_TABLE} table in ${this.databaseName}`,
      state: 'ENABLED',
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        // Clients cannot send outputs elsewhere, unencrypted, or lift the limit.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.outputBucket.bucketName}/`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(removalPolicy);
  }

  /**
   * Lets the grantee query the results in the workgroup and nothing more: run and read its own
   * queries there, read the table's definition, read the objects under `results/` (and list that
   * prefix), and write and read the workgroup's outputs. A data bucket under a customer managed
   * key also lets it decrypt with the key.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const arn = (service: string, resource: string, resourceName?: string) =>
      stack.formatArn({ service, resource, resourceName });
    const bucket = this.dataBucket.bucket;
    const results = bucket.arnForObjects(`${RESULTS_PREFIX}*`);
    const outputs = this.outputBucket.arnForObjects('*');
    const statements: Omit<iam.GrantOnPrincipalOptions, 'grantee'>[] = [
      {
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resourceArns: [arn('athena', 'workgroup', this.workGroupName)],
      },
      {
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resourceArns: [
          arn('glue', 'catalog'),
          arn('glue', 'database', this.databaseName),
          arn('glue', 'table', `${this.databaseName}/${RESULTS_TABLE}`),
        ],
      },
      { actions: ['s3:GetObject'], resourceArns: [results] },
      {
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${RESULTS_PREFIX}*` } },
      },
      {
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resourceArns: [outputs],
      },
      { actions: ['s3:GetBucketLocation', 's3:ListBucket'], resourceArns: [this.outputBucket.bucketArn] },
    ];
    const grant = statements
      .map((statement) => iam.Grant.addToPrincipal({ grantee, ...statement }))
      .reduce((all, next) => all.combine(next));
    acknowledgePolicyFinding(
      grantee,
      `AwsSolutions-IAM5[Resource::${nagResource(this, results)}]`,
      `Result keys mirror the upload keys: a query reads every object under ${RESULTS_PREFIX} of the data bucket and nothing else.`,
    );
    acknowledgePolicyFinding(
      grantee,
      `AwsSolutions-IAM5[Resource::${nagResource(this, outputs)}]`,
      'Athena names each query output itself, in the bucket that holds nothing but query outputs.',
    );
    const key = bucket.encryptionKey;
    return key ? grant.combine(key.grantDecrypt(grantee)) : grant;
  }
}
