import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

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
  if (!policy) throw new Error(`no default policy on ${String(principal)} to acknowledge ${id} on`);
  acknowledgeFinding(policy, id, reason);
}

/** How cdk-nag writes a resource's `Fn::GetAtt Arn` in a finding: `<LogicalId.Arn>`. */
export function arnToken(resource: IConstruct): string {
  const cfn = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(cfn)) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  return `<${Stack.of(resource).getLogicalId(cfn)}.Arn>`;
}

/** How cdk-nag writes `arn:${Partition}:<service>:${Region}:${AccountId}:<resource>` in a finding. */
export function regionalArnPattern(service: string, resource: string): string {
  return `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
}

export const MANAGED_POLICY_FINDING = {
  LAMBDA_BASIC:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  LAMBDA_VPC:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
} as const;
