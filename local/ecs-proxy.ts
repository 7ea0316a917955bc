import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { localClientConfig } from '../src/cli/local-cloud.js';
import { NO_CHAOS, type Chaos } from './chaos.js';
import { TokenBucket } from './token-bucket.js';

/** The limits ECS puts on RunTask, which the local cloud's ECS enforces. */
export interface EcsLimits {
  /** RunTask calls that may be made at once: the token bucket's capacity. @default 100 */
  runTaskBurst?: number;
  /** RunTask calls per second once the burst is spent: the bucket's refill. @default 20 */
  runTaskPerSecond?: number;
  /**
   * Tasks that may be running (or starting) at once in a cluster, as the account's Fargate quota
   * allows; past it RunTask starts nothing and answers the quota's failure reason.
   * @default no cap
   */
  maxRunningTasks?: number;
}

/**
 * AWS's published Fargate launch rate (a bucket of 100, refilled at 20 per second, per account
 * and Region); the concurrent-task quota is an account's own, so none is assumed.
 */
const ECS_LIMIT_DEFAULTS: Required<EcsLimits> = {
  runTaskBurst: 100,
  runTaskPerSecond: 20,
  maxRunningTasks: Number.POSITIVE_INFINITY,
};

/** The reason ECS gives in RunTask's `failures[]` when the concurrent-task quota is reached. */
export const CONCURRENT_TASKS_REASON =
  "You've reached the limit on the number of tasks you can run concurrently";

export interface EcsProxyOptions {
  region: string;
  limits?: EcsLimits;
  /** Faults to inject in RunTask answers (see chaos.ts). @default none */
  chaos?: Chaos;
  /** The rate limit's clock, in ms. @default Date.now */
  now?: () => number;
}

export interface EcsProxyStats {
  runTaskCalls: number;
  /** Answered ThrottlingException: past the rate limit, or injected. */
  throttled: number;
  /** Answered `InvalidParameterException: Rate exceeded` (injected). */
  rateExceeded: number;
  /** Answered the concurrent-task failure: the cap was reached. */
  overCapacity: number;
  /** Tasks started whose answer was dropped (injected). */
  answersLost: number;
  /** Calls answered with the task an earlier call with the same clientToken started. */
  tokensRepeated: number;
  /** Calls whose clientToken was used before with other parameters (ConflictException). */
  conflicts: number;
}

