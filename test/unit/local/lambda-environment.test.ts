/**
 * The local Lambda execution environment (used by the moto runner and by LocalStack's process
 * executor): warm between invocations, a fresh one after a timeout or a crash, errors reported
 * in Lambda's words. Real processes, no AWS.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../lib/bundling.js';
import { REPO_ROOT } from '../../../local/emulator.js';
import { ExecutionEnvironment, lambdaNodeFlags } from '../../../local/lambda-environment.js';
import { resolveHandler } from '../../../local/localstack/handler.js';
import { mapMounts } from '../../../local/localstack/mounts.js';

let dir: string;
let hostBundle: string;
const environments: ExecutionEnvironment[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-lambda-env-'));
  hostBundle = await bundleFunction(REPO_ROOT, 'local/lambda-host.ts', path.join(dir, 'lambda-host.mjs'));
  // A handler with module-scope state, to tell a warm environment from a cold one.
  await writeFile(
    path.join(dir, 'index.mjs'),
    `let calls = 0;
export const handler = async (event, context) => {
  calls += 1;
  if (event.fail) throw new TypeError('bad ' + event.fail);
  if (event.crash) process.exit(3);
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return { calls, remaining: context.getRemainingTimeInMillis() > 0, name: context.functionName };
};`,
  );
  await writeFile(path.join(dir, 'legacy.js'), `exports.go = async () => 'from commonjs';`);
  await writeFile(
    path.join(dir, 'flags.mjs'),
    `export const handler = async () => ({ gc: typeof globalThis.gc, execArgv: process.execArgv });`,
  );
});

afterAll(async () => {
  for (const environment of environments) environment.kill();
  await rm(dir, { recursive: true, force: true });
});

function environment(handlerFile = path.join(dir, 'index.mjs'), handlerExport?: string, execArgv?: string[]) {
  const env = new ExecutionEnvironment({
    hostBundle,
    handlerFile,
    handlerExport,
    execArgv,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    stdout: 'inherit',
    stderr: 'inherit',
  });
  environments.push(env);
  return env;
}

const invocation = (event: unknown, timeoutMs = 5000) => ({
  event,
  timeoutMs,
  functionName: 'f',
  memoryMb: 128,
});

describe('ExecutionEnvironment', () => {
  it('keeps module state between invocations of a warm environment', async () => {
    const env = environment();
    expect(await env.invoke(invocation({}))).toMatchObject({
      ok: true,
      result: { calls: 1, remaining: true, name: 'f' },
    });
    expect(await env.invoke(invocation({}))).toMatchObject({ ok: true, result: { calls: 2 } });
    expect(env.alive).toBe(true);
  });

  it("starts node as Lambda's runtimes do: the collector exposed, a tenth of the memory young", async () => {
    const flags = lambdaNodeFlags(1769);
    expect(flags).toEqual(['--expose-gc', '--max-semi-space-size=88', '--max-old-space-size=1592']);
    const env = environment(path.join(dir, 'flags.mjs'), undefined, flags);
    expect(await env.invoke(invocation({}))).toMatchObject({
      ok: true,
      result: { gc: 'function', execArgv: flags },
    });
  });

  it("reports a handler's error by its type and message and stays warm", async () => {
    const env = environment();
    expect(await env.invoke(invocation({ fail: 'input' }))).toMatchObject({
      ok: false,
      error: { type: 'TypeError', message: 'bad input' },
    });
    expect(env.alive).toBe(true);
  });

  it('kills an invocation at its timeout, as Lambda does, and is not reused', async () => {
    const env = environment();
    const outcome = await env.invoke(invocation({ sleepMs: 10_000 }, 300));
    expect(outcome).toMatchObject({
      ok: false,
      error: { type: 'Sandbox.Timedout', message: 'Task timed out after 0.30 seconds' },
    });
    expect(outcome.durationMs).toBeLessThan(5000);
    expect(env.alive).toBe(false);
  });

  it('reports a runtime that exits mid-invocation, and a dead environment answers the same', async () => {
    const env = environment();
    expect(await env.invoke(invocation({ crash: true }))).toMatchObject({
      ok: false,
      error: { type: 'Runtime.ExitError', message: 'Runtime exited with code 3' },
    });
    expect(env.alive).toBe(false);
    expect(await env.invoke(invocation({}))).toMatchObject({
      ok: false,
      error: { type: 'Runtime.ExitError' },
    });
  });

  it('runs a CommonJS handler by the export its _HANDLER names', async () => {
    const { file, exportName } = resolveHandler(dir, 'legacy.go');
    expect(await environment(file, exportName).invoke(invocation({}))).toMatchObject({
      ok: true,
      result: 'from commonjs',
    });
  });
});

describe('resolveHandler', () => {
  it('finds index.mjs before index.js for index.handler', () => {
    expect(resolveHandler(dir, 'index.handler')).toEqual({
      file: path.join(dir, 'index.mjs'),
      exportName: 'handler',
    });
  });

  it('says which files it looked for when there is none', () => {
    expect(() => resolveHandler(dir, 'missing.handler')).toThrow(/no missing\.mjs, \.js or \.cjs/);
    expect(() => resolveHandler(dir, 'handler')).toThrow(/not MODULE\.EXPORT/);
  });
});

describe('mapMounts', () => {
  it('points a mount path and the paths under it into the local folder, and nothing else', () => {
    expect(
      mapMounts(
        { SHARED: '/mnt/shared', SUB: '/mnt/shared/results', NEAR: '/mnt/sharedx', OTHER: 'x' },
        { '/mnt/shared': '/tmp/efs' },
      ),
    ).toEqual({ SHARED: '/tmp/efs', SUB: '/tmp/efs/results', NEAR: '/mnt/sharedx', OTHER: 'x' });
  });
});
