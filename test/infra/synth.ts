import { Stack, Validations, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { PipelineConfig } from '../../lib/config.js';
import { addPipelineStack, appWithContext } from '../../lib/pipeline-app.js';
import type { PipelineStack } from '../../lib/pipeline-stack.js';

export { cdkJsonContext } from '../../lib/pipeline-app.js';

export interface Synthesized {
  app: App;
  stack: PipelineStack;
  config: PipelineConfig;
  template: Template;
}

/**
 * Builds the app as bin/app.ts does (cdk.json context, then `overrides`) and synthesizes it: a
 * cdk-nag finding nobody acknowledged fails right here.
 */
export function synthPipeline(overrides: Record<string, unknown> = {}): Synthesized {
  const app = appWithContext(overrides);
  const { stack, config } = addPipelineStack(app);
  return { app, stack, config, template: Template.fromStack(stack) };
}

/** A stack in an app with the cdk.json context and no asset bundling, for tests of single constructs. */
export function testStack(id = 'Test'): Stack {
  return new Stack(appWithContext(), id);
}

export interface Finding {
  path: string;
  id: string;
}

/** What AwsSolutions reports for the tree; with `ignoreAcknowledgements`, as if nothing were acknowledged. */
export function nagFindings(
  scope: IConstruct,
  options: { ignoreAcknowledgements?: boolean } = {},
): Finding[] {
  const pack = new AwsSolutionsChecks();
  if (options.ignoreAcknowledgements) {
    // The pack's own lookup of acknowledgements, switched off for this instance only.
    Object.assign(pack, { isAcknowledged: () => false });
  }
  const report = pack.validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ path: r.constructPath ?? '', id: v.ruleName })),
  );
}

/** Every `Validations.acknowledge` made in the tree, with its reason. */
export function acknowledgements(scope: IConstruct): (Finding & { reason: string })[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([key, reason]) => ({
          path: c.node.path,
          id: key.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/** Resources of a type as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** The one resource of a type whose logical id is `prefix` and CDK's 8-character hash. */
export function resourceNamed(template: Template, type: string, prefix: string): [string, Resource] {
  const matches = resourcesOf(template, type).filter(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  if (matches.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${matches.length}`);
  return matches[0]!;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
  Sid?: string;
}

/** All statements of the identity policies attached to a role (by the role's logical id prefix). */
export function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const [roleId] = resourceNamed(template, 'AWS::IAM::Role', rolePrefix);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties?.Roles as unknown[]) ?? []).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Environment variable names of the Lambda function whose logical id starts with `prefix`. */
export function functionEnvNames(template: Template, prefix: string): string[] {
  const [, fn] = resourceNamed(template, 'AWS::Lambda::Function', prefix);
  const env =
    (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return Object.keys(env).sort();
}
