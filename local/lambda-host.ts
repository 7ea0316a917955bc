/**
 * A Lambda execution environment as a local process: imports the handler once (its module-scope
 * set-up runs once, as on a cold start) and then serves invocations one at a time, each with a
 * context whose remaining time counts down to the function's timeout. The parent enforces the
 * timeout by killing this process, after which it is not reused, as Lambda does.
 *
 * Arguments: the handler's file and the name of its export (`handler` when absent).
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import * as nodeModule from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Invocation {
  event: unknown;
  timeoutMs: number;
  functionName: string;
  memoryMb: number;
  requestId?: string;
  invokedFunctionArn?: string;
}

export type InvocationReply =
  { ok: true; result: unknown } | { ok: false; error: { name: string; message: string; stack?: string } };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Set where the handler's folder has no AWS SDK of its own, as on Lambda, where the runtime provides it. */
const SDK_MODULES = process.env.PIPELINE_LAMBDA_SDK_MODULES;

type ResolveHook = (
  specifier: string,
  context: { parentURL?: string },
  next: (specifier: string, context: { parentURL?: string }) => unknown,
) => unknown;

if (SDK_MODULES) {
  // module.registerHooks is public from Node 22.15 (the functions run on the Node they declare).
  const { registerHooks } = nodeModule as unknown as {
    registerHooks?: (hooks: { resolve: ResolveHook }) => void;
  };
  if (!registerHooks)
    throw new Error(`resolving the runtime's AWS SDK needs Node >= 22.15, not ${process.version}`);
  const fromSdkModules = pathToFileURL(path.join(SDK_MODULES, '..', 'lambda-runtime.js')).href;
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (error) {
        if (!specifier.startsWith('@aws-sdk/')) throw error;
        return next(specifier, { ...context, parentURL: fromSdkModules });
      }
    },
  });
}

/**
 * CDK's custom-resource framework answers CloudFormation with `https.request` to port 443 of the
 * ResponseURL's host, whatever port the URL names. On an emulator in host mode that answer is due
 * at its gateway on this machine, over HTTP: this port, where set.
 */
const LOOPBACK_HTTPS_PORT = process.env.PIPELINE_LAMBDA_LOOPBACK_HTTPS_PORT;

if (LOOPBACK_HTTPS_PORT) {
  const loopback = new Set(['127.0.0.1', 'localhost', '::1']);
  class LoopbackAgent extends https.Agent {
    override createConnection(...args: Parameters<https.Agent['createConnection']>) {
      const [options] = args as [{ host?: string; port?: number | string }];
      if (loopback.has(options.host ?? '') && Number(options.port ?? 443) === 443) {
        return net.createConnection(Number(LOOPBACK_HTTPS_PORT), '127.0.0.1');
      }
      return super.createConnection(...args);
    }
  }
  https.globalAgent = new LoopbackAgent();
}

let handler: Promise<Handler> | undefined;

async function loadHandler(file: string, name: string): Promise<Handler> {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  // A CommonJS handler's exports may only be on `default`.
  const fn = module[name] ?? module.default?.[name];
  if (typeof fn !== 'function') throw new Error(`${path.basename(file)} exports no function ${name}`);
  return fn as Handler;
}

// The runner that started this environment is gone (however it ended): so is the environment.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message: Invocation) => {
  const started = Date.now();
  const requestId = message.requestId ?? randomUUID();
  const context = {
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn:
      message.invokedFunctionArn ??
      `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${message.functionName}`,
    memoryLimitInMB: String(message.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${message.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, message.timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  let reply: InvocationReply;
  try {
    handler ??= loadHandler(process.argv[2]!, process.argv[3] ?? 'handler');
    const result = await (await handler)(message.event, context);
    reply = { ok: true, result: result ?? null };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    console.error(e);
    reply = { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  process.send!(reply);
});
