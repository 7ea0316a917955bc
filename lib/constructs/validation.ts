import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A construct was given something it cannot build. The message starts with the construct's path
 * in brackets, as CDK's own validation failures do. (aws-cdk-lib's `ValidationError` is internal
 * to it; of its errors only `Errors.isValidationError` is public.) Thrown from the constructor, so
 * the stack trace points at the code that passed the value.
 */
export class ConstructValidationError extends Error {
  override readonly name: string = 'ConstructValidationError';
  /** Path of the construct that refused the value; undefined when a plain class refused it. */
  readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `[${scope.node.path}] ${message}` : message);
    this.constructPath = scope?.node.path;
  }
}

/** A prop outside what the construct accepts, named with what was given and what is allowed. */
export class PropValidationError extends ConstructValidationError {
  override readonly name = 'PropValidationError';

  constructor(
    /** The prop, as it is named in the construct's props. */
    readonly prop: string,
    given: unknown,
    allowed: string,
    scope?: IConstruct,
  ) {
    super(`${prop} must be ${allowed}; got ${describeValue(given)}`, scope);
  }
}

/**
 * Returns `value` when it is a whole number from `min` to `max` (or a token, known only at deploy
 * time); throws a `PropValidationError` otherwise.
 */
export function checkWholeNumber(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (Token.isUnresolved(value)) return value;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new PropValidationError(prop, value, `a whole number ${range}`, scope);
  }
  return value;
}

/** A value as it would be written in code: strings quoted, lists bracketed. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  return String(value);
}
