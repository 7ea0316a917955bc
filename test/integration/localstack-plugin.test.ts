/**
 * The project's LocalStack plugin, in LocalStack's host mode: the CloudFormation providers make
 * real (emulated) ECS, EFS, Glue and Athena resources, custom resources run their function through the process
 * executor and report its answer, and the deploy step refuses a resource LocalStack left hollow.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeClustersCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEmulatorInstalled } from '../../local/emulators.js';
import { refuseHollowResources } from '../../local/localstack/deploy.js';
import { startLocalStackHost, type LocalStackServer } from '../../local/localstack/server.js';
import { localClientConfig } from '../../local/resources.js';
import { glueColumns } from '../../lib/hive-types.js';
import { RESULT_DOCUMENT, RESULTS_TABLE } from '../../contract/result-schema.js';

const region = 'us-east-1';
let dir: string;
let server: LocalStackServer;
let cfn: CloudFormationClient;

beforeAll(async () => {
  ensureEmulatorInstalled('localstack');
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-localstack-plugin-'));
  server = await startLocalStackHost({
    port: 0,
    stateDir: path.join(dir, 'filesystem'),
    logFile: path.join(dir, 'localstack.log'),
    pluginEnv: { PIPELINE_LAMBDA_LOG_DIR: dir },
  });
  cfn = new CloudFormationClient(config());
}, 120_000);

afterAll(async () => {
  cfn?.destroy();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function config() {
  return localClientConfig(server.endpoint, region);
}

/** Creates the stack and waits; returns its status, reason and outputs. */
async function deploy(
  name: string,
  resources: Record<string, unknown>,
  outputs: Record<string, unknown> = {},
) {
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: JSON.stringify({ Resources: resources, Outputs: outputs }),
    }),
  );
  await waitUntilStackCreateComplete(
    { client: cfn, maxWaitTime: 120, minDelay: 1 },
    { StackName: name },
  ).catch(() => undefined);
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
  return {
    status: stack.StackStatus,
    reason: stack.StackStatusReason,
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue])),
  };
}

/** An inline Python 3.13 function that answers a custom resource, as CDK's own handler does. */
function answeringFunction(status: 'SUCCESS' | 'FAILED') {
  const code = [
    'import json, urllib.request',
    'def handler(event, context):',
    `    body = {"Status": "${status}", "Reason": "no thanks", "PhysicalResourceId": "greeter-1",`,
    '            "StackId": event["StackId"], "RequestId": event["RequestId"],',
    '            "LogicalResourceId": event["LogicalResourceId"],',
    '            "Data": {"Greeting": "hello " + event["ResourceProperties"]["Name"],',
    '                     "Enabled": event["ResourceProperties"]["Enabled"]}}',
    '    request = urllib.request.Request(event["ResponseURL"], data=json.dumps(body).encode(), method="PUT")',
    '    urllib.request.urlopen(request).read()',
  ].join('\n');
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Runtime: 'python3.13',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/custom-resource',
      Timeout: 30,
      Code: { ZipFile: code },
    },
  };
}

