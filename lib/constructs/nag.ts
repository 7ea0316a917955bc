import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { ConstructValidationError } from './validation.js';

/**
 * Acknowledges one cdk-nag finding on the CloudFormation resource it is reported on: the
 * construct's default child (`…/Resource`) when it has one, else the construct itself.
 * `id` is the exact finding, e.g. `AwsSolutions-IAM5[Resource::*]`; never a bare rule id.
 */
export function acknowledgeFinding(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope.node.defaultChild ?? scope).acknowledge({ id, reason });
}

/**
 * Acknowledges a finding on the identity policy that grants went into for `grantee` (a role's
 * `DefaultPolicy`). Throws when there is no such policy: an acknowledgement must have its finding.
 */
export function acknowledgePolicyFinding(grantee: iam.IGrantable, id: string, reason: string): void {
  const principal = grantee.grantPrincipal;
  const policy = principal instanceof iam.Role ? principal.node.tryFindChild('DefaultPolicy') : undefined;
  if (!policy) {
    const scope = Construct.isConstruct(principal)
      ? principal
      : Construct.isConstruct(grantee)
        ? grantee
        : undefined;
    throw new ConstructValidationError(
      `has no default policy to acknowledge ${id} on (${String(principal)})`,
      scope,
    );
  }
  acknowledgeFinding(policy, id, reason);
}

/**
 * How cdk-nag writes a resource in a finding, e.g. `<DataBucketE3889A50.Arn>/incoming/*` or
 * `arn:<AWS::Partition>:s3:::my-bucket/incoming/*`: `value` (an ARN, usually with tokens) resolved
 * in `scope`'s stack, `Fn::GetAtt` as `<LogicalId.Attribute>`, `Ref` as `<Name>`, joins flattened.
 * Acknowledgements name the finding exactly, and cdk-nag does not export its own rendering.
 */
export function nagResource(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  const fn = node as Record<string, unknown>;
  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if ('Fn::Sub' in fn) return flatten(fn['Fn::Sub']);
  if (Array.isArray(fn['Fn::GetAtt'])) {
    const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if ('Fn::ImportValue' in fn) return flatten(fn['Fn::ImportValue']);
  if ('Ref' in fn) return `<${flatten(fn.Ref)}>`;
  return JSON.stringify(node);
}

export const MANAGED_POLICY_FINDING = {
  LAMBDA_BASIC:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  LAMBDA_VPC:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
} as const;
