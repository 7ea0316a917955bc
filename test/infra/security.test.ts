import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgements,
  actionsOf,
  nagFindings,
  resourceNamed,
  resourcesOf,
  roleStatements,
  synthPipeline,
  type Statement,
  type Synthesized,
} from './synth.js';

const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

let s: Synthesized;
let productionLike: Synthesized;

beforeAll(() => {
  s = synthPipeline();
  productionLike = synthPipeline({
    envName: 'prod',
    azCount: 3,
    natMode: 'perAz',
    alarmEmail: 'ops@example.com',
  });
});

describe('IAM', () => {
  let dispatcher: Statement[];
  let taskRole: Statement[];

  beforeAll(() => {
    dispatcher = roleStatements(s.template, 'DispatcherFunctionServiceRole');
    taskRole = roleStatements(s.template, 'WorkerTaskDefinitionTaskRole');
  });

  const withAction = (statements: Statement[], action: string) =>
    statements.filter((st) => actionsOf(st).includes(action));

  // Only the launcher starts tasks; the dispatcher and the re-drivers queue requests for it.
  const launchers = ['LauncherFunctionServiceRole'];

  it('lets the launchers run only the worker task definition family, only in the pipeline cluster', () => {
    const [clusterId] = resourceNamed(s.template, 'AWS::ECS::Cluster', 'WorkerCluster');
    for (const launcher of launchers) {
      const runTask = withAction(roleStatements(s.template, launcher), 'ecs:RunTask');
      expect(runTask).toHaveLength(1);
      expect(actionsOf(runTask[0]!)).toEqual(['ecs:RunTask']);
      expect(runTask[0]!.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            ref('AWS::Partition'),
            ':ecs:',
            ref('AWS::Region'),
            ':',
            ref('AWS::AccountId'),
            ':task-definition/S3Pipeline-sandbox-worker:*',
          ],
        ],
      });
      expect(runTask[0]!.Condition).toEqual({ ArnEquals: { 'ecs:cluster': arnOf(clusterId) } });
    }
    const [, taskDefinition] = resourceNamed(s.template, 'AWS::ECS::TaskDefinition', 'WorkerTaskDefinition');
    expect(taskDefinition.Properties?.Family).toBe('S3Pipeline-sandbox-worker');
  });

  it('grants ecs:RunTask to the launchers and nobody else', () => {
    const holders = resourcesOf(s.template, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some((st) =>
          actionsOf(st).some((a) => a === 'ecs:RunTask' || a === 'iam:PassRole'),
        ),
      )
      .map(([id]) => id.replace(/DefaultPolicy[0-9A-F]{8}$/, ''));
    expect(holders.sort()).toEqual([...launchers].sort());
  });

  it('lets the launchers pass exactly the worker task and execution roles, to ECS tasks only', () => {
    const [taskRoleId] = resourceNamed(s.template, 'AWS::IAM::Role', 'WorkerTaskDefinitionTaskRole');
    const [executionRoleId] = resourceNamed(
      s.template,
      'AWS::IAM::Role',
      'WorkerTaskDefinitionExecutionRole',
    );
    for (const launcher of launchers) {
      const passRole = withAction(roleStatements(s.template, launcher), 'iam:PassRole');
      expect(passRole).toHaveLength(1);
      expect(passRole[0]!.Resource).toHaveLength(2);
      expect(passRole[0]!.Resource).toEqual(
        expect.arrayContaining([arnOf(taskRoleId), arnOf(executionRoleId)]),
      );
      expect(passRole[0]!.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      });
    }
  });

  it('grants no wildcard action and no iam:PassRole or ecs:RunTask on * anywhere', () => {
    for (const [, policy] of resourcesOf(s.template, 'AWS::IAM::Policy')) {
      for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toBe('*');
          expect(action).not.toMatch(/:\*$/);
          if (['iam:PassRole', 'ecs:RunTask'].includes(action)) expect(statement.Resource).not.toBe('*');
        }
      }
    }
    expect(JSON.stringify(s.template.toJSON())).not.toMatch(/"Action":\s*"\*"/);
  });

  it('keeps Resource "*" to statements that cannot be scoped (ECR token, conditioned EFS mount and task listing)', () => {
    const unscoped = resourcesOf(s.template, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.filter(
        (st) => st.Resource === '*',
      ),
    );
    const allowed = new Set(['ecr:GetAuthorizationToken', 'elasticfilesystem:ClientMount', 'ecs:ListTasks']);
    for (const statement of unscoped) {
      for (const action of actionsOf(statement)) expect(allowed).toContain(action);
      if (actionsOf(statement).includes('elasticfilesystem:ClientMount')) {
        expect(Object.keys(statement.Condition?.StringEquals ?? {})).toEqual([
          'elasticfilesystem:AccessPointArn',
        ]);
      }
      if (actionsOf(statement).includes('ecs:ListTasks')) {
        const [clusterId] = resourceNamed(s.template, 'AWS::ECS::Cluster', 'WorkerCluster');
        expect(statement.Condition).toEqual({ ArnEquals: { 'ecs:cluster': arnOf(clusterId) } });
      }
    }
  });

  it('gives the worker task role only incoming/ reads, results/ writes, job updates and the EFS mount', () => {
    const [bucketId] = resourceNamed(s.template, 'AWS::S3::Bucket', 'DataBucket');
    const [tableId] = resourceNamed(s.template, 'AWS::DynamoDB::Table', 'JobsTable');
    const summary = taskRole.map((st) => ({ actions: actionsOf(st).sort(), resource: st.Resource }));
    expect(summary).toEqual(
      expect.arrayContaining([
        {
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resource: { 'Fn::Join': ['', [arnOf(bucketId), '/incoming/*']] },
        },
        {
          actions: ['s3:GetObject', 's3:PutObject'],
          resource: { 'Fn::Join': ['', [arnOf(bucketId), '/results/*']] },
        },
        { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resource: arnOf(tableId) },
      ]),
    );
    expect(taskRole.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'elasticfilesystem:ClientMount',
      'elasticfilesystem:ClientWrite',
      's3:GetObject',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
    ]);
    expect(taskRole.every((st) => st.Effect === 'Allow')).toBe(true);
  });

  it('lets the dispatcher create and update jobs but not delete or scan them', () => {
    const ddb = dispatcher.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(ddb.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('scopes EFS client access of both roles to the access point', () => {
    const [accessPointId] = resourceNamed(s.template, 'AWS::EFS::AccessPoint', 'SharedFileSystemAccessPoint');
    for (const statements of [dispatcher, taskRole]) {
      const efs = statements.filter((st) => actionsOf(st).includes('elasticfilesystem:ClientWrite'));
      expect(efs.length).toBeGreaterThan(0);
      expect(
        efs.some((st) =>
          JSON.stringify(st.Condition?.StringEquals?.['elasticfilesystem:AccessPointArn'] ?? null).includes(
            accessPointId,
          ),
        ),
      ).toBe(true);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  let configurations: Synthesized[];

  beforeAll(() => {
    // Dual stack adds an IPv6 block, routes, an egress-only gateway and IPv6 rules: the same checks.
    configurations = [
      s,
      productionLike,
      synthPipeline({ ipv6: true }),
      synthPipeline({ envName: 'prod', azCount: 3, natMode: 'perAz', ipv6: true }),
    ];
  });

  it('reports no unacknowledged error or warning (sandbox and production-like settings, IPv4 and dual stack)', () => {
    for (const { app } of configurations) expect(nagFindings(app)).toEqual([]);
  });

  it('has exactly one acknowledgement per finding, on the resource the finding is reported on', () => {
    for (const { app } of configurations) {
      const findings = nagFindings(app, { ignoreAcknowledgements: true })
        .map((f) => `${f.path} ${f.id}`)
        .sort();
      const acks = acknowledgements(app)
        .filter((a) => a.id.startsWith('AwsSolutions-'))
        .map((a) => `${a.path} ${a.id}`)
        .sort();
      expect(acks).toEqual(findings);
    }
  });

  it('acknowledges exact findings with a reason, never a whole rule that reports several', () => {
    for (const { app } of configurations) {
      for (const ack of acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-'))) {
        if (/^AwsSolutions-IAM[45]/.test(ack.id)) expect(ack.id).toMatch(/\[(Resource|Action|Policy)::.+\]$/);
        expect(ack.reason.length).toBeGreaterThan(40);
      }
    }
  });

  it('fails synth on a finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Unsafe');
    new s3.Bucket(stack, 'Bucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrowError(expect.objectContaining({ name: 'ValidationFailed' }));
  });
});
