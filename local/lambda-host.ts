/**
 * A Lambda execution environment as a local process: imports the bundled handler once (its
 * module-scope set-up runs once, as on a cold start) and then serves invocations one at a time,
 * each with a context whose remaining time counts down to the function's timeout. The parent
 * enforces the timeout by killing this process, after which it is not reused, as Lambda does.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

interface Invocation {
  event: unknown;
  timeoutMs: number;
  functionName: string;
  memoryMb: number;
  requestId?: string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

let handler: Promise<Handler> | undefined;

process.on('message', async (message: Invocation) => {
  const started = Date.now();
  const requestId = message.requestId ?? randomUUID();
  const context = {
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${message.functionName}`,
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
  try {
    handler ??= import(pathToFileURL(process.argv[2]!).href).then((m: { handler: Handler }) => m.handler);
    const result = await (await handler)(message.event, context);
    process.send!({ ok: true, result: result ?? null });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send!({ ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
