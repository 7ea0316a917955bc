import { CfnResource, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ConstructValidationError, describeValue } from './validation.js';

/** Key of the CloudFormation resource `Metadata` entry checkov reads its suppressions from. */
export const CHECKOV_METADATA_KEY = 'checkov';

/** One suppression as checkov reads it: `Metadata.checkov.skip[]`. */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/**
 * Acknowledges one failed checkov check on the CloudFormation resource it fails on: the
 * construct's default child (`…/Resource`) when it has one, else the construct itself. The check
 * is added to the resource's `Metadata.checkov.skip` with `reason` as its comment; checkov then
 * reports it as skipped with that comment. `id` is one check, e.g. `CKV_AWS_116`.
 * scripts/scan.sh fails on an acknowledgement whose check would pass without it.
 */
export function acknowledgeCheckov(scope: IConstruct, id: string, reason: string): void {
  if (!/^CKV2?_AWS_\d+$/.test(id)) {
    throw new ConstructValidationError(`not a checkov AWS check id: ${describeValue(id)}`, scope);
  }
  if (reason.trim().length === 0) {
    throw new ConstructValidationError(`acknowledging ${id} needs a reason`, scope);
  }
  const resource = scope.node.defaultChild ?? scope;
  if (!CfnResource.isCfnResource(resource)) {
    throw new ConstructValidationError(`has no CloudFormation resource to acknowledge ${id} on`, scope);
  }
  const skips = checkovSkips(resource).filter((skip) => skip.id !== id);
  resource.addMetadata(CHECKOV_METADATA_KEY, { skip: [...skips, { id, comment: reason }] });
}

/** The checkov suppressions already on a resource. */
function checkovSkips(resource: CfnResource): CheckovSkip[] {
  const metadata = resource.getMetadata(CHECKOV_METADATA_KEY) as { skip?: CheckovSkip[] } | undefined;
  return metadata?.skip ?? [];
}

/**
 * Why the checks on Lambda functions fail for the handlers of CDK's own custom resources, which
 * CloudFormation invokes during a deployment only, and which take no input from users.
 */
const CDK_HANDLER_REASONS = {
  CKV_AWS_115:
    'CloudFormation invokes it once per change of its custom resource, during deployments only; a reservation would only take concurrency from the account.',
  CKV_AWS_116:
    'CloudFormation awaits its response and reports a failure as a stack event that rolls the deployment back; a dead-letter queue would hold nothing anyone acts on.',
  CKV_AWS_117:
    'It calls only the AWS APIs its role allows, during deployments; inside the VPC it would reach the same APIs through endpoints, so an ENI would be added without narrowing what it can do.',
} as const;

/**
 * Acknowledges the Lambda checks on the handler of a stack-level custom resource provider CDK
 * adds (bucket notifications, auto-delete objects, default security group restriction), found
 * by the start of its id in the stack. Does nothing when the stack has no such provider.
 * `what` names the handler in the reasons.
 */
export function acknowledgeCdkHandler(stack: Stack, idPrefix: string, what: string): void {
  for (const provider of stack.node.children.filter((c) => c.node.id.startsWith(idPrefix))) {
    // A CustomResourceProvider keeps its function in `Handler`; a SingletonFunction-like
    // construct such as the notifications handler in `Resource`.
    const handler = provider.node.tryFindChild('Handler') ?? provider.node.defaultChild;
    if (!handler) continue;
    for (const [id, reason] of Object.entries(CDK_HANDLER_REASONS)) {
      acknowledgeCheckov(handler, id, `${what} (CDK custom resource handler): ${reason}`);
    }
  }
}

/** Ids CDK gives its stack-level custom resource providers (they start with these). */
export const CDK_HANDLER_ID = {
  BUCKET_NOTIFICATIONS: 'BucketNotificationsHandler',
  AUTO_DELETE_OBJECTS: 'Custom::S3AutoDeleteObjectsCustomResourceProvider',
  RESTRICT_DEFAULT_SG: 'Custom::VpcRestrictDefaultSGCustomResourceProvider',
} as const;

/** Why a log group has no customer managed key (checkov CKV_AWS_158), given what it holds. */
export function logGroupKeyReason(holds: string): string {
  return `Encrypted at rest by CloudWatch Logs' default encryption. It holds ${holds}, never file contents, and only principals allowed to read this log group by IAM can read it; a customer managed key would add a second policy to keep in step without a reader it keeps out.`;
}
