/**
 * Glue (Hive) column types derived from a JSON schema (contract/json-schema.ts), so the Glue table
 * over the results is never written by hand beside the schema it must match.
 */
import { columnSchema, type ColumnSchema, type ObjectSchema } from '../contract/json-schema.js';

/** A Glue table column, as `CfnTable`'s `columns` takes it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

const SCALARS = { string: 'string', integer: 'bigint', number: 'double', boolean: 'boolean' } as const;

/** The Hive type string of a column: `bigint`, `array<string>`, `struct<reads:bigint,…>`. */
export function hiveType(schema: ColumnSchema): string {
  switch (schema.kind) {
    case 'array':
      return `array<${hiveType(schema.items)}>`;
    case 'object':
      return `struct<${schema.fields.map((f) => `${fieldName(f.name)}:${hiveType(f.type)}`).join(',')}>`;
    default:
      return SCALARS[schema.kind];
  }
}

/**
 * One column per top-level field of the document. Glue and Athena fold column names to lower
 * case, so a top-level name must already be; nested names keep their case (the JSON SerDe
 * matches them without regard to case).
 */
export function glueColumns(document: ObjectSchema): GlueColumn[] {
  return Object.entries(document.fields).map(([name, schema]) => {
    if (fieldName(name) !== name.toLowerCase()) {
      throw new Error(`a Glue column name must be lower case: '${name}'`);
    }
    return { name, type: hiveType(columnSchema(schema)) };
  });
}

/** Hive type strings have no quoting for names with other characters. */
function fieldName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a Hive field name: '${name}'`);
  return name;
}
