import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { ExecutionEnvironment, lambdaNodeFlags } from './lambda-environment.js';

export interface LambdaPoolOptions {
  /** The bundled `local/lambda-host.ts`. */
  hostBundle: string;
  /** Folder for one log file per function. */
  logDir: string;
  timeoutMs: number;
  memoryMb: number;
  /** Endpoint and credentials every function gets, besides its own environment. */
  awsEnv: Record<string, string>;
}

/** One invocation, as the runner reports it. */
export interface InvocationReport {
  functionName: string;
  ok: boolean;
  durationMs: number;
  attempt: number;
  /** The event it was given. */
  event: unknown;
  /** What the handler returned, when it did. */
  result?: unknown;
  error?: string;
}

/**
 * The warm execution environments of the local functions: an invocation runs in an idle
 * environment of its function if there is one, else in a new one (a cold start); an environment
 * that timed out or crashed is killed and never reused, as on Lambda.
 */
export class LambdaPool {
  private readonly idle = new Map<string, ExecutionEnvironment[]>();
  private readonly logs = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: LambdaPoolOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  async invoke(
    functionName: string,
    bundle: string,
    env: Record<string, string>,
    event: unknown,
    attempt = 1,
  ): Promise<InvocationReport> {
    const { timeoutMs, memoryMb } = this.options;
    // As on Lambda, a change of configuration means new environments: an old one is not reused.
    const configuration = `${functionName}\n${JSON.stringify(env)}`;
    const pool = this.idle.get(configuration) ?? [];
    this.idle.set(configuration, pool);
    const log = this.logFile(functionName);
    const environment =
      pool.pop() ??
      new ExecutionEnvironment({
        hostBundle: this.options.hostBundle,
        handlerFile: bundle,
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          // The emulator's endpoint, and a service's own where it differs (ECS: the local ECS).
          ...Object.fromEntries(
            Object.entries(this.options.awsEnv).filter(([name]) => name.startsWith('AWS_ENDPOINT_URL')),
          ),
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
          NODE_NO_WARNINGS: '1',
        },
        stdout: log,
        stderr: log,
        execArgv: lambdaNodeFlags(memoryMb),
      });
    const outcome = await environment.invoke({
      event,
      timeoutMs,
      functionName,
      memoryMb,
      requestId: randomUUID(),
    });
    if (environment.alive && !this.closed) pool.push(environment);
    else environment.kill();
    return {
      functionName,
      ok: outcome.ok,
      event,
      result: outcome.result,
      error: outcome.error?.message,
      attempt,
      durationMs: outcome.durationMs,
    };
  }

  /** Kills the idle environments and closes the logs; later invocations' environments are not kept. */
  close(): void {
    this.closed = true;
    for (const environment of [...this.idle.values()].flat()) environment.kill();
    this.idle.clear();
    for (const fd of this.logs.values()) closeSync(fd);
    this.logs.clear();
  }

  private logFile(name: string): number {
    let fd = this.logs.get(name);
    if (fd === undefined) {
      fd = openSync(path.join(this.options.logDir, `${name}.log`), 'a');
      this.logs.set(name, fd);
    }
    return fd;
  }
}
