/**
 * Runs a command as a whole process and measures it: wall-clock time from spawn to exit, and the
 * peak RSS that GNU time reports (`%M`: the largest resident set of the process or of any
 * descendant it waited for, in KiB).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Files `cat` streams, one after the other, into the command's stdin through a pipe. */
  stdinFiles?: readonly string[];
  /** Pin the command to these CPUs with `taskset -c`. */
  cpus?: string;
}

export interface RunResult {
  seconds: number;
  /** Undefined when GNU time is missing. */
  peakRssKiB?: number;
  stdout: string;
  stderr: string;
}

class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

/** Run `argv` to completion; throws CommandFailed on a non-zero exit. */
export async function runTimed(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-time-'));
  const rssFile = path.join(dir, 'rss');
  let command = [...argv];
  if (options.stdinFiles !== undefined) {
    // `cat FILES | command`, through a pipe as a shell makes it.
    const files = options.stdinFiles;
    command = [
      'bash',
      '-c',
      'n=$1; shift; cat -- "${@:1:n}" | exec "${@:n+1}"',
      'bash',
      String(files.length),
      ...files,
      ...command,
    ];
  }
  if (options.cpus !== undefined) command = ['taskset', '-c', options.cpus, ...command];
  if (hasGnuTime()) command = [GNU_TIME, '-f', '%M', '-o', rssFile, ...command];
  try {
    const started = process.hrtime.bigint();
    const child = spawn(command[0] as string, command.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) {
      throw new CommandFailed(`${argv.join(' ')} exited with ${code}: ${stderr.trim().slice(-2000)}`);
    }
    let peakRssKiB: number | undefined;
    if (existsSync(rssFile)) {
      const value = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      if (Number.isFinite(value) && value > 0) peakRssKiB = value;
    }
    return { seconds, peakRssKiB, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a program is on the PATH. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && existsSync(path.join(dir, program)));
}
