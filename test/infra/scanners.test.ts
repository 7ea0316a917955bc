import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/constructs/paths.js';
import { acknowledgeCheckov, CHECKOV_METADATA_KEY } from '../../lib/constructs/scanners.js';
import { synthPipeline } from './synth.js';

describe('acknowledgeCheckov', () => {
  const queueIn = () => new sqs.Queue(new Stack(new App(), 'Test'), 'Queue');
  const skipsOf = (queue: sqs.Queue) =>
    (queue.node.defaultChild as CfnResource).getMetadata(CHECKOV_METADATA_KEY) as {
      skip: { id: string; comment: string }[];
    };

  it('puts the check and its reason in the Metadata of the construct’s CloudFormation resource', () => {
    const queue = queueIn();
    acknowledgeCheckov(queue, 'CKV_AWS_27', 'first reason');
    acknowledgeCheckov(queue, 'CKV_AWS_999', 'other check');
    acknowledgeCheckov(queue, 'CKV_AWS_27', 'second reason');
    expect(skipsOf(queue).skip).toEqual([
      { id: 'CKV_AWS_999', comment: 'other check' },
      { id: 'CKV_AWS_27', comment: 'second reason' },
    ]);
  });

  it('refuses something that is not a checkov check id', () => {
    expect(() => acknowledgeCheckov(queueIn(), 'AwsSolutions-SQS3', 'a reason')).toThrowError(
      /^\[Test\/Queue\] not a checkov AWS check id: 'AwsSolutions-SQS3'$/,
    );
  });

  it('refuses an acknowledgement without a reason', () => {
    expect(() => acknowledgeCheckov(queueIn(), 'CKV_AWS_27', ' ')).toThrowError(
      /^\[Test\/Queue\] acknowledging CKV_AWS_27 needs a reason$/,
    );
  });

  it('refuses a construct without a CloudFormation resource', () => {
    const scope = new Construct(new Stack(new App(), 'Test'), 'Empty');
    expect(() => acknowledgeCheckov(scope, 'CKV_AWS_27', 'a reason')).toThrowError(
      /^\[Test\/Empty\] has no CloudFormation resource to acknowledge CKV_AWS_27 on$/,
    );
  });
});

const SCANNERS = ['.venv/scan/bin/cfn-lint', '.venv/scan/bin/checkov'].map(repoPath);
// CI always scans (scripts/scan.sh installs the scanners when they are missing); elsewhere the
// test waits for `bash scripts/setup-python.sh` to have installed them.
const scan = SCANNERS.every(existsSync) || process.env.CI ? it : it.skip;

describe('template scanners', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 's3-pipeline-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  scan(
    'cfn-lint and checkov find nothing open in the default and production-like templates, IPv4 and dual stack',
    () => {
      // What the CDK CLI adds to every synth; cfn-lint relaxes some rules for CDK templates it
      // recognises by the metadata these add.
      const cli = { 'aws:cdk:version-reporting': true, 'aws:cdk:enable-path-metadata': true };
      // The configurations scripts/scan.sh synthesizes with `cdk synth`.
      const configurations = [
        {},
        {
          envName: 'prod',
          azCount: 3,
          natMode: 'perAz',
          alarmEmail: 'ops@example.com',
          dispatcherReservedConcurrency: 50,
        },
        // Dual stack without a NAT (a dual-stack endpoint, no egress-only gateway) and with one per AZ.
        { envName: 'dualstack', ipv6: true },
        {
          envName: 'prod-dualstack',
          azCount: 3,
          natMode: 'perAz',
          ipv6: true,
          alarmEmail: 'ops@example.com',
          dispatcherReservedConcurrency: 50,
        },
      ];
      for (const overrides of configurations) {
        const { stack, template } = synthPipeline({ ...cli, ...overrides });
        writeFileSync(path.join(dir, `${stack.stackName}.template.json`), JSON.stringify(template.toJSON()));
      }

      const result = spawnSync('bash', [repoPath('scripts/scan.sh'), dir], {
        cwd: repoPath('.'),
        encoding: 'utf8',
      });
      const output = `${result.stdout}${result.stderr}`;
      expect(result.status, output).toBe(0);
      expect(output).toMatch(/cfn-lint: 4 templates, 0 errors, 0 warnings, 0 informational/);
      expect(output).toMatch(/checkov: \d+ resources, \d+ passed, 0 failed, \d+ skipped/);
      // Four templates through two scanners each take minutes on a small machine.
    },
    600_000,
  );

  it('gives every checkov acknowledgement in the stack a reason', () => {
    type Resource = { Metadata?: { [CHECKOV_METADATA_KEY]?: { skip?: { id: string; comment: string }[] } } };
    const resources = Object.values(synthPipeline().template.toJSON().Resources as Record<string, Resource>);
    const skips = resources.flatMap((r) => r.Metadata?.[CHECKOV_METADATA_KEY]?.skip ?? []);
    expect(skips.length).toBeGreaterThan(0);
    for (const { id, comment } of skips) {
      expect(id).toMatch(/^CKV2?_AWS_\d+$/);
      expect(comment.length, id).toBeGreaterThan(60);
    }
  });
});
