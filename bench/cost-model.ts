/**
 * `npm run cost-model` — predicted duration and cost of a job on Lambda and on Fargate by object
 * size, from contract/calibration.json; writes docs/cost-model.md and docs/cost-chart.svg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from '../lib/config.js';
import { buildRoutingPolicy, lambdaMaxBytes } from '../contract/routing.js';
import { renderCostChart, renderCostDoc } from './lib/cost-doc.js';
import type { Calibration } from './lib/cost.js';
import { REPO_ROOT } from './lib/inputs.js';

const calibrationFile = path.join(REPO_ROOT, 'contract', 'calibration.json');
const cal = JSON.parse(readFileSync(calibrationFile, 'utf8')) as Calibration & { measuredOn: string };
const policy = buildRoutingPolicy({
  lambdaTimeoutSeconds: DEFAULTS.lambdaTimeoutSeconds,
  lambdaMemoryMb: DEFAULTS.lambdaMemoryMb,
  safetyFactor: DEFAULTS.routingSafetyFactor,
});
const doc = renderCostDoc({
  cal,
  routing: {
    lambdaMaxBytes: (w) => lambdaMaxBytes(w, policy),
    description:
      `${DEFAULTS.lambdaMemoryMb} MB, ${DEFAULTS.lambdaTimeoutSeconds} s timeout, budget ${policy.lambdaBudgetSeconds} s, ` +
      `safety factor ${policy.safetyFactor}`,
  },
});
const docs = path.join(REPO_ROOT, 'docs');
writeFileSync(path.join(docs, 'cost-model.md'), doc);
writeFileSync(path.join(docs, 'cost-chart.svg'), renderCostChart(cal));
process.stderr.write('wrote docs/cost-model.md and docs/cost-chart.svg\n');