describe('the LocalStack plugin', () => {
  it('creates the ECS and EFS resources of a template in the emulated APIs', async () => {
    const stack = await deploy(
      'ecs-efs',
      {
        Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            Family: 'worker',
            Cpu: '1024',
            Memory: '2048',
            NetworkMode: 'awsvpc',
            RequiresCompatibilities: ['FARGATE'],
            ContainerDefinitions: [
              { Name: 'worker', Image: 'w:1', Environment: [{ Name: 'A', Value: '1' }] },
            ],
          },
        },
        Files: { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true } },
        Point: {
          Type: 'AWS::EFS::AccessPoint',
          Properties: {
            FileSystemId: { Ref: 'Files' },
            PosixUser: { Uid: '1000', Gid: '1000' },
            RootDirectory: {
              Path: '/shared',
              CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' },
            },
          },
        },
      },
      {
        ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] } },
        Task: { Value: { Ref: 'Task' } },
        FileSystem: { Value: { Ref: 'Files' } },
        AccessPointArn: { Value: { 'Fn::GetAtt': ['Point', 'Arn'] } },
      },
    );
    expect(stack.status).toBe('CREATE_COMPLETE');
    expect(stack.outputs.FileSystem).toMatch(/^fs-/);
    expect(stack.outputs.AccessPointArn).toMatch(/^arn:aws:elasticfilesystem:.*:access-point\/fsap-/);
    const ecs = new ECSClient(config());
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: [stack.outputs.ClusterArn!] }));
    expect(clusters.clusters?.[0]?.status).toBe('ACTIVE');
    const task = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: stack.outputs.Task! }));
    // The container is given the task's memory, which moto needs to place a Fargate task.
    expect(task.taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: 'worker',
      environment: [{ name: 'A', value: '1' }],
      memoryReservation: 2048,
    });
    ecs.destroy();
    await expect(refuseHollowResources(server.endpoint, region, 'ecs-efs')).resolves.toBeUndefined();
  });

  it('creates the Glue table and Athena workgroup of a template in the emulated APIs', async () => {
    // The shapes ResultsQuery (lib/constructs/results-query.ts) gives them, columns included.
    const columns = glueColumns(RESULT_DOCUMENT).map(({ name, type }) => ({ Name: name, Type: type }));
    const stack = await deploy(
      'glue-athena',
      {
        Catalog: {
          Type: 'AWS::Glue::Database',
          Properties: { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseInput: { Name: 'pipeline_results' } },
        },
        Results: {
          Type: 'AWS::Glue::Table',
          Properties: {
            CatalogId: { Ref: 'AWS::AccountId' },
            DatabaseName: { Ref: 'Catalog' },
            TableInput: {
              Name: RESULTS_TABLE,
              TableType: 'EXTERNAL_TABLE',
              Parameters: { classification: 'json' },
              StorageDescriptor: {
                Location: 's3://data/results/',
                InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
                OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
                SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
                Columns: columns,
              },
            },
          },
        },
        Queries: {
          Type: 'AWS::Athena::WorkGroup',
          Properties: {
            Name: 'pipeline',
            State: 'ENABLED',
            RecursiveDeleteOption: true,
            WorkGroupConfiguration: {
              EnforceWorkGroupConfiguration: true,
              BytesScannedCutoffPerQuery: 10_000_000_000,
              ResultConfiguration: {
                OutputLocation: 's3://query-output/',
                EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
              },
            },
          },
        },
      },
      { Database: { Value: { Ref: 'Catalog' } }, Table: { Value: { Ref: 'Results' } } },
    );
    expect(stack.status).toBe('CREATE_COMPLETE');
    expect(stack.outputs).toEqual({ Database: 'pipeline_results', Table: RESULTS_TABLE });
    const glue = new GlueClient(config());
    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: 'pipeline_results', Name: RESULTS_TABLE }),
    );
    expect(Table?.StorageDescriptor?.Location).toBe('s3://data/results/');
    expect(Table?.StorageDescriptor?.Columns).toEqual(columns);
    glue.destroy();
    const athena = new AthenaClient(config());
    const { WorkGroup } = await athena.send(new GetWorkGroupCommand({ WorkGroup: 'pipeline' }));
    expect(WorkGroup?.Configuration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10_000_000_000,
      ResultConfiguration: { OutputLocation: 's3://query-output/' },
    });
    athena.destroy();
    await expect(refuseHollowResources(server.endpoint, region, 'glue-athena')).resolves.toBeUndefined();
  });

  it("runs a custom resource's function and gives its answer to the template", async () => {
    const stack = await deploy(
      'custom-ok',
      {
        Fn: answeringFunction('SUCCESS'),
        Greeter: {
          Type: 'Custom::Greeter',
          Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Name: 'world', Enabled: true },
        },
      },
      {
        Greeting: { Value: { 'Fn::GetAtt': ['Greeter', 'Greeting'] } },
        Enabled: { Value: { 'Fn::GetAtt': ['Greeter', 'Enabled'] } },
        Id: { Value: { Ref: 'Greeter' } },
      },
    );
    expect(stack.status).toBe('CREATE_COMPLETE');
    // Scalars reach the function as strings, as CloudFormation sends them.
    expect(stack.outputs).toEqual({ Greeting: 'hello world', Enabled: 'true', Id: 'greeter-1' });
  });

  it("fails the stack with the function's reason when the custom resource fails", async () => {
    const stack = await deploy('custom-failed', {
      Fn: answeringFunction('FAILED'),
      Greeter: {
        Type: 'Custom::Greeter',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Name: 'x', Enabled: false },
      },
    });
    expect(stack.status).toMatch(/FAILED|ROLLBACK/);
    const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'custom-failed' }));
    const greeter = StackEvents!.find(
      (e) => e.LogicalResourceId === 'Greeter' && e.ResourceStatus === 'CREATE_FAILED',
    );
    expect(greeter?.ResourceStatusReason).toContain('no thanks');
  });

  it('refuses a stack in which LocalStack left a resource hollow, naming it', async () => {
    const stack = await deploy('hollow', {
      // A type of the paid tier that neither LocalStack's free build nor the plugin provides.
      Query: {
        Type: 'AWS::Athena::NamedQuery',
        Properties: { Database: 'd', QueryString: 'SELECT 1' },
      },
    });
    expect(stack.status).toBe('CREATE_COMPLETE');
    await expect(refuseHollowResources(server.endpoint, region, 'hollow')).rejects.toThrow(
      /no provider for Query \(AWS::Athena::NamedQuery\)/,
    );
  });
});
