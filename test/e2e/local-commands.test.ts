/**
 * What `npm run local` and `npm run demo` do with settings they cannot use: one line that says
 * why, a non-zero exit, and nothing started. Needs no cloud: it runs with the local target only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/emulator.js';
import { localTargetOnly } from './target-name.js';

const exec = promisify(execFile);
const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

async function run(script: string, args: string[], env: Record<string, string>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3-pipeline-refused-'));
  const stateDir = path.join(dir, 'state');
  try {
    const result = await exec(tsx, [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LOCAL_STATE_DIR: stateDir, NODE_NO_WARNINGS: '1' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    return { ...result, started: existsSync(stateDir) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const skip = localTargetOnly('starts no cloud, so another target adds nothing');

describe.skipIf(skip)('settings the local commands refuse', () => {
  it.each([
    [
      'local/serve.ts',
      [],
      'crash=2',
      /^local cloud failed: PIPELINE_CHAOS: crash must be a rate between 0 and 1/,
    ],
    ['local/serve.ts', [], 'foo=0.1', /^local cloud failed: PIPELINE_CHAOS: "foo=0.1" is not one of/],
    [
      'local/serve.ts',
      ['--emulator', 'localstack'],
      'crash=0.2',
      /^local cloud failed: PIPELINE_CHAOS: .*LocalStack runs the functions itself/,
    ],
    ['local/demo.ts', [], 'foo=0.1', /^demo failed: PIPELINE_CHAOS: "foo=0.1" is not one of/],
  ])(
    '%s %j refuses PIPELINE_CHAOS=%s in one line, before starting anything',
    async (script, args, chaos, message) => {
      const { code, stdout, stderr, started } = await run(script, args, { PIPELINE_CHAOS: chaos });
      expect(code).not.toBe(0);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toMatch(message);
      expect(stdout).toBe('');
      expect(started).toBe(false);
    },
  );
});
