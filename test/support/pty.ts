import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-in-pty.py');

export interface PtyOptions {
  cwd?: string;
  /** The command's whole environment. @default this process's */
  env?: NodeJS.ProcessEnv;
  /** The terminal's size. @default 80 × 24 */
  cols?: number;
  rows?: number;
}

/** Ctrl-C, as a terminal sends it: SIGINT to the whole foreground process group. */
export const CTRL_C = '\x03';

/**
 * A command run on a real pseudo-terminal (by `run-in-pty.py`, with Python's `pty`): it sees a
 * TTY, and what is written to it is typed, so Ctrl-C reaches every process of the foreground
 * group as it does at a terminal.
 */
export class PtyProcess {
  private text = '';
  private readonly helper: ChildProcess;
  private readonly exit: Promise<number>;
  private readonly listeners = new Set<() => void>();

  constructor(command: string, args: string[], options: PtyOptions = {}) {
    const size = ['--cols', String(options.cols ?? 80), '--rows', String(options.rows ?? 24)];
    this.helper = spawn('python3', [HELPER, ...size, '--', command, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.helper.stdout!.setEncoding('utf8');
    this.helper.stdout!.on('data', (chunk: string) => {
      this.text += chunk;
      for (const listener of this.listeners) listener();
    });
    this.exit = new Promise((resolve, reject) => {
      this.helper.once('error', reject);
      this.helper.once('close', (code, signal) => {
        for (const listener of this.listeners) listener();
        resolve(code ?? 128 + os.constants.signals[signal!]);
      });
    });
  }

  /** All the command wrote to its terminal so far: CR LF line ends and escape codes as written. */
  get output(): string {
    return this.text;
  }

  /** Resolves when the output so far matches; rejects after the timeout or if the command ends first. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.text);
        if (match) return done(() => resolve(match));
        if (this.helper.exitCode !== null || this.helper.signalCode !== null)
          return done(() => reject(new Error(`ended before printing ${pattern}:\n${this.text}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.text}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Types `data` on the terminal, e.g. `CTRL_C`. */
  write(data: string): void {
    this.helper.stdin!.write(JSON.stringify(data) + '\n');
  }

  /** The command's exit code, or 128 + the signal that ended it. */
  async exitCode(timeoutMs = 30_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still running after ${timeoutMs} ms:\n${this.text}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hangs the terminal up (SIGHUP to the command), then kills it if it is still there after `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.helper.exitCode !== null || this.helper.signalCode !== null) return;
    this.helper.stdin!.end();
    const timer = setTimeout(() => this.helper.kill('SIGTERM'), graceMs);
    await this.exit.catch(() => undefined);
    clearTimeout(timer);
  }
}
