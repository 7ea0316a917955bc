/**
 * `npm run network-doc` — synthesizes the stack with the default configuration (cdk.json context,
 * as the infra tests do) and writes docs/network.md from its template.
 */
import { writeFileSync } from 'node:fs';
import { NETWORK_DOC_PATH, renderNetworkDoc } from '../lib/network-doc.js';
import { repoPath } from '../lib/constructs/paths.js';
import { addPipelineStack, appWithContext } from '../lib/pipeline-app.js';

const app = appWithContext();
const { stack } = addPipelineStack(app);
const template = app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
writeFileSync(repoPath(NETWORK_DOC_PATH), renderNetworkDoc(template));
process.stderr.write(`wrote ${NETWORK_DOC_PATH}\n`);