export interface EcsProxy {
  endpoint: string;
  stats: EcsProxyStats;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

interface RunTaskInput {
  cluster?: string;
  count?: number;
  clientToken?: string;
}

const JSON_TYPE = 'application/x-amz-json-1.1';

/**
 * The local cloud's ECS: a proxy in front of the emulator, whose ECS records tasks but knows no
 * limits, that answers RunTask as ECS does at its limits and with its idempotency:
 * - past the rate limit (a token bucket per proxy), ThrottlingException;
 * - with the cluster's running tasks at the cap, a `failures[]` entry with the quota's reason;
 * - a repeated clientToken (same cluster) gets the first call's answer and starts nothing;
 *   with other parameters, ConflictException (moto ignores RunTask's clientToken);
 * - injected faults: ThrottlingException, `InvalidParameterException: Rate exceeded`, and a
 *   started task's answer lost (the connection reset).
 * Every other ECS call is passed through. RunTask calls are placed one at a time, so the cap
 * holds under concurrent calls.
 */
export async function startEcsProxy(target: string, options: EcsProxyOptions): Promise<EcsProxy> {
  const limits = { ...ECS_LIMIT_DEFAULTS, ...options.limits };
  if (!(limits.maxRunningTasks >= 0)) {
    throw new Error(`maxRunningTasks must be 0 or more, got ${limits.maxRunningTasks}`);
  }
  const chaos = options.chaos ?? NO_CHAOS;
  const bucket = new TokenBucket(limits.runTaskBurst, limits.runTaskPerSecond, options.now);
  const upstream = new URL(target);
  const ecs = new ECSClient(localClientConfig(target, options.region));
  const stats: EcsProxyStats = {
    runTaskCalls: 0,
    throttled: 0,
    rateExceeded: 0,
    overCapacity: 0,
    answersLost: 0,
    tokensRepeated: 0,
    conflicts: 0,
  };
  /** clientToken (per cluster) -> the parameters it came with and the answer that started its task. */
  const tokens = new Map<string, { params: string; answer: Answer; taskArns: string[] }>();
  let placing: Promise<unknown> = Promise.resolve();

  function forward(req: http.IncomingMessage, body?: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (reply) => {
          const chunks: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => chunks.push(chunk));
          reply.on('end', () =>
            resolve({
              status: reply.statusCode ?? 502,
              headers: { 'content-type': reply.headers['content-type'] ?? JSON_TYPE },
              body: Buffer.concat(chunks),
            }),
          );
          reply.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  async function runningTasks(cluster: string | undefined): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', nextToken }));
      count += page.taskArns?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
    return count;
  }

  async function place(req: http.IncomingMessage, body: Buffer, input: RunTaskInput): Promise<Answer> {
    const key = `${input.cluster ?? 'default'}\n${input.clientToken ?? ''}`;
    const params = JSON.stringify({ ...input, clientToken: undefined });
    const known = input.clientToken ? tokens.get(key) : undefined;
    if (known) {
      if (known.params === params) {
        stats.tokensRepeated++;
        return known.answer;
      }
      stats.conflicts++;
      return errorAnswer(
        'ConflictException',
        'The clientToken is already in use with a different RunTask request.',
        { resourceIds: known.taskArns },
      );
    }
    if (Number.isFinite(limits.maxRunningTasks)) {
      const running = await runningTasks(input.cluster);
      if (running + (input.count ?? 1) > limits.maxRunningTasks) {
        stats.overCapacity++;
        return jsonAnswer(200, { tasks: [], failures: [{ reason: CONCURRENT_TASKS_REASON }] });
      }
    }
    const answer = await forward(req, body);
    const taskArns = startedTasks(answer);
    if (input.clientToken && taskArns.length) tokens.set(key, { params, answer, taskArns });
    return answer;
  }

  async function runTask(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const call = ++stats.runTaskCalls;
    const input = JSON.parse(body.toString('utf8') || '{}') as RunTaskInput;
    let answer: Answer;
    if (chaos.throttle(call) || !bucket.take()) {
      stats.throttled++;
      answer = errorAnswer('ThrottlingException', 'Rate exceeded');
    } else if (chaos.rateExceeded(call)) {
      stats.rateExceeded++;
      answer = errorAnswer('InvalidParameterException', 'Rate exceeded');
    } else {
      const placed = placing.then(() => place(req, body, input));
      placing = placed.catch(() => undefined);
      answer = await placed;
      if (startedTasks(answer).length && chaos.loseAnswer(call)) {
        stats.answersLost++;
        res.socket?.destroy();
        return;
      }
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.end(answer.body);
  }

  const server = http.createServer((req, res) => {
    const failed = (error: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const work = String(req.headers['x-amz-target'] ?? '').endsWith('.RunTask')
        ? runTask(req, res, body)
        : forward(req, body).then((answer) => {
            res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
            res.end(answer.body);
          });
      work.catch(failed);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        ecs.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function startedTasks(answer: Answer): string[] {
  if (answer.status !== 200) return [];
  const out = JSON.parse(answer.body.toString('utf8') || '{}') as { tasks?: { taskArn?: string }[] };
  return (out.tasks ?? []).flatMap((task) => (task.taskArn ? [task.taskArn] : []));
}

function jsonAnswer(status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): Answer {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** An error as ECS sends it: HTTP 400, the type in the body and in `x-amzn-errortype`. */
function errorAnswer(type: string, message: string, extra: Record<string, unknown> = {}): Answer {
  return jsonAnswer(400, { __type: type, message, ...extra }, { 'x-amzn-errortype': type });
}
