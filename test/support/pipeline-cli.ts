import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ConsoleOutcome {
  /** The exit code; `null` when the process was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `pipeline <args>` in its own process, as `npm run pipeline` starts it (the bundled console),
 * with `env` added to this process's environment. Asynchronous, so a local cloud running in this
 * process keeps answering.
 */
export function runPipeline(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ConsoleOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'scripts/bundled.mjs'), 'bin/pipeline.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}
