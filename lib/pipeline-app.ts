import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { loadConfig, type PipelineConfig } from './config.js';
import { repoPath } from './constructs/paths.js';
import { PipelineStack } from './pipeline-stack.js';

/**
 * The pipeline's stack in `app`, configured from the app's context, with cdk-nag AwsSolutions
 * registered: how `cdk synth` (bin/app.ts), the infra tests and the generated documents build it.
 */
export function addPipelineStack(app: App): { stack: PipelineStack; config: PipelineConfig } {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const stack = new PipelineStack(app, `S3Pipeline-${config.envName}`, {
    config,
    description: `S3 event-driven data pipeline (${config.envName})`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, config };
}

/** The context `cdk synth` uses: `new App()` outside the CDK CLI does not read cdk.json by itself. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/**
 * Context that skips asset bundling (CDK's own switch, what `cdk deploy --exclusively` uses): the
 * templates are the same but for asset hashes, and need no runtime code bundled at this moment.
 */
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** An app with cdk.json's context and then `overrides`, without asset bundling. */
export function appWithContext(overrides: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), ...SKIP_BUNDLING, ...overrides } });
}
