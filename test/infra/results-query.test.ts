import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Outputs, RESULTS_PREFIX } from '../../contract/names.js';
import { RESULT_DOCUMENT, RESULTS_TABLE } from '../../contract/result-schema.js';
import { DEFAULTS } from '../../lib/config.js';
import { ResultsQuery, type ResultsQueryProps } from '../../lib/constructs/results-query.js';
import { DataBucket } from '../../lib/constructs/storage.js';
import { glueColumns } from '../../lib/hive-types.js';
import { actionsOf, nagFindings, resourceNamed, roleStatements, synthPipeline, testStack } from './synth.js';

function build(props: Partial<ResultsQueryProps> = {}) {
  const stack = testStack('Query');
  const data = new DataBucket(stack, 'Data');
  const query = new ResultsQuery(stack, 'ResultsQuery', {
    dataBucket: data,
    accessLogsBucket: data.accessLogsBucket,
    ...props,
  });
  return { stack, data, query, template: Template.fromStack(stack) };
}

describe('ResultsQuery', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  });

  it('creates a Glue database named after the stack', () => {
    built.template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'query' },
    });
  });

  it('puts the results table over results/ in it, its columns generated from the result schema', () => {
    const [databaseId] = resourceNamed(built.template, 'AWS::Glue::Database', 'ResultsQueryDatabase');
    const bucketId = built.stack.getLogicalId(built.data.bucket.node.defaultChild as never);
    built.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: { Ref: databaseId },
      TableInput: {
        Name: RESULTS_TABLE,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: Match.absent(),
        StorageDescriptor: {
          Location: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/${RESULTS_PREFIX}`]] },
          Columns: glueColumns(RESULT_DOCUMENT).map((c) => ({ Name: c.name, Type: c.type })),
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            Parameters: { 'case.insensitive': 'TRUE' },
          },
        },
      },
    });
  });

  it('runs queries in a workgroup that enforces encrypted outputs and the default scan limit', () => {
    const [outputId] = resourceNamed(built.template, 'AWS::S3::Bucket', 'ResultsQueryQueryOutput');
    built.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'Query-results',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: DEFAULTS.queryScanLimitBytes,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: outputId }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      },
    });
  });

  it('keeps query outputs in a private, encrypted, TLS-only, access-logged bucket for 7 days', () => {
    const [outputId] = resourceNamed(built.template, 'AWS::S3::Bucket', 'ResultsQueryQueryOutput');
    const logsId = built.stack.getLogicalId(built.data.accessLogsBucket.node.defaultChild as never);
    const output = built.template.findResources('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'query-results/' },
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
      },
    });
    expect(Object.keys(output)).toEqual([outputId]);
    built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: outputId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('retains the catalog, the workgroup and the outputs by default', () => {
    for (const type of [
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::Athena::WorkGroup',
      'AWS::S3::Bucket',
    ])
      for (const resource of Object.values(built.template.findResources(type)))
        expect(resource.DeletionPolicy, type).toBe('Retain');
  });

  it('removes the workgroup with its history when the stack removes its resources', () => {
    build({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResourceProperties('AWS::Athena::WorkGroup', {
      RecursiveDeleteOption: true,
    });
  });

  it('has no cdk-nag finding', () => {
    expect(nagFindings(built.query)).toEqual([]);
  });

  it('refuses a scan limit Athena would refuse', () => {
    expect(() => build({ bytesScannedCutoffPerQuery: 1_000_000 })).toThrowError(
      /^\[Query\/ResultsQuery\] bytesScannedCutoffPerQuery must be a whole number of at least 10000000; got 1000000$/,
    );
  });

  it('refuses a database name Athena cannot query', () => {
    expect(() => build({ databaseName: 'My-Results' })).toThrowError(
      /^\[Query\/ResultsQuery\] databaseName must be 1 to 255 lower-case letters, digits or _; got 'My-Results'$/,
    );
  });

  it('refuses a workgroup name Athena refuses', () => {
    expect(() => build({ workGroupName: 'my results' })).toThrowError(
      /^\[Query\/ResultsQuery\] workGroupName must be 1 to 128 letters, digits, \., _ or -; got 'my results'$/,
    );
  });
});

describe('ResultsQuery.grantQuery', () => {
  function granted() {
    const stack = testStack('Query');
    const data = new DataBucket(stack, 'Data');
    const query = new ResultsQuery(stack, 'ResultsQuery', {
      dataBucket: data,
      accessLogsBucket: data.accessLogsBucket,
    });
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    query.grantQuery(analyst);
    return { stack, analyst, template: Template.fromStack(stack) };
  }

  it('lets the grantee run queries in the workgroup, read the table and results/, and use the outputs, nothing else', () => {
    const { template } = granted();
    const statements = roleStatements(template, 'Analyst');
    const byAction = statements.flatMap((s) =>
      actionsOf(s).map((action): [string, string] => [action, JSON.stringify(s.Resource)]),
    );
    expect(byAction.map(([action]) => action).sort()).toEqual(
      [
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetWorkGroup',
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'glue:GetDatabase',
        'glue:GetPartitions',
        'glue:GetTable',
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucket',
        's3:ListMultipartUploadParts',
        's3:PutObject',
      ].sort(),
    );
    for (const [action, resource] of byAction) {
      if (action.startsWith('athena:')) expect(resource).toContain(':workgroup/Query-results');
      if (action === 's3:PutObject') expect(resource).toContain('ResultsQueryQueryOutput');
      expect(resource, action).not.toBe('"*"');
    }
    const dataReads = statements.filter((s) => JSON.stringify(s.Resource).includes(`/${RESULTS_PREFIX}*`));
    expect(dataReads.flatMap(actionsOf)).toEqual(['s3:GetObject']);
    const listing = statements.find((s) => s.Condition !== undefined);
    expect(listing?.Condition).toEqual({ StringLike: { 's3:prefix': `${RESULTS_PREFIX}*` } });
  });

  it('acknowledges the two prefix wildcards it needs, and leaves no other finding', () => {
    const { stack } = granted();
    expect(nagFindings(stack)).toEqual([]);
    expect(nagFindings(stack, { ignoreAcknowledgements: true }).map((f) => f.id)).toEqual([
      `AwsSolutions-IAM5[Resource::<Data2D4B752F.Arn>/${RESULTS_PREFIX}*]`,
      'AwsSolutions-IAM5[Resource::<ResultsQueryQueryOutput8F4D7B9C.Arn>/*]',
    ]);
  });
});

describe('the stack’s results query', () => {
  it('takes its scan limit from the config and says where to query', () => {
    const { template } = synthPipeline({ queryScanLimitBytes: 50_000_000 });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'S3Pipeline-sandbox-results',
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 50_000_000 },
    });
    template.hasOutput(Outputs.QUERY_DATABASE_NAME, { Value: 's3pipeline_sandbox' });
    template.hasOutput(Outputs.QUERY_WORKGROUP_NAME, { Value: 'S3Pipeline-sandbox-results' });
  });
});
