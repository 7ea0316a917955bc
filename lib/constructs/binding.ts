import type * as iam from 'aws-cdk-lib/aws-iam';
import type { EnvName } from '../../contract/names.js';

/**
 * Something that runs our code: it can be given an environment variable and permissions.
 * A `lambda.Function` is one as it is; a container is one together with its task role.
 * Constructs expose `bind…(consumer)` methods that set the variable and the grant in one call,
 * so the name a handler reads and the permission it needs cannot drift apart.
 */
export interface EnvConsumer extends iam.IGrantable {
  addEnvironment(name: EnvName, value: string): unknown;
}
