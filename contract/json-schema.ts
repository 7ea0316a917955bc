/**
 * A description of a JSON document's shape that exists at run time, so that one definition gives
 * both the TypeScript type (`Infer`) and what other systems need to read the document (the Glue
 * table's column types, the local query engine's): the result schema is written once, here.
 *
 * This module has no imports.
 */

/** Any text. */
export interface StringSchema {
  readonly kind: 'string';
}

/** One of a fixed set of strings. */
export interface EnumSchema<T extends string = string> {
  readonly kind: 'string';
  readonly values: readonly T[];
}

/** A whole number; `value` when it is always the same one (a version). */
export interface IntegerSchema<T extends number = number> {
  readonly kind: 'integer';
  readonly value?: T;
}

/** A JavaScript number (a double). */
export interface NumberSchema {
  readonly kind: 'number';
}

export interface BooleanSchema {
  readonly kind: 'boolean';
}

export interface ArraySchema<I extends JsonSchema = JsonSchema> {
  readonly kind: 'array';
  readonly items: I;
}

export interface ObjectSchema<F extends Fields = Fields> {
  readonly kind: 'object';
  readonly fields: F;
}

/** The value or `null`. */
export interface NullableSchema<T extends JsonSchema = JsonSchema> {
  readonly kind: 'nullable';
  readonly of: T;
}

/** A field of an object that may be left out. */
export interface OptionalSchema<T extends JsonSchema = JsonSchema> {
  readonly kind: 'optional';
  readonly of: T;
}

export type JsonSchema =
  | StringSchema
  | EnumSchema
  | IntegerSchema
  | NumberSchema
  | BooleanSchema
  | ArraySchema
  | ObjectSchema
  | NullableSchema;

export type Fields = { readonly [name: string]: JsonSchema | OptionalSchema };

/** The TypeScript type of the documents a schema describes. */
export type Infer<S> =
  S extends EnumSchema<infer T>
    ? T
    : S extends StringSchema
      ? string
      : S extends IntegerSchema<infer T>
        ? T
        : S extends NumberSchema
          ? number
          : S extends BooleanSchema
            ? boolean
            : S extends ArraySchema<infer I>
              ? Infer<I>[]
              : S extends NullableSchema<infer T>
                ? Infer<T> | null
                : S extends ObjectSchema<infer F>
                  ? InferFields<F>
                  : never;

type RequiredKeys<F> = { [K in keyof F]: F[K] extends OptionalSchema ? never : K }[keyof F];
type OptionalKeys<F> = { [K in keyof F]: F[K] extends OptionalSchema ? K : never }[keyof F];

/** Flattens an intersection, so editors show one object type. */
type Flat<T> = { [K in keyof T]: T[K] };

type InferFields<F> = Flat<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & {
    [K in OptionalKeys<F>]?: F[K] extends OptionalSchema<infer T> ? Infer<T> : never;
  }
>;

/** Builders of schemas, named after the JSON they describe. */
export const json = {
  string: (): StringSchema => ({ kind: 'string' }),
  oneOf: <const T extends string>(values: readonly T[]): EnumSchema<T> => ({ kind: 'string', values }),
  integer: (): IntegerSchema => ({ kind: 'integer' }),
  literal: <const T extends number>(value: T): IntegerSchema<T> => ({ kind: 'integer', value }),
  number: (): NumberSchema => ({ kind: 'number' }),
  boolean: (): BooleanSchema => ({ kind: 'boolean' }),
  array: <I extends JsonSchema>(items: I): ArraySchema<I> => ({ kind: 'array', items }),
  object: <const F extends Fields>(fields: F): ObjectSchema<F> => ({ kind: 'object', fields }),
  nullable: <T extends JsonSchema>(of: T): NullableSchema<T> => ({ kind: 'nullable', of }),
  optional: <T extends JsonSchema>(of: T): OptionalSchema<T> => ({ kind: 'optional', of }),
} as const;

/**
 * The type a reader of tables gives a value: absence and `null` are the same to a column, so
 * `optional` and `nullable` fall away, and both kinds of string are strings.
 */
export type ColumnSchema =
  | { kind: 'string' | 'integer' | 'number' | 'boolean' }
  | { kind: 'array'; items: ColumnSchema }
  | { kind: 'object'; fields: readonly { name: string; type: ColumnSchema }[] };

/** `schema` as a table column sees it (see `ColumnSchema`). */
export function columnSchema(schema: JsonSchema | OptionalSchema): ColumnSchema {
  switch (schema.kind) {
    case 'optional':
    case 'nullable':
      return columnSchema(schema.of);
    case 'array':
      return { kind: 'array', items: columnSchema(schema.items) };
    case 'object':
      return {
        kind: 'object',
        fields: Object.entries(schema.fields).map(([name, type]) => ({ name, type: columnSchema(type) })),
      };
    default:
      return { kind: schema.kind };
  }
}
