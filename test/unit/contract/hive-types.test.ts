import { describe, expect, it } from 'vitest';
import { columnSchema, json } from '../../../contract/json-schema.js';
import { RESULT_DOCUMENT } from '../../../contract/result-schema.js';
import { glueColumns, hiveType } from '../../../lib/hive-types.js';

const typeOf = (schema: Parameters<typeof columnSchema>[0]) => hiveType(columnSchema(schema));

describe('hiveType', () => {
  it('maps scalars to string, bigint, double and boolean', () => {
    expect([json.string(), json.integer(), json.number(), json.boolean()].map(typeOf)).toEqual([
      'string',
      'bigint',
      'double',
      'boolean',
    ]);
  });

  it('types an enum as string and a literal version as bigint', () => {
    expect(typeOf(json.oneOf(['fastq', 'csv']))).toBe('string');
    expect(typeOf(json.literal(1))).toBe('bigint');
  });

  it('drops nullable and optional: a missing field and a null are both NULL in a column', () => {
    expect(typeOf(json.nullable(json.string()))).toBe('string');
    expect(typeOf(json.object({ min: json.optional(json.number()) }))).toBe('struct<min:double>');
  });

  it('nests arrays and structs, keeping field order and the case of field names', () => {
    const schema = json.object({
      header: json.array(json.string()),
      columnProfiles: json.array(json.object({ name: json.string(), nullCount: json.integer() })),
    });
    expect(typeOf(schema)).toBe(
      'struct<header:array<string>,columnProfiles:array<struct<name:string,nullCount:bigint>>>',
    );
  });

  it('refuses a field name a Hive type string cannot hold', () => {
    expect(() => typeOf(json.object({ 'a b': json.string() }))).toThrowError(
      /^not a Hive field name: 'a b'$/,
    );
  });
});

describe('glueColumns', () => {
  it('gives the result document a job and a report column, typed from the one schema', () => {
    const [job, report] = glueColumns(RESULT_DOCUMENT);
    expect(job).toEqual({
      name: 'job',
      type:
        'struct<jobId:string,bucket:string,key:string,versionId:string,route:string,attempt:bigint,' +
        'startedAt:string,finishedAt:string,durationMs:bigint,sourceLastModified:string>',
    });
    expect(report?.name).toBe('report');
    expect(report?.type).toMatch(/^struct<schemaVersion:bigint,format:string,input:struct<name:string,/);
    expect(report?.type).toContain(',q30Percent:double,');
    expect(report?.type).toContain(
      ',csv:struct<rows:bigint,columns:bigint,header:array<string>,columnProfiles:array<struct<name:string,type:string,',
    );
  });

  it('refuses a top-level name that is not lower case (Glue folds column names)', () => {
    expect(() => glueColumns(json.object({ Job: json.string() }))).toThrowError(
      /^a Glue column name must be lower case: 'Job'$/,
    );
  });
});
