/**
 * `node scripts/bundled.mjs lib/bundle-parse-thread.ts OUT_DIR`: writes the parse thread's bundle
 * into OUT_DIR. `PipelineFunction` runs it after the CDK bundles a function that runs jobs.
 */
import { bundleParseThread } from './bundling.js';
import { REPO_ROOT } from './constructs/paths.js';

const [outDir] = process.argv.slice(2);
if (outDir === undefined) {
  process.stderr.write('usage: node scripts/bundled.mjs lib/bundle-parse-thread.ts OUT_DIR\n');
  process.exit(2);
}
bundleParseThread(REPO_ROOT, outDir);
