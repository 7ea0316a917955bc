import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Outputs, RESULTS_PREFIX } from '../../contract/names.js';
import { RESULT_DOCUMENT, RESULTS_TABLE } from '../../contract/result-schema.js';
import { DEFAULTS } from '../../lib/config.js';
import { ResultsQuery, type ResultsQueryProps } from '../../lib/constructs/results-query.js';
import { DataBucket } from '../../lib/constructs/storage.js';
import { glueColumns } from '../../lib/hive-types.js';
import { nagFindings, resourceNamed, synthPipeline, testStack } from './synth.js';

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
