import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config.js';
import { REPO_ROOT } from '../lib/constructs/paths.js';
import { PipelineStack } from '../lib/pipeline-stack.js';
import { bundleWorker } from '../lib/bundling.js';

const app = new App();
const config = loadConfig((key) => app.node.tryGetContext(key));

// The image asset copies this bundle, so it is rebuilt on every synth.
bundleWorker(REPO_ROOT);

new PipelineStack(app, `S3Pipeline-${config.envName}`, {
  config,
  description: `S3 event-driven data pipeline (${config.envName})`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
