import { App } from 'aws-cdk-lib';
import { REPO_ROOT } from '../lib/constructs/paths.js';
import { bundleWorker } from '../lib/bundling.js';
import { addPipelineStack } from '../lib/pipeline-app.js';

const app = new App();

// The image asset copies this bundle, so it is rebuilt on every synth.
bundleWorker(REPO_ROOT);

addPipelineStack(app);
