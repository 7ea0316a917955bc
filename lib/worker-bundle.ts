import { buildSync } from 'esbuild';
import { resolve } from 'node:path';
import { Entry, WORKER_BUNDLE } from './contract.js';

/** Lets the CommonJS parts of bundled dependencies call `require` inside an ES module. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);";

/**
 * Bundles the worker into the single file the image copies (`WORKER_BUNDLE`). Everything is
 * bundled, the AWS SDK included, because the image is a bare Node.js. Returns the bundle's path.
 */
export function bundleWorker(repoRoot: string): string {
  const outfile = resolve(repoRoot, WORKER_BUNDLE);
  buildSync({
    entryPoints: [resolve(repoRoot, Entry.worker)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: false,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: repoRoot,
  });
  return outfile;
}
