import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { COLLECTOR_FLAG } from '../src/runtime/aws/collector-nudge.js';
import type { Invocation, InvocationReply } from './lambda-host.js';

export interface ExecutionEnvironmentOptions {
  /** The bundled `local/lambda-host.ts`. */
  hostBundle: string;
  /** The handler's file and export. */
  handlerFile: string;
  handlerExport?: string;
  /** The function's environment, complete. */
  env: Record<string, string>;
  /** Where the handler's output goes (file descriptors or `inherit`). @default inherit */
  stdout?: number | 'inherit';
  stderr?: number | 'inherit';
  /** Node.js flags of the handler process (e.g. its heap size). @default none */
  execArgv?: string[];
}

/**
 * The flags Lambda's Node.js runtimes start `node` with, from the function's memory (their
 * bootstrap): the collector exposed, a young generation of a tenth of the memory, the rest for
 * the old one. The LocalStack plugin's executor (`runtime_command`) starts its runtime the same way.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const youngMb = Math.round(memoryMb / 10);
  return [
    COLLECTOR_FLAG,
    `--max-semi-space-size=${Math.floor(youngMb / 2)}`,
    `--max-old-space-size=${memoryMb - youngMb}`,
  ];
}

export interface InvocationOutcome {
  ok: boolean;
  result?: unknown;
  /** Why the invocation failed, in Lambda's words where Lambda has them. */
  error?: { type: string; message: string; stack?: string };
  durationMs: number;
}

/**
 * One Lambda execution environment: a process that imports the handler once and then serves one
 * invocation at a time. The timeout is enforced by killing the process; an environment that timed
 * out or crashed is dead and is never reused, as on Lambda.
 */
export class ExecutionEnvironment {
  private readonly child: ChildProcess;
  private dead = false;

  constructor(options: ExecutionEnvironmentOptions) {
    const stdio: StdioOptions = ['ignore', options.stdout ?? 'inherit', options.stderr ?? 'inherit', 'ipc'];
    this.child = fork(options.hostBundle, [options.handlerFile, options.handlerExport ?? 'handler'], {
      env: options.env,
      stdio,
      execArgv: options.execArgv ?? [],
      // Out of the terminal's process group: Ctrl-C stops the runner, which then stops this.
      detached: true,
    });
    this.child.once('exit', () => (this.dead = true));
  }

  /** False once the environment timed out, crashed or was killed. */
  get alive(): boolean {
    return !this.dead && this.child.exitCode === null;
  }

  invoke(invocation: Invocation): Promise<InvocationOutcome> {
    const child = this.child;
    const started = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: Omit<InvocationOutcome, 'durationMs'>, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (kill) this.kill();
        resolve({ ...outcome, durationMs: Date.now() - started });
      };
      const onMessage = (reply: InvocationReply) =>
        finish(
          reply.ok
            ? { ok: true, result: reply.result }
            : {
                ok: false,
                error: { type: reply.error.name, message: reply.error.message, stack: reply.error.stack },
              },
          false,
        );
      const onExit = (code: number | null, signal: string | null) =>
        finish(
          {
            ok: false,
            error: { type: 'Runtime.ExitError', message: `Runtime exited with ${signal ?? `code ${code}`}` },
          },
          false,
        );
      const timer = setTimeout(
        () =>
          finish(
            {
              ok: false,
              error: {
                type: 'Sandbox.Timedout',
                message: `Task timed out after ${(invocation.timeoutMs / 1000).toFixed(2)} seconds`,
              },
            },
            true,
          ),
        invocation.timeoutMs,
      );
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (!this.alive) return onExit(child.exitCode, child.signalCode);
      child.send(invocation);
    });
  }

  kill(): void {
    this.dead = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
