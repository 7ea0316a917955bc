import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/constructs/paths.js';
import { NETWORK_DOC_COMMAND, NETWORK_DOC_PATH, renderNetworkDoc } from '../../lib/network-doc.js';
import { synthPipeline } from './synth.js';

describe('docs/network.md', () => {
  it('is what the default stack synthesizes now', () => {
    const written = readFileSync(repoPath(NETWORK_DOC_PATH), 'utf8');
    const now = renderNetworkDoc(synthPipeline().template.toJSON());
    expect(written, `${NETWORK_DOC_PATH} is out of date: run \`${NETWORK_DOC_COMMAND}\` and commit it`).toBe(
      now,
    );
  });
});
