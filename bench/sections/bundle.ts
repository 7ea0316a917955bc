/**
 * The dispatcher's Lambda bundle, built as it is deployed (local/bundle.ts): its size, and how
 * long a cold Node process takes to import it, against a bare Node start-up, alternately. The
 * AWS SDK is in the bundle, as deployed (lib/bundle-options.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DISPATCHER_ENV, Env, WORKER_CONTAINER_NAME, type EnvName } from '../../contract/names.js';
import { DEFAULTS } from '../../lib/config.js';
import { bundleLocal } from '../../local/bundle.js';
import { buildRoutingPolicy } from '../../contract/routing.js';
import { REPO_ROOT } from '../lib/inputs.js';
import { median } from '../lib/stats.js';
import { formatTable } from '../lib/table.js';
import { alternate, type BenchContext } from './context.js';

/**
 * Enough for the handler module to load: names that resolve nowhere, no credentials. A variable
 * the dispatcher needs that is not listed here gets `1`, which any number or name accepts.
 */
function harmlessDispatcherEnv(): Record<string, string> {
  const known: Partial<Record<EnvName, string>> = {
    [Env.JOBS_TABLE]: 'bench-jobs',
    [Env.SHARED_MOUNT_PATH]: '/tmp/bench-shared',
    [Env.CLUSTER_ARN]: 'arn:aws:ecs:us-east-1:000000000000:cluster/bench',
    [Env.TASK_DEFINITION_ARN]: 'arn:aws:ecs:us-east-1:000000000000:task-definition/bench:1',
    [Env.WORKER_CONTAINER_NAME]: WORKER_CONTAINER_NAME,
    [Env.WORKER_SUBNETS]: 'subnet-00000000',
    [Env.WORKER_SECURITY_GROUPS]: 'sg-00000000',
    [Env.ROUTING_POLICY]: JSON.stringify(
      buildRoutingPolicy({
        lambdaTimeoutSeconds: DEFAULTS.lambdaTimeoutSeconds,
        lambdaMemoryMb: DEFAULTS.lambdaMemoryMb,
      }),
    ),
    [Env.MAX_OBJECT_BYTES]: String(100 * 1024 ** 3),
    [Env.JOB_TTL_DAYS]: '30',
  };
  return {
    ...Object.fromEntries(DISPATCHER_ENV.map((name) => [name, known[name] ?? '1'])),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };
}

export async function bundleSection(ctx: BenchContext): Promise<void> {
  ctx.log('\n== Lambda bundle');
  const outDir = path.join(REPO_ROOT, '.bench', 'bundle');
  const bundles = await bundleLocal(outDir);
  // Every function and the worker; the local Lambda host is not shipped.
  const sizes = Object.entries(bundles)
    .filter(([name]) => name !== 'lambdaHost')
    .map(([, file]: [string, string]) => ({
      name: path.basename(file),
      bytes: statSync(file).size,
      gzipBytes: gzipSync(readFileSync(file), { level: 9 }).length,
    }));

  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...harmlessDispatcherEnv() };
  const importing = `await import(${JSON.stringify(pathToFileURL(bundles.dispatcher).href)})`;
  const runs = Math.max(10, ctx.options.runs);
  const node = (code: string) => [process.execPath, '--input-type=module', '-e', code];
  const [bare = [], cold = []] = await alternate(
    ctx,
    [
      { name: 'node (empty module)', argv: node(''), options: { env } },
      { name: 'node importing dispatcher.mjs', argv: node(importing), options: { env } },
    ],
    runs,
  );
  const ms = (results: typeof bare) => median(results.map((r) => r.seconds)) * 1000;
  const bareMs = ms(bare);
  const coldMs = ms(cold);

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  ctx.extras.push(
    [
      '### Lambda bundles (esbuild via local/bundle.ts, the AWS SDK included)',
      '',
      formatTable(
        [{ header: 'bundle' }, { header: 'size', align: 'right' }, { header: 'gzip -9', align: 'right' }],
        sizes.map((s) => [s.name, kib(s.bytes), kib(s.gzipBytes)]),
      ),
      '',
      `Cold import of dispatcher.mjs (whole \`node\` process, median of ${runs}, alternating with an empty one): ` +
        `${coldMs.toFixed(0)} ms, of which ${(coldMs - bareMs).toFixed(0)} ms is the import ` +
        `(an empty Node process: ${bareMs.toFixed(0)} ms). The handler's module scope builds its ` +
        'settings and SDK clients; no request is made.',
    ].join('\n'),
  );
  ctx.log(
    `  dispatcher.mjs ${kib(sizes[0]?.bytes ?? 0)}; cold import ${coldMs.toFixed(0)} ms (bare node ${bareMs.toFixed(0)} ms)`,
  );
}
