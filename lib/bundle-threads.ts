/**
 * `tsx lib/bundle-threads.ts OUT_DIR`: writes the bundles of the threads a
 * job starts into OUT_DIR. `PipelineFunction` runs it after the CDK bundles a function that runs
 * jobs.
 */
import { bundleThreads } from './bundling.js';
import { REPO_ROOT } from './constructs/paths.js';

const [outDir] = process.argv.slice(2);
if (outDir === undefined) {
  process.stderr.write('usage: tsx lib/bundle-threads.ts OUT_DIR\n');
  process.exit(2);
}
bundleThreads(REPO_ROOT, outDir);
