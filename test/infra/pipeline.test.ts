import { Match } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DISPATCHER_ENV,
  Env,
  INCOMING_PREFIX,
  OPEN_JOBS_INDEX,
  RECONCILER_ENV,
  SHARED_MOUNT_PATH,
  SWEEPER_ENV,
  LAUNCHER_ENV,
  TASK_STATE_ENV,
  WORKER_CONTAINER_NAME,
  THREADS,
  WORKER_BUNDLE,
  WORKER_ENV,
} from '../../contract/names.js';
import { repoPath } from '../../lib/constructs/paths.js';
import { POWERTOOLS_ENV } from '../../lib/constructs/pipeline-function.js';
import { Outputs, RECONCILE_CURSOR_KEY } from '../../contract/names.js';
import { buildRoutingPolicy } from '../../contract/routing.js';
import { COLLECTOR_FLAG } from '../../src/runtime/aws/collector-nudge.js';
import {
  actionsOf,
  functionEnvNames,
  resourceNamed,
  resourcesOf,
  roleStatements,
  synthPipeline,
  type Synthesized,
} from './synth.js';

type Props = Record<string, unknown>;
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('pipeline stack', () => {
  let s: Synthesized;
  let prod: Synthesized;
  const propsOf = (synth: Synthesized, type: string, prefix: string) =>
    resourceNamed(synth.template, type, prefix)[1].Properties as Props;

  beforeAll(() => {
    s = synthPipeline();
    prod = synthPipeline({
      envName: 'prod',
      alarmEmail: 'ops@example.com',
      workerArchitecture: 'x86_64',
      workerCpu: 2048,
      workerMemoryMb: 8192,
      workerEphemeralStorageGiB: 100,
      lambdaMemoryMb: 3008,
      lambdaTimeoutSeconds: 600,
      dispatcherReservedConcurrency: 20,
    });
  });

  describe('data bucket', () => {
    it('triggers the dispatcher for objects created or restored under incoming/ and nothing else', () => {
      const notifications = resourcesOf(s.template, 'Custom::S3BucketNotifications');
      expect(notifications).toHaveLength(1);
      const config = notifications[0]![1].Properties!.NotificationConfiguration as Props;
      expect(Object.keys(config)).toEqual(['LambdaFunctionConfigurations']);
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'DispatcherFunction');
      const under = (events: string[]) => ({
        Events: events,
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INCOMING_PREFIX }] } },
        LambdaFunctionArn: arnOf(functionId),
      });
      expect(config.LambdaFunctionConfigurations).toEqual([
        under(['s3:ObjectCreated:*']),
        under(['s3:ObjectRestore:Completed']),
      ]);
    });

    it('moves uploads under incoming/ to Glacier Instant Retrieval after 30 days, and nothing else', () => {
      const rules = (synth: Synthesized) =>
        (propsOf(synth, 'AWS::S3::Bucket', 'DataBucket').LifecycleConfiguration as { Rules: Props[] }).Rules;
      const transitions = (synth: Synthesized) => rules(synth).filter((r) => r.Transitions);
      expect(transitions(s)).toEqual([
        {
          Id: 'archive-inputs',
          Prefix: INCOMING_PREFIX,
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
        },
      ]);
      expect(
        rules(s).filter((r) => r.NoncurrentVersionTransitions),
        'old versions are not moved, only expired',
      ).toEqual([]);
      const deep = synthPipeline({ archiveStorageClass: 'DEEP_ARCHIVE', archiveAfterDays: 90 });
      expect(transitions(deep)).toEqual([
        expect.objectContaining({
          Prefix: INCOMING_PREFIX,
          Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 90 }],
        }),
      ]);
      expect(transitions(synthPipeline({ archiveStorageClass: 'none' })), 'archiving off').toEqual([]);
    });

    it('is private, encrypted, TLS-only, versioned and logs access to the log bucket', () => {
      const [logsId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'DataBucketAccessLogs');
      expect(propsOf(s, 'AWS::S3::Bucket', 'DataBucket')).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: ref(logsId) },
      });
      const rules = (propsOf(s, 'AWS::S3::Bucket', 'DataBucket').LifecycleConfiguration as { Rules: Props[] })
        .Rules;
      expect(rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
        ]),
      );
      const [bucketId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'DataBucket');
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(bucketId),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('empties and deletes the buckets in a sandbox, keeps them otherwise', () => {
      const policies = (synth: Synthesized) =>
        resourcesOf(synth.template, 'AWS::S3::Bucket').map(([, bucket]) => bucket.DeletionPolicy);
      // The data bucket, its access logs and the query outputs.
      expect(policies(s)).toEqual(['Delete', 'Delete', 'Delete']);
      expect(policies(prod)).toEqual(['Retain', 'Retain', 'Retain']);
      expect(resourcesOf(s.template, 'Custom::S3AutoDeleteObjects')).toHaveLength(3);
      expect(resourcesOf(prod.template, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
    });
  });

  describe('shared file system', () => {
    it('is encrypted with elastic throughput and refuses clients without TLS or IAM identity', () => {
      const fs = propsOf(s, 'AWS::EFS::FileSystem', 'SharedFileSystem');
      expect(fs).toMatchObject({ Encrypted: true, ThroughputMode: 'elastic' });
      const statements = (fs.FileSystemPolicy as { Statement: Props[] }).Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Sid: 'DenyUnencryptedTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Sid: 'DenyRootAccess',
            Effect: 'Deny',
            Action: 'elasticfilesystem:ClientRootAccess',
          }),
        ]),
      );
      // Whatever is allowed to everyone is allowed only to IAM principals coming through a mount target.
      for (const statement of statements.filter((st) => st.Effect === 'Allow')) {
        expect(statement.Condition).toEqual({ Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } });
        expect(statement.Action).not.toContain('elasticfilesystem:ClientMount');
      }
    });

    it('has an access point at /shared acting as 1000:1000', () => {
      expect(propsOf(s, 'AWS::EFS::AccessPoint', 'SharedFileSystemAccessPoint')).toMatchObject({
        PosixUser: { Uid: '1000', Gid: '1000' },
        RootDirectory: {
          Path: '/shared',
          CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' },
        },
      });
    });
  });

  describe('jobs table', () => {
    it('is on demand with point-in-time recovery and TTL on expiresAt, keyed by jobId', () => {
      expect(propsOf(s, 'AWS::DynamoDB::Table', 'JobsTable')).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
        AttributeDefinitions: expect.arrayContaining([{ AttributeName: 'jobId', AttributeType: 'S' }]),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(propsOf(prod, 'AWS::DynamoDB::Table', 'JobsTable').DeletionProtectionEnabled).toBe(true);
    });

    it('has the sparse open-jobs index the sweeper queries, with whole items', () => {
      expect(propsOf(s, 'AWS::DynamoDB::Table', 'JobsTable').GlobalSecondaryIndexes).toEqual([
        {
          IndexName: OPEN_JOBS_INDEX.name,
          KeySchema: [
            { AttributeName: OPEN_JOBS_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: OPEN_JOBS_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]);
    });
  });

  describe('dispatcher', () => {
    it('gets exactly the contract variables plus the Powertools ones', () => {
      expect(functionEnvNames(s.template, 'DispatcherFunction')).toEqual(
        [...DISPATCHER_ENV, ...POWERTOOLS_ENV].sort(),
      );
    });

    it('receives the routing policy built for its own memory and timeout', () => {
      for (const [synth, memory, timeout] of [
        [s, 1769, 900],
        [prod, 3008, 600],
      ] as const) {
        const fn = propsOf(synth, 'AWS::Lambda::Function', 'DispatcherFunction');
        const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(JSON.parse(env.ROUTING_POLICY as string)).toEqual(
          buildRoutingPolicy({ lambdaTimeoutSeconds: timeout, lambdaMemoryMb: memory, safetyFactor: 2 }),
        );
        expect(fn).toMatchObject({ MemorySize: memory, Timeout: timeout });
        expect(env).toMatchObject({
          SHARED_MOUNT_PATH,
          MAX_OBJECT_BYTES: String(100 * 1024 ** 3),
          JOB_TTL_DAYS: '30',
          MAX_ATTEMPTS: '3',
          RETRY_BASE_MS: '1000',
        });
      }
    });

    it('runs Node.js 24 on arm64 without X-Ray tracing, in the private subnets, with the dispatcher group', () => {
      const fn = propsOf(s, 'AWS::Lambda::Function', 'DispatcherFunction');
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.TracingConfig).toBeUndefined();
      const [groupId] = resourceNamed(
        s.template,
        'AWS::EC2::SecurityGroup',
        'NetworkDispatcherSecurityGroup',
      );
      const vpcConfig = fn.VpcConfig as { SecurityGroupIds: unknown[]; SubnetIds: { Ref: string }[] };
      expect(vpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [groupId, 'GroupId'] }]);
      expect(vpcConfig.SubnetIds.map((subnet) => subnet.Ref)).toEqual([
        expect.stringMatching(/^NetworkVpcPrivateSubnet1Subnet/),
        expect.stringMatching(/^NetworkVpcPrivateSubnet2Subnet/),
      ]);
      expect(fn.ReservedConcurrentExecutions).toBeUndefined();
      expect(propsOf(prod, 'AWS::Lambda::Function', 'DispatcherFunction').ReservedConcurrentExecutions).toBe(
        20,
      );
    });

    it('mounts the EFS access point at the shared mount path', () => {
      const [accessPointId] = resourceNamed(
        s.template,
        'AWS::EFS::AccessPoint',
        'SharedFileSystemAccessPoint',
      );
      const configs = propsOf(s, 'AWS::Lambda::Function', 'DispatcherFunction').FileSystemConfigs as Props[];
      expect(configs).toHaveLength(1);
      expect(configs[0]!.LocalMountPath).toBe(SHARED_MOUNT_PATH);
      expect(JSON.stringify(configs[0]!.Arn)).toContain(`":access-point/",{"Ref":"${accessPointId}"}`);
    });

    it('retries twice, then parks the event in an encrypted, TLS-only queue with its own dead-letter queue', () => {
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'DispatcherFunction');
      const [queueId, queue] = resourceNamed(s.template, 'AWS::SQS::Queue', 'DispatcherOnFailureQueue');
      const [dlqId, dlq] = resourceNamed(s.template, 'AWS::SQS::Queue', 'DispatcherOnFailureDeadLetterQueue');
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(functionId),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(queueId) } },
      });
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 },
      });
      expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      for (const id of [queueId, dlqId]) {
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [ref(id)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('keeps its logs for the configured retention', () => {
      const fn = propsOf(s, 'AWS::Lambda::Function', 'DispatcherFunction');
      const [logsId, logs] = resourceNamed(s.template, 'AWS::Logs::LogGroup', 'DispatcherFunctionLogs');
      expect(fn.LoggingConfig).toEqual({ LogGroup: ref(logsId) });
      expect(logs.Properties?.RetentionInDays).toBe(30);
    });
  });

  describe('worker', () => {
    const container = (synth: Synthesized) =>
      (
        propsOf(synth, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition').ContainerDefinitions as Props[]
      )[0]!;

    it('has one container named for the RunTask overrides, with at least the contract variables', () => {
      const definitions = propsOf(s, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition')
        .ContainerDefinitions as Props[];
      expect(definitions).toHaveLength(1);
      expect(container(s).Name).toBe(WORKER_CONTAINER_NAME);
      const names = (container(s).Environment as { Name: string }[]).map((e) => e.Name);
      expect(names).toEqual(expect.arrayContaining([...WORKER_ENV]));
    });

    it("tells the worker its task's vCPUs, which the machine it runs on does not", () => {
      const vcpus = (synth: Synthesized) =>
        (container(synth).Environment as { Name: string; Value: string }[]).find(
          (e) => e.Name === Env.TASK_VCPUS,
        )?.Value;
      expect(vcpus(s)).toBe('1');
      expect(vcpus(prod)).toBe('2');
    });

    it('mounts the access point with transit encryption and IAM authorisation at the shared mount path', () => {
      const [fsId] = resourceNamed(s.template, 'AWS::EFS::FileSystem', 'SharedFileSystem');
      const [accessPointId] = resourceNamed(
        s.template,
        'AWS::EFS::AccessPoint',
        'SharedFileSystemAccessPoint',
      );
      const volumes = propsOf(s, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition').Volumes as Props[];
      expect(volumes).toContainEqual({
        Name: 'shared',
        EFSVolumeConfiguration: {
          FilesystemId: ref(fsId),
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: ref(accessPointId), IAM: 'ENABLED' },
        },
      });
      expect(container(s).MountPoints).toContainEqual({
        ContainerPath: SHARED_MOUNT_PATH,
        SourceVolume: 'shared',
        ReadOnly: false,
      });
    });

    it('runs Node under an init process and gives it 30 s between SIGTERM and SIGKILL to put its job back', () => {
      expect(container(s)).toMatchObject({
        StopTimeout: 30,
        LinuxParameters: { InitProcessEnabled: true },
      });
      const env = container(s).Environment as { Name: string; Value: unknown }[];
      expect(env).toContainEqual({ Name: Env.INPUT_STALL_SECONDS, Value: '120' });
    });

    it('runs with a read-only root file system, a scratch /tmp and awslogs with retention', () => {
      expect(container(s)).toMatchObject({ ReadonlyRootFilesystem: true, Essential: true });
      expect(container(s).MountPoints).toContainEqual({
        ContainerPath: '/tmp',
        SourceVolume: 'tmp',
        ReadOnly: false,
      });
      const [logsId, logs] = resourceNamed(s.template, 'AWS::Logs::LogGroup', 'WorkerLogs');
      expect(container(s).LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: { 'awslogs-group': ref(logsId) },
      });
      expect(logs.Properties?.RetentionInDays).toBe(30);
    });

    it('sizes the task and picks its architecture from the config', () => {
      expect(propsOf(s, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition')).toMatchObject({
        Cpu: '1024',
        Memory: '2048',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
      expect(propsOf(prod, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition')).toMatchObject({
        Cpu: '2048',
        Memory: '8192',
        RuntimePlatform: { CpuArchitecture: 'X86_64' },
      });
    });

    it("leaves Fargate's 21 GiB of ephemeral storage implicit and sets any other size from the config", () => {
      expect(propsOf(s, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition')).not.toHaveProperty(
        'EphemeralStorage',
      );
      expect(propsOf(prod, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition').EphemeralStorage).toEqual({
        SizeInGiB: 100,
      });
    });

    /** The container image assets of a synthesized app, with their staged build context. */
    const imageAssets = (synth: Synthesized) => {
      const assembly = synth.app.synth();
      const manifest = assembly.artifacts.find(
        (a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact,
      )!;
      return Object.values(manifest.contents.dockerImages ?? {}).map((image) => ({
        platform: image.source.platform,
        context: join(assembly.directory, image.source.directory ?? ''),
      }));
    };

    it('builds the image for the task architecture', () => {
      expect(imageAssets(s).map((image) => image.platform)).toEqual(['linux/arm64']);
      expect(imageAssets(prod).map((image) => image.platform)).toEqual(['linux/amd64']);
    });

    it('stages only the Dockerfile and the worker bundles as the build context', () => {
      const [image] = imageAssets(s);
      const files = readdirSync(image!.context, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(image!.context, join(entry.parentPath, entry.name)))
        .sort();
      const bundle = relative('containers/worker', WORKER_BUNDLE);
      const threads = Object.values(THREADS).map((thread) => join(dirname(bundle), thread.bundle));
      const expected = ['.dockerignore', 'Dockerfile'];
      if (existsSync(repoPath(WORKER_BUNDLE))) expected.push(bundle, ...threads);
      expect(files).toEqual(expected.sort());
    });

    it('has a Dockerfile that copies only the bundles onto a pinned Node.js image and runs them as node', () => {
      const dockerfile = readFileSync(repoPath('containers/worker/Dockerfile'), 'utf8');
      const lines = dockerfile.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
      const from = lines.filter((line) => line.startsWith('FROM '));
      expect(from).toEqual([
        expect.stringMatching(/^FROM public\.ecr\.aws\/docker\/library\/node:\d+\.\d+\.\d+-bookworm-slim$/),
      ]);
      const copies = lines.filter((line) => /^(COPY|ADD) /.test(line));
      const bundle = relative('containers/worker', WORKER_BUNDLE);
      const threads = Object.values(THREADS).map((thread) => join(dirname(bundle), thread.bundle));
      expect(copies).toEqual([`COPY ${[bundle, ...threads].join(' ')} /app/`]);
      expect(lines).toContain('USER node');
      // Started as Lambda's runtimes start the functions: with the collector exposed.
      const command = /^CMD (\[.*\])$/.exec(lines.at(-1) ?? '')?.[1];
      expect(JSON.parse(command ?? '[]')).toEqual(['node', COLLECTOR_FLAG, `/app/${basename(bundle)}`]);
    });

    it('runs a named image instead, with nothing to build, when workerImage is set', () => {
      const named = synthPipeline({ workerImage: 'registry.example.com/worker:1.2' });
      expect(imageAssets(named)).toEqual([]);
      expect(container(named).Image).toBe('registry.example.com/worker:1.2');
      // Only the pull of an asset from ECR needs the execution role's ECR permissions.
      const policies = JSON.stringify(named.template.findResources('AWS::IAM::Policy'));
      expect(policies).not.toContain('ecr:GetAuthorizationToken');
      expect(JSON.stringify(s.template.findResources('AWS::IAM::Policy'))).toContain(
        'ecr:GetAuthorizationToken',
      );
    });

    it('runs on a cluster with enhanced Container Insights', () => {
      expect(propsOf(s, 'AWS::ECS::Cluster', 'WorkerCluster').ClusterSettings).toEqual([
        { Name: 'containerInsights', Value: 'enhanced' },
      ]);
    });
  });

  describe('task-state listener', () => {
    it('is invoked for stopped tasks of the pipeline cluster only', () => {
      const [clusterId] = resourceNamed(s.template, 'AWS::ECS::Cluster', 'WorkerCluster');
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'TaskStateFunction');
      const rule = propsOf(s, 'AWS::Events::Rule', 'TaskStateTaskStoppedRule');
      expect(rule.EventPattern).toEqual({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { lastStatus: ['STOPPED'], clusterArn: [arnOf(clusterId)] },
      });
      expect(rule.State).toBe('ENABLED');
      expect((rule.Targets as Props[]).map((t) => t.Arn)).toEqual([arnOf(functionId)]);
    });

    it('gets the contract variables plus the Powertools ones, and may only read and update jobs', () => {
      expect(functionEnvNames(s.template, 'TaskStateFunction')).toEqual(
        [...TASK_STATE_ENV, ...POWERTOOLS_ENV].sort(),
      );
      const fn = propsOf(s, 'AWS::Lambda::Function', 'TaskStateFunction');
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
      const ddb = roleStatements(s.template, 'TaskStateFunctionServiceRole')
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:'));
      expect(ddb.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    });
  });

  describe('launch queue and launcher', () => {
    it('drains the launch queue with bounded concurrency, reporting the requests it defers', () => {
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'LauncherFunction');
      const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'LauncherQueue');
      const mappingOf = (synth: typeof s) => {
        const mappings = resourcesOf(synth.template, 'AWS::Lambda::EventSourceMapping');
        expect(mappings).toHaveLength(1);
        return mappings[0]![1].Properties!;
      };
      const mapping = mappingOf(s);
      expect(mapping).toMatchObject({
        FunctionName: { Ref: functionId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const other = synthPipeline({ launcherConcurrency: 8, maxRunningTasks: 300 });
      expect(mappingOf(other).ScalingConfig).toEqual({ MaximumConcurrency: 8 });
      const env = (
        propsOf(other, 'AWS::Lambda::Function', 'LauncherFunction').Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env[Env.MAX_RUNNING_TASKS]).toBe('300');
    });

    it('keeps requests for days, out of sight longer than a launch may take, with a dead-letter queue', () => {
      const [deadLetterId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'LauncherDeadLetterQueue');
      const queue = propsOf(s, 'AWS::SQS::Queue', 'LauncherQueue');
      expect(queue).toMatchObject({
        MessageRetentionPeriod: 14 * 86400,
        VisibilityTimeout: 6 * (propsOf(s, 'AWS::Lambda::Function', 'LauncherFunction').Timeout as number),
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
          maxReceiveCount: 1000,
        },
      });
    });

    it('gets the contract variables, and the dispatcher and re-drivers may only queue requests', () => {
      expect(functionEnvNames(s.template, 'LauncherFunction')).toEqual(
        [...LAUNCHER_ENV, ...POWERTOOLS_ENV].sort(),
      );
      const [queueId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'LauncherQueue');
      for (const role of [
        'DispatcherFunctionServiceRole',
        'TaskStateFunctionServiceRole',
        'SweeperFunctionServiceRole',
      ]) {
        const onQueue = roleStatements(s.template, role).filter((st) =>
          JSON.stringify(st.Resource).includes(queueId),
        );
        expect(onQueue.flatMap(actionsOf).sort(), role).toEqual([
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ]);
      }
    });
  });

  describe('sweeper', () => {
    it('runs on the configured schedule', () => {
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'SweeperFunction');
      const rule = propsOf(s, 'AWS::Events::Rule', 'SweeperSchedule');
      expect(rule.ScheduleExpression).toBe('rate(5 minutes)');
      expect((rule.Targets as Props[]).map((t) => t.Arn)).toEqual([arnOf(functionId)]);
      const other = synthPipeline({ sweepIntervalMinutes: 1 });
      expect(propsOf(other, 'AWS::Events::Rule', 'SweeperSchedule').ScheduleExpression).toBe(
        'rate(1 minute)',
      );
    });

    it('gets the contract variables plus the Powertools ones', () => {
      expect(functionEnvNames(s.template, 'SweeperFunction')).toEqual(
        [...SWEEPER_ENV, ...POWERTOOLS_ENV].sort(),
      );
    });

    it('may query only the open-jobs index and read and update jobs', () => {
      const [tableId] = resourceNamed(s.template, 'AWS::DynamoDB::Table', 'JobsTable');
      const ddb = roleStatements(s.template, 'SweeperFunctionServiceRole').filter((st) =>
        actionsOf(st).some((a) => a.startsWith('dynamodb:')),
      );
      expect(ddb.map((st) => ({ actions: actionsOf(st).sort(), resource: st.Resource }))).toEqual([
        { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: arnOf(tableId) },
        {
          actions: ['dynamodb:Query'],
          resource: { 'Fn::Join': ['', [arnOf(tableId), `/index/${OPEN_JOBS_INDEX.name}`]] },
        },
      ]);
    });
  });

  describe('reconciler', () => {
    const envOf = (synth: Synthesized) =>
      (
        propsOf(synth, 'AWS::Lambda::Function', 'ReconcilerFunction').Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;

    it('runs on the configured schedule, ending each run before the next one starts', () => {
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'ReconcilerFunction');
      const rule = propsOf(s, 'AWS::Events::Rule', 'ReconcilerSchedule');
      expect(rule.ScheduleExpression).toBe(`rate(${s.config.reconcileIntervalMinutes} minutes)`);
      expect(rule.Targets).toEqual([
        expect.objectContaining({ Arn: arnOf(functionId), RetryPolicy: { MaximumRetryAttempts: 0 } }),
      ]);
      expect(propsOf(s, 'AWS::Lambda::Function', 'ReconcilerFunction')).toMatchObject({
        Timeout: 300,
        MemorySize: 256,
        Runtime: 'nodejs24.x',
      });
      const other = synthPipeline({ reconcileIntervalMinutes: 5 });
      expect(propsOf(other, 'AWS::Events::Rule', 'ReconcilerSchedule').ScheduleExpression).toBe(
        'rate(5 minutes)',
      );
    });

    it('gets exactly the contract variables plus the Powertools ones, its limits from the config', () => {
      expect(functionEnvNames(s.template, 'ReconcilerFunction')).toEqual(
        [...RECONCILER_ENV, ...POWERTOOLS_ENV].sort(),
      );
      expect(envOf(s)).toMatchObject({
        [Env.RECONCILE_GRACE_SECONDS]: String(s.config.reconcileGraceMinutes * 60),
        [Env.RECONCILE_LOOKBACK_SECONDS]: String(s.config.reconcileLookbackHours * 3600),
        [Env.RECONCILE_MAX_PER_RUN]: String(s.config.reconcileMaxPerRun),
      });
      const other = synthPipeline({
        reconcileGraceMinutes: 3,
        reconcileLookbackHours: 24,
        reconcileMaxPerRun: 50,
      });
      expect(envOf(other)).toMatchObject({
        [Env.RECONCILE_GRACE_SECONDS]: '180',
        [Env.RECONCILE_LOOKBACK_SECONDS]: '86400',
        [Env.RECONCILE_MAX_PER_RUN]: '50',
      });
    });

    it('names the bucket, the table and the dispatcher it may reach', () => {
      const [bucketId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'DataBucket');
      const [tableId] = resourceNamed(s.template, 'AWS::DynamoDB::Table', 'JobsTable');
      const [dispatcherId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'DispatcherFunction');
      expect(envOf(s)).toMatchObject({
        [Env.DATA_BUCKET]: ref(bucketId),
        [Env.JOBS_TABLE]: ref(tableId),
        [Env.DISPATCHER_FUNCTION]: arnOf(dispatcherId),
      });
    });

    it('may only read jobs, list versions under incoming/, keep its cursor and invoke the dispatcher', () => {
      const [bucketId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'DataBucket');
      const [tableId] = resourceNamed(s.template, 'AWS::DynamoDB::Table', 'JobsTable');
      const [dispatcherId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'DispatcherFunction');
      const statements = roleStatements(s.template, 'ReconcilerFunctionServiceRole');
      expect(
        statements.map((st) => ({
          effect: st.Effect,
          actions: actionsOf(st),
          resource: st.Resource,
          condition: st.Condition,
        })),
      ).toEqual([
        {
          effect: 'Allow',
          actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
          resource: arnOf(tableId),
          condition: undefined,
        },
        {
          effect: 'Allow',
          actions: ['s3:ListBucketVersions'],
          resource: arnOf(bucketId),
          condition: { StringLike: { 's3:prefix': `${INCOMING_PREFIX}*` } },
        },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject'],
          resource: { 'Fn::Join': ['', [arnOf(bucketId), `/${RECONCILE_CURSOR_KEY}`]] },
          condition: undefined,
        },
        {
          effect: 'Allow',
          actions: ['lambda:InvokeFunction'],
          resource: arnOf(dispatcherId),
          condition: undefined,
        },
      ]);
    });

    it('is charted beside the other functions: errors, throttles and duration', () => {
      const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', 'ReconcilerFunction');
      const [, dashboard] = resourceNamed(s.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');
      const body = JSON.stringify(dashboard.Properties?.DashboardBody);
      expect(body).toContain(JSON.stringify(ref(functionId)));
      for (const label of ['errors', 'throttles', 'p50', 'max'])
        expect(body).toContain(`reconciler ${label}`);
    });
  });

  describe('monitoring', () => {
    it('alarms on parked events and launches, failed jobs and errors of any function, to an encrypted TLS-only topic', () => {
      const [topicId, topic] = resourceNamed(s.template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic');
      expect(topic.Properties?.KmsMasterKeyId).toEqual(
        arnOf(resourceNamed(s.template, 'AWS::KMS::Key', 'MonitoringAlarmTopicKey')[0]),
      );
      s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [ref(topicId)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const alarms = resourcesOf(s.template, 'AWS::CloudWatch::Alarm').map(
        ([id, alarm]) => [id, alarm.Properties!] as const,
      );
      expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
        'MonitoringDispatcherErrors',
        'MonitoringJobsFailed',
        'MonitoringLaunchDeadLetterQueueNotEmpty',
        'MonitoringLauncherErrors',
        'MonitoringOnFailureQueueNotEmpty',
        'MonitoringReconcilerErrors',
        'MonitoringSweeperErrors',
        'MonitoringTaskStateErrors',
      ]);
      for (const [, alarm] of alarms) {
        expect(alarm.AlarmActions).toEqual([ref(topicId)]);
        expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      }
      const failed = alarms.find(([id]) => id.startsWith('MonitoringJobsFailed'))![1];
      const metrics = (failed.Metrics as { MetricStat?: { Metric: Props } }[]).flatMap((m) =>
        m.MetricStat ? [m.MetricStat.Metric] : [],
      );
      expect(metrics).toEqual([
        {
          Namespace: 'S3Pipeline',
          MetricName: 'JobsFailed',
          Dimensions: [
            { Name: 'route', Value: 'lambda' },
            { Name: 'service', Value: 's3-pipeline' },
          ],
        },
        {
          Namespace: 'S3Pipeline',
          MetricName: 'JobsFailed',
          Dimensions: [
            { Name: 'route', Value: 'ecs' },
            { Name: 'service', Value: 's3-pipeline' },
          ],
        },
      ]);
    });

    it('watches each function by its own errors and the launch dead-letter queue by its depth', () => {
      const alarm = (prefix: string) =>
        resourceNamed(s.template, 'AWS::CloudWatch::Alarm', prefix)[1].Properties!;
      for (const [alarmPrefix, functionPrefix] of [
        ['MonitoringDispatcherErrors', 'DispatcherFunction'],
        ['MonitoringLauncherErrors', 'LauncherFunction'],
        ['MonitoringTaskStateErrors', 'TaskStateFunction'],
        ['MonitoringSweeperErrors', 'SweeperFunction'],
        ['MonitoringReconcilerErrors', 'ReconcilerFunction'],
      ]) {
        const [functionId] = resourceNamed(s.template, 'AWS::Lambda::Function', functionPrefix!);
        expect(alarm(alarmPrefix!), alarmPrefix).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: ref(functionId) }],
        });
      }
      const [dlqId] = resourceNamed(s.template, 'AWS::SQS::Queue', 'LauncherDeadLetterQueue');
      expect(alarm('MonitoringLaunchDeadLetterQueueNotEmpty')).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      });
    });

    it('lets CloudWatch use the topic key', () => {
      s.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it('subscribes the alarm e-mail only when one is configured', () => {
      expect(resourcesOf(s.template, 'AWS::SNS::Subscription')).toHaveLength(0);
      prod.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
    });

    it('charts jobs by route and outcome from the runtime metric names', () => {
      const [, dashboard] = resourceNamed(s.template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard');
      expect(dashboard.Properties?.DashboardName).toBe('S3Pipeline-sandbox');
      const body = JSON.stringify(dashboard.Properties?.DashboardBody);
      for (const metric of ['JobsStarted', 'JobsSucceeded', 'JobsFailed', 'JobDuration']) {
        for (const route of ['lambda', 'ecs']) {
          expect(body).toContain(
            `[\\"S3Pipeline\\",\\"${metric}\\",\\"route\\",\\"${route}\\",\\"service\\",\\"s3-pipeline\\"`,
          );
        }
      }
      for (const metric of ['Errors', 'Throttles', 'Duration'])
        expect(body).toContain(`\\"AWS/Lambda\\",\\"${metric}\\"`);
      expect(body).toContain('\\"AWS/Events\\",\\"Invocations\\"');
      expect(body).toContain('\\"AWS/SQS\\",\\"ApproximateAgeOfOldestMessage\\"');
      expect(body).toContain('launcher errors');
    });
  });

  it('exports the names scripts and tests look up', () => {
    expect(Object.keys(s.template.toJSON().Outputs).sort()).toEqual(Object.values(Outputs).sort());
    expect(Object.values(Outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ClusterArn',
        'DataBucketName',
        'DispatcherFunctionName',
        'FileSystemId',
        'JobsTableName',
        'OnFailureQueueUrl',
        'QueryDatabaseName',
        'QueryWorkGroupName',
        'TaskDefinitionArn',
      ].sort(),
    );
  });

  it('refuses to deploy outside the region its zones belong to', () => {
    const rules = s.template.toJSON().Rules as Record<string, { Assertions: { Assert: unknown }[] }>;
    expect(JSON.stringify(Object.values(rules))).toContain('"us-east-1"');
  });
});
